package plugins

import (
	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
)

// itemToWire converts an item for the wire. It takes a pointer because an
// Item is large and this runs once per item of every snapshot.
// Invalid UTF-8 is repaired first (see wireSafeItem).
func itemToWire(it *adapters.Item) *pb.Item {
	it = wireSafeItem(it)
	return &pb.Item{
		Id:           it.ID,
		Key:          it.Key,
		Version:      it.Version,
		Kind:         string(it.Kind),
		Raster:       rasterToWire(it.Raster),
		Busy:         string(it.Busy),
		Subject:      it.Subject,
		Body:         it.Body,
		Location:     it.Location,
		From:         it.From,
		To:           it.To,
		Cc:           it.Cc,
		Attendees:    it.Attendees,
		Attachments:  attachmentsToWire(it.Attachments),
		Date:         timeToWire(it.Date),
		Modified:     timeToWire(it.Modified),
		Completed:    it.Completed,
		Cancelled:    it.Cancelled,
		Private:      it.Private,
		Deleted:      it.Deleted,
		ExportedFrom: it.ExportedFrom,
		Warnings:     it.Warnings,
		Unreadable:   it.Unreadable,
	}
}

// itemFromWire converts a received item. The item shares the message's
// strings and slices: the message is not used again after conversion.
func itemFromWire(p *pb.Item) adapters.Item {
	return adapters.Item{
		ID:           p.GetId(),
		Key:          p.GetKey(),
		Version:      p.GetVersion(),
		Kind:         adapters.Kind(p.GetKind()),
		Raster:       rasterFromWire(p.GetRaster()),
		Busy:         adapters.BusyStatus(p.GetBusy()),
		Subject:      p.GetSubject(),
		Body:         p.GetBody(),
		Location:     p.GetLocation(),
		From:         p.GetFrom(),
		To:           p.GetTo(),
		Cc:           p.GetCc(),
		Attendees:    p.GetAttendees(),
		Attachments:  attachmentsFromWire(p.GetAttachments()),
		Date:         timeFromWire(p.GetDate()),
		Modified:     timeFromWire(p.GetModified()),
		Completed:    p.GetCompleted(),
		Cancelled:    p.GetCancelled(),
		Private:      p.GetPrivate(),
		Deleted:      p.GetDeleted(),
		ExportedFrom: p.GetExportedFrom(),
		Warnings:     p.GetWarnings(),
		Unreadable:   p.GetUnreadable(),
	}
}

// itemWireSize estimates an item's encoded size cheaply (the variable
// parts plus a fixed overhead) to cut batches near maxBatchBytes without
// encoding twice.
func itemWireSize(it *adapters.Item) int {
	n := 96 + len(it.ID) + len(it.Key) + len(it.Version) + len(it.Kind) + len(it.Busy) +
		len(it.Subject) + len(it.Body) + len(it.Location) + len(it.From) +
		len(it.ExportedFrom) + len(it.Unreadable) + len(it.Raster.TimeZone)
	for _, list := range [][]string{it.To, it.Cc, it.Attendees, it.Warnings} {
		for _, s := range list {
			n += len(s) + 2
		}
	}
	for _, a := range it.Attachments {
		n += len(a.Name) + len(a.Type) + len(a.Part) + len(a.Data) + 24
	}
	return n
}

func attachmentsToWire(list []adapters.Attachment) []*pb.Attachment {
	if len(list) == 0 {
		return nil
	}
	out := make([]*pb.Attachment, len(list))
	for i, a := range list {
		out[i] = &pb.Attachment{Name: a.Name, Type: a.Type, Size: a.Size, Part: a.Part, Data: a.Data, Stored: a.Stored}
	}
	return out
}

func attachmentsFromWire(list []*pb.Attachment) []adapters.Attachment {
	if len(list) == 0 {
		return nil
	}
	out := make([]adapters.Attachment, len(list))
	for i, a := range list {
		out[i] = adapters.Attachment{Name: a.GetName(), Type: a.GetType(), Size: a.GetSize(), Part: a.GetPart(), Data: a.GetData(), Stored: a.GetStored()}
	}
	return out
}
