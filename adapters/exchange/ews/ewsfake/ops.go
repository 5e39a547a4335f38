package ewsfake

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Server) findFolder(w http.ResponseWriter, op *node) {
	eq := op.path("Restriction", "IsEqualTo")
	if op.attr("Traversal") != "Deep" || op.path("FolderShape", "BaseShape").text() == "" ||
		eq.child("FieldURI").attr("FieldURI") != "folder:DisplayName" ||
		op.path("ParentFolderIds", "DistinguishedFolderId").attr("Id") != "msgfolderroot" {
		s.failf(w, "FindFolder must search folder:DisplayName deep below msgfolderroot")
		return
	}
	name := eq.path("FieldURIOrConstant", "Constant").attr("Value")
	var folders string
	n := 0
	for id, dn := range s.folders {
		if strings.EqualFold(dn, name) {
			n++
			folders += `<t:Folder><t:FolderId Id="` + esc(id) + `" ChangeKey="AQAAAA=="/><t:DisplayName>` + esc(dn) + `</t:DisplayName></t:Folder>`
		}
	}
	writeResponse(w, "FindFolder", success("FindFolder",
		fmt.Sprintf(`<m:RootFolder TotalItemsInView="%d" IncludesLastItemInRange="true"><t:Folders>%s</t:Folders></m:RootFolder>`, n, folders)))
}

// syncFolderItems answers changes after the sync state, at most
// min(MaxChangesReturned, page size) per call.
func (s *Server) syncFolderItems(w http.ResponseWriter, op *node) {
	if op.path("ItemShape", "BaseShape").text() != "IdOnly" {
		s.failf(w, "SyncFolderItems should ask for IdOnly and fetch with GetItem")
		return
	}
	max, err := strconv.Atoi(op.child("MaxChangesReturned").text())
	if err != nil || max < 1 || max > 512 {
		s.failf(w, "SyncFolderItems MaxChangesReturned %q, want 1..512", op.child("MaxChangesReturned").text())
		return
	}
	fid := op.path("SyncFolderId", "FolderId").attr("Id")
	if d := op.path("SyncFolderId", "DistinguishedFolderId").attr("Id"); d != "" {
		fid = d
	}
	if _, ok := s.folders[fid]; !ok && fid != calendarFolder && fid != tasksFolder {
		writeResponse(w, "SyncFolderItems", failure("SyncFolderItems", "ErrorFolderNotFound", "The specified folder could not be found in the store."))
		return
	}
	since := 0
	if st := op.child("SyncState"); st != nil {
		state, ok := s.states[st.text()]
		if !ok || state.folder != fid || state.epoch != s.epoch {
			writeResponse(w, "SyncFolderItems", failure("SyncFolderItems", "ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid."))
			return
		}
		since = state.seq
	}
	var changed []*Item
	for _, it := range s.items {
		if it.Folder == fid && it.seq > since && !(it.deleted && it.created > since) {
			changed = append(changed, it)
		}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].seq < changed[j].seq })
	last := true
	if n := min(max, s.pageSize); len(changed) > n {
		changed, last = changed[:n], false
	}
	upto := since
	var b strings.Builder
	for _, it := range changed {
		upto = it.seq
		idXML := `<t:ItemId Id="` + esc(it.ID) + `" ChangeKey="` + esc(it.ChangeKey) + `"/>`
		switch {
		case it.deleted:
			b.WriteString(`<t:Delete>` + idXML + `</t:Delete>`)
		case it.created > since:
			b.WriteString(`<t:Create><t:` + it.Class + `>` + idXML + `</t:` + it.Class + `></t:Create>`)
		default:
			b.WriteString(`<t:Update><t:` + it.Class + `>` + idXML + `</t:` + it.Class + `></t:Update>`)
		}
	}
	if last {
		upto = max0(upto, s.seq)
	}
	token := fmt.Sprintf("H4sIAAAAAAAEAO29B2AcSZ-%d", len(s.states)+1)
	s.states[token] = syncState{folder: fid, seq: upto, epoch: s.epoch}
	writeResponse(w, "SyncFolderItems", success("SyncFolderItems",
		`<m:SyncState>`+token+`</m:SyncState><m:IncludesLastItemInRange>`+strconv.FormatBool(last)+
			`</m:IncludesLastItemInRange><m:Changes>`+b.String()+`</m:Changes>`))
}

