package plugins

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
)

// timeToWire keeps "not set" (the zero time) as an absent timestamp, so it
// does not come back as 0001-01-01 in some other zone.
func timeToWire(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return &timestamppb.Timestamp{Seconds: t.Unix(), Nanos: int32(t.Nanosecond())}
}

// timeFromWire returns the instant in UTC; an absent timestamp is the zero
// time. The zone a time was written in is not kept (instants are what the
// contract compares); Raster.TimeZone carries the author's zone.
func timeFromWire(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return time.Unix(ts.GetSeconds(), int64(ts.GetNanos())).UTC()
}

func rasterToWire(r adapters.Raster) *pb.Raster {
	return &pb.Raster{
		Start:    timeToWire(r.Start),
		End:      timeToWire(r.End),
		Due:      timeToWire(r.Due),
		AllDay:   r.AllDay,
		TimeZone: r.TimeZone,
	}
}

func rasterFromWire(r *pb.Raster) adapters.Raster {
	if r == nil {
		return adapters.Raster{}
	}
	return adapters.Raster{
		Start:    timeFromWire(r.GetStart()),
		End:      timeFromWire(r.GetEnd()),
		Due:      timeFromWire(r.GetDue()),
		AllDay:   r.GetAllDay(),
		TimeZone: r.GetTimeZone(),
	}
}

func windowToWire(w adapters.Window) *pb.Window {
	return &pb.Window{From: timeToWire(w.From), To: timeToWire(w.To)}
}

func windowFromWire(w *pb.Window) adapters.Window {
	return adapters.Window{From: timeFromWire(w.GetFrom()), To: timeFromWire(w.GetTo())}
}
