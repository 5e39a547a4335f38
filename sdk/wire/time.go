package wire

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// TimeToWire keeps "not set" (the zero time) as an absent timestamp, so it
// does not come back as 0001-01-01 in some other zone.
func TimeToWire(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return &timestamppb.Timestamp{Seconds: t.Unix(), Nanos: int32(t.Nanosecond())}
}

// TimeFromWire returns the instant in UTC; an absent timestamp is the zero
// time. The zone a time was written in is not kept (instants are what the
// contract compares); Raster.TimeZone carries the author's zone.
func TimeFromWire(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return time.Unix(ts.GetSeconds(), int64(ts.GetNanos())).UTC()
}

func RasterToWire(r adapters.Raster) *pb.Raster {
	return &pb.Raster{
		Start:    TimeToWire(r.Start),
		End:      TimeToWire(r.End),
		Due:      TimeToWire(r.Due),
		AllDay:   r.AllDay,
		TimeZone: r.TimeZone,
	}
}

func RasterFromWire(r *pb.Raster) adapters.Raster {
	if r == nil {
		return adapters.Raster{}
	}
	return adapters.Raster{
		Start:    TimeFromWire(r.GetStart()),
		End:      TimeFromWire(r.GetEnd()),
		Due:      TimeFromWire(r.GetDue()),
		AllDay:   r.GetAllDay(),
		TimeZone: r.GetTimeZone(),
	}
}

func WindowToWire(w adapters.Window) *pb.Window {
	return &pb.Window{From: TimeToWire(w.From), To: TimeToWire(w.To)}
}

func WindowFromWire(w *pb.Window) adapters.Window {
	return adapters.Window{From: TimeFromWire(w.GetFrom()), To: TimeFromWire(w.GetTo())}
}