func max0(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func (s *Server) getItem(w http.ResponseWriter, op *node) {
	shape := op.child("ItemShape")
	if shape.child("BaseShape").text() != "AllProperties" || shape.child("BodyType").text() == "" {
		s.failf(w, "GetItem should ask for AllProperties with a BodyType")
		return
	}
	if !hasActivityProperty(shape.child("AdditionalProperties")) {
		s.failf(w, "GetItem does not ask for the gwsyncActivityId extended property")
		return
	}
	ids := op.child("ItemIds").all("ItemId")
	if len(ids) == 0 || len(ids) > 100 {
		s.failf(w, "GetItem with %d ItemIds, want 1..100", len(ids))
		return
	}
	var b strings.Builder
	for _, n := range ids {
		it := s.items[n.attr("Id")]
		if it == nil || it.deleted {
			b.WriteString(failure("GetItem", "ErrorItemNotFound", "The specified object was not found in the store."))
			continue
		}
		b.WriteString(success("GetItem", `<m:Items>`+render(it)+`</m:Items>`))
	}
	writeResponse(w, "GetItem", b.String())
}

// activityProperty reports whether n holds the ExtendedFieldURI of the
// activity id property.
func hasActivityProperty(n *node) bool {
	for _, c := range n.all("ExtendedFieldURI") {
		if c.attr("DistinguishedPropertySetId") == "PublicStrings" && c.attr("PropertyName") == "gwsyncActivityId" && c.attr("PropertyType") == "String" {
			return true
		}
	}
	return false
}

// Fields UpdateItem may set: only times.
var updatable = map[string]map[string]string{
	"CalendarItem": {"calendar:Start": "Start", "calendar:End": "End", "calendar:IsAllDayEvent": "IsAllDayEvent"},
	"Task":         {"task:DueDate": "DueDate", "task:StartDate": "StartDate"},
}

func (s *Server) updateItem(w http.ResponseWriter, op *node) {
	cr := op.attr("ConflictResolution")
	if cr != "NeverOverwrite" && cr != "AutoResolve" && cr != "AlwaysOverwrite" {
		s.failf(w, "UpdateItem ConflictResolution %q", cr)
		return
	}
	if op.attr("SendMeetingInvitationsOrCancellations") != "SendToNone" {
		s.failf(w, "UpdateItem must not notify attendees (SendMeetingInvitationsOrCancellations=%q)", op.attr("SendMeetingInvitationsOrCancellations"))
		return
	}
	changes := op.child("ItemChanges").all("ItemChange")
	if len(changes) != 1 {
		s.failf(w, "UpdateItem with %d ItemChanges, the adapter sends one", len(changes))
		return
	}
	idn := changes[0].child("ItemId")
	it := s.items[idn.attr("Id")]
	switch {
	case it == nil || it.deleted:
		writeResponse(w, "UpdateItem", failure("UpdateItem", "ErrorItemNotFound", "The specified object was not found in the store."))
		return
	case idn.attr("ChangeKey") == "" && cr != "AlwaysOverwrite":
		writeResponse(w, "UpdateItem", failure("UpdateItem", "ErrorChangeKeyRequiredForWriteOperations", "A change key is required."))
		return
	case idn.attr("ChangeKey") != "" && idn.attr("ChangeKey") != it.ChangeKey:
		writeResponse(w, "UpdateItem", failure("UpdateItem", "ErrorIrresolvableConflict",
			"The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item."))
		return
	}
	allowed := updatable[it.Class]
	updates := changes[0].child("Updates")
	if updates == nil || len(updates.Children) == 0 {
		s.failf(w, "UpdateItem without Updates")
		return
	}
	type set struct{ field, value string }
	var sets []set
	for _, u := range updates.Children {
		uri := u.child("FieldURI").attr("FieldURI")
		field, ok := allowed[uri]
		if u.XMLName.Local != "SetItemField" || !ok {
			s.failf(w, "UpdateItem %s of %s on a %s: only times may change", u.XMLName.Local, uri, it.Class)
			return
		}
		v := u.path(it.Class, field)
		if v == nil {
			s.failf(w, "UpdateItem %s without <t:%s><t:%s>", uri, it.Class, field)
			return
		}
		sets = append(sets, set{field, v.text()})
	}
	for _, st := range sets {
		if st.field == "IsAllDayEvent" {
			it.AllDay = st.value == "true"
			continue
		}
		t, err := time.Parse(time.RFC3339, st.value)
		if err != nil {
			writeResponse(w, "UpdateItem", failure("UpdateItem", "ErrorSchemaValidation", "bad "+st.field))
			return
		}
		switch st.field {
		case "Start":
			it.Start = t
		case "End":
			it.End = t
		case "DueDate":
			it.Due = t
		}
	}
	s.touch(it)
	writeResponse(w, "UpdateItem", success("UpdateItem", `<m:Items><t:`+it.Class+`><t:ItemId Id="`+esc(it.ID)+`" ChangeKey="`+esc(it.ChangeKey)+
		`"/></t:`+it.Class+`></m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>`))
}

// createOrder is the schema order of the CalendarItem elements the adapter
// may send; EWS rejects elements out of order (ErrorSchemaValidation).
var createOrder = []string{"Subject", "Body", "ExtendedProperty", "Start", "End", "IsAllDayEvent", "LegacyFreeBusyStatus", "Location"}

func (s *Server) createItem(w http.ResponseWriter, op *node) {
	if op.attr("SendMeetingInvitations") != "SendToNone" {
		s.failf(w, "CreateItem SendMeetingInvitations=%q, want SendToNone", op.attr("SendMeetingInvitations"))
		return
	}
	if op.path("SavedItemFolderId", "DistinguishedFolderId").attr("Id") != calendarFolder {
		s.failf(w, "CreateItem must save into the calendar")
		return
	}
	cals := op.child("Items").all("CalendarItem")
	if len(cals) != 1 || len(op.child("Items").Children) != 1 {
		s.failf(w, "CreateItem must create exactly one CalendarItem")
		return
	}
	c := cals[0]
	pos := 0
	for _, ch := range c.Children {
		for pos < len(createOrder) && createOrder[pos] != ch.XMLName.Local {
			pos++
		}
		if pos == len(createOrder) {
			s.failf(w, "CreateItem CalendarItem: element %s unexpected or out of schema order", ch.XMLName.Local)
			return
		}
	}
	if c.child("LegacyFreeBusyStatus").text() != "Busy" {
		s.failf(w, "exported item LegacyFreeBusyStatus %q, want Busy", c.child("LegacyFreeBusyStatus").text())
		return
	}
	ep := c.child("ExtendedProperty")
	if ep == nil || !hasActivityProperty(ep) || ep.child("Value").text() == "" {
		s.failf(w, "exported item without the gwsyncActivityId extended property")
		return
	}
	start, err1 := time.Parse(time.RFC3339, c.child("Start").text())
	end, err2 := time.Parse(time.RFC3339, c.child("End").text())
	if err1 != nil || err2 != nil {
		s.failf(w, "CreateItem Start/End not xs:dateTime")
		return
	}
	if end.Before(start) {
		writeResponse(w, "CreateItem", failure("CreateItem", "ErrorCalendarEndDateIsEarlierThanStartDate", "The end date occurs before the start date."))
		return
	}
	s.nextID++
	it := &Item{ID: fmt.Sprintf("AAMkADEx%04d", s.nextID), Class: "CalendarItem", Folder: calendarFolder,
		Subject: c.child("Subject").text(), Body: c.child("Body").text(), BodyType: c.child("Body").attr("BodyType"),
		UID: fmt.Sprintf("040000008200E00074C5B7101A82E00800000000%04d", s.nextID), Start: start, End: end,
		AllDay: c.child("IsAllDayEvent").text() == "true", FreeBusy: "Busy", TimeZone: "UTC", Organizer: Mailbox,
		Location: c.child("Location").text(), ActivityID: ep.child("Value").text()}
	s.store(it)
	writeResponse(w, "CreateItem", success("CreateItem", `<m:Items><t:CalendarItem><t:ItemId Id="`+esc(it.ID)+`" ChangeKey="`+esc(it.ChangeKey)+`"/></t:CalendarItem></m:Items>`))
}

func (s *Server) findItem(w http.ResponseWriter, op *node) {
	eq := op.path("Restriction", "IsEqualTo")
	if op.attr("Traversal") != "Shallow" || !hasActivityProperty(eq) ||
		op.path("ParentFolderIds", "DistinguishedFolderId").attr("Id") != calendarFolder {
		s.failf(w, "FindItem must look the gwsyncActivityId property up in the calendar")
		return
	}
	value := eq.path("FieldURIOrConstant", "Constant").attr("Value")
	var items string
	n := 0
	for _, it := range s.items {
		if !it.deleted && it.Folder == calendarFolder && it.ActivityID != "" && it.ActivityID == value {
			n++
			items += `<t:CalendarItem><t:ItemId Id="` + esc(it.ID) + `" ChangeKey="` + esc(it.ChangeKey) + `"/></t:CalendarItem>`
		}
	}
	writeResponse(w, "FindItem", success("FindItem",
		fmt.Sprintf(`<m:RootFolder TotalItemsInView="%d" IncludesLastItemInRange="true"><t:Items>%s</t:Items></m:RootFolder>`, n, items)))
}
