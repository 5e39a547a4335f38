package engine

import (
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// packed is a raster as the planner keeps it for every link and activity:
// Unix seconds and the all-day flag, 32 bytes instead of 96, and compared
// without touching time.Location. Equality matches adapters.Raster.Equal.
type packed struct {
	start, end, due int64
	allDay          bool
}

const zeroUnix = -62135596800 // time.Time{}.Unix()

func pack(r adapters.Raster) packed {
	return packed{start: r.Start.Unix(), end: r.End.Unix(), due: r.Due.Unix(), allDay: r.AllDay}
}

func unix(s int64) time.Time {
	if s == zeroUnix {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

func (p packed) raster() adapters.Raster {
	return adapters.Raster{Start: unix(p.start), End: unix(p.end), Due: unix(p.due), AllDay: p.allDay}
}
