package wire

import (
	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// ActivityToWire converts an activity for the wire, repairing invalid
// UTF-8 first (see SafeActivity).
func ActivityToWire(a *adapters.Activity) *pb.Activity {
	a = SafeActivity(a)
	return &pb.Activity{
		Id:          a.ID,
		Version:     a.Version,
		Type:        string(a.Type),
		Subject:     a.Subject,
		Body:        a.Body,
		Raster:      RasterToWire(a.Raster),
		Busy:        string(a.Busy),
		Owners:      a.Owners,
		Contacts:    a.Contacts,
		Location:    a.Location,
		Attachments: attachmentsToWire(a.Attachments),
		Key:         a.Key,
		Source:      a.Source,
		SourceItem:  a.SourceItem,
		Modified:    TimeToWire(a.Modified),
		Change:      a.Change,
	}
}

// ActivityFromWire converts a received activity; like ItemFromWire it
// shares the message's strings and slices.
func ActivityFromWire(p *pb.Activity) adapters.Activity {
	return adapters.Activity{
		ID:          p.GetId(),
		Version:     p.GetVersion(),
		Type:        adapters.ActivityType(p.GetType()),
		Subject:     p.GetSubject(),
		Body:        p.GetBody(),
		Raster:      RasterFromWire(p.GetRaster()),
		Busy:        adapters.BusyStatus(p.GetBusy()),
		Owners:      p.GetOwners(),
		Contacts:    p.GetContacts(),
		Location:    p.GetLocation(),
		Attachments: attachmentsFromWire(p.GetAttachments()),
		Key:         p.GetKey(),
		Source:      p.GetSource(),
		SourceItem:  p.GetSourceItem(),
		Modified:    TimeFromWire(p.GetModified()),
		Change:      p.GetChange(),
	}
}

func ActivitiesToWire(list []adapters.Activity) []*pb.Activity {
	out := make([]*pb.Activity, len(list))
	for i := range list {
		out[i] = ActivityToWire(&list[i])
	}
	return out
}

func ActivitiesFromWire(list []*pb.Activity) []adapters.Activity {
	out := make([]adapters.Activity, len(list))
	for i, p := range list {
		out[i] = ActivityFromWire(p)
	}
	return out
}

// ActivityWireSize estimates an activity's encoded size (see ItemWireSize).
func ActivityWireSize(a *adapters.Activity) int {
	n := 96 + len(a.ID) + len(a.Version) + len(a.Type) + len(a.Subject) + len(a.Body) +
		len(a.Busy) + len(a.Location) + len(a.Key) + len(a.Source) + len(a.SourceItem) +
		len(a.Raster.TimeZone)
	for _, list := range [][]string{a.Owners, a.Contacts} {
		for _, s := range list {
			n += len(s) + 2
		}
	}
	for _, at := range a.Attachments {
		n += len(at.Name) + len(at.Type) + len(at.Part) + len(at.Data) + 24
	}
	return n
}
