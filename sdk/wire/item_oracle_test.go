package wire

import (
	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// The test oracle of message Item: the mapping written against the
// generated code, field by field. Production code has one encoder
// (appendItemFields) and one decoder (wireDecoder.item); these check both
// against the generated code without trusting either.

func oracleItemToWire(it *adapters.Item) *pb.Item {
	return &pb.Item{
		Id:           it.ID,
		Key:          it.Key,
		Version:      it.Version,
		Kind:         string(it.Kind),
		Raster:       RasterToWire(it.Raster),
		Busy:         string(it.Busy),
		Subject:      it.Subject,
		Body:         it.Body,
		Location:     it.Location,
		From:         it.From,
		To:           it.To,
		Cc:           it.Cc,
		Attendees:    it.Attendees,
		Attachments:  attachmentsToWire(it.Attachments),
		Date:         TimeToWire(it.Date),
		Modified:     TimeToWire(it.Modified),
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
func oracleItemFromWire(p *pb.Item) adapters.Item {
	return adapters.Item{
		ID:           p.GetId(),
		Key:          p.GetKey(),
		Version:      p.GetVersion(),
		Kind:         adapters.Kind(p.GetKind()),
		Raster:       RasterFromWire(p.GetRaster()),
		Busy:         adapters.BusyStatus(p.GetBusy()),
		Subject:      p.GetSubject(),
		Body:         p.GetBody(),
		Location:     p.GetLocation(),
		From:         p.GetFrom(),
		To:           p.GetTo(),
		Cc:           p.GetCc(),
		Attendees:    p.GetAttendees(),
		Attachments:  attachmentsFromWire(p.GetAttachments()),
		Date:         TimeFromWire(p.GetDate()),
		Modified:     TimeFromWire(p.GetModified()),
		Completed:    p.GetCompleted(),
		Cancelled:    p.GetCancelled(),
		Private:      p.GetPrivate(),
		Deleted:      p.GetDeleted(),
		ExportedFrom: p.GetExportedFrom(),
		Warnings:     p.GetWarnings(),
		Unreadable:   p.GetUnreadable(),
	}
}
