package ews

import "encoding/xml"

// The XML shapes of the EWS answers gwsync reads, from the EWS reference
// (types.xsd / messages.xsd). Tags name local elements only, so the
// namespace prefixes a server chooses do not matter.

type itemID struct {
	ID        string `xml:"Id,attr"`
	ChangeKey string `xml:"ChangeKey,attr"`
}

type mailbox struct {
	Name    string `xml:"Name"`
	Address string `xml:"EmailAddress"`
}

type extendedProperty struct {
	URI struct {
		PropertyName string `xml:"PropertyName,attr"`
	} `xml:"ExtendedFieldURI"`
	Value string `xml:"Value"`
}

// item is a Message, CalendarItem or Task: XMLName tells which.
type item struct {
	XMLName xml.Name
	ItemID  itemID `xml:"ItemId"`
	Subject string `xml:"Subject"`
	Body    struct {
		Type string `xml:"BodyType,attr"`
		Text string `xml:",chardata"`
	} `xml:"Body"`
	LastModified   string             `xml:"LastModifiedTime"`
	HasAttachments bool               `xml:"HasAttachments"`
	Extended       []extendedProperty `xml:"ExtendedProperty"`
	// Message.
	InternetMessageID string    `xml:"InternetMessageId"`
	DateTimeSent      string    `xml:"DateTimeSent"`
	DateTimeReceived  string    `xml:"DateTimeReceived"`
	From              mailbox   `xml:"From>Mailbox"`
	Sender            mailbox   `xml:"Sender>Mailbox"`
	To                []mailbox `xml:"ToRecipients>Mailbox"`
	Cc                []mailbox `xml:"CcRecipients>Mailbox"`
	// CalendarItem.
	UID              string    `xml:"UID"`
	Start            string    `xml:"Start"`
	End              string    `xml:"End"`
	OriginalStart    string    `xml:"OriginalStart"`
	IsAllDay         bool      `xml:"IsAllDayEvent"`
	FreeBusy         string    `xml:"LegacyFreeBusyStatus"`
	IsCancelled      bool      `xml:"IsCancelled"`
	Sensitivity      string    `xml:"Sensitivity"`
	Location         string    `xml:"Location"`
	CalendarItemType string    `xml:"CalendarItemType"`
	Organizer        mailbox   `xml:"Organizer>Mailbox"`
	Required         []mailbox `xml:"RequiredAttendees>Attendee>Mailbox"`
	Optional         []mailbox `xml:"OptionalAttendees>Attendee>Mailbox"`
	StartTimeZoneID  string    `xml:"StartTimeZoneId"`
	StartTimeZone    struct {
		ID string `xml:"Id,attr"`
	} `xml:"StartTimeZone"`
	// Task.
	DueDate    string `xml:"DueDate"`
	StartDate  string `xml:"StartDate"`
	Status     string `xml:"Status"`
	IsComplete bool   `xml:"IsComplete"`
}

type items struct {
	Items []item `xml:",any"`
}

type findFolderResponse struct {
	Messages []struct {
		responseMessage
		Folders []struct {
			FolderID struct {
				ID string `xml:"Id,attr"`
			} `xml:"FolderId"`
			DisplayName string `xml:"DisplayName"`
		} `xml:"RootFolder>Folders>Folder"`
	} `xml:"Body>FindFolderResponse>ResponseMessages>FindFolderResponseMessage"`
}

type syncChange struct {
	XMLName xml.Name
	Items   []struct {
		XMLName xml.Name
		ItemID  itemID `xml:"ItemId"`
	} `xml:",any"`
	ItemID itemID `xml:"ItemId"` // Delete and ReadFlagChange carry it directly
}

type syncResponse struct {
	Messages []syncMessage `xml:"Body>SyncFolderItemsResponse>ResponseMessages>SyncFolderItemsResponseMessage"`
}

// syncMessage is one page of changes and the sync state after it.
type syncMessage struct {
	responseMessage
	SyncState string `xml:"SyncState"`
	Last      bool   `xml:"IncludesLastItemInRange"`
	Changes   struct {
		List []syncChange `xml:",any"`
	} `xml:"Changes"`
}

type getItemResponse struct {
	Messages []struct {
		responseMessage
		Items items `xml:"Items"`
	} `xml:"Body>GetItemResponse>ResponseMessages>GetItemResponseMessage"`
}

type updateItemResponse struct {
	Messages []struct {
		responseMessage
		Items items `xml:"Items"`
	} `xml:"Body>UpdateItemResponse>ResponseMessages>UpdateItemResponseMessage"`
}

type createItemResponse struct {
	Messages []struct {
		responseMessage
		Items items `xml:"Items"`
	} `xml:"Body>CreateItemResponse>ResponseMessages>CreateItemResponseMessage"`
}

type findItemResponse struct {
	Messages []struct {
		responseMessage
		Items items `xml:"RootFolder>Items"`
	} `xml:"Body>FindItemResponse>ResponseMessages>FindItemResponseMessage"`
}
