package files

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

// Export writes one .ics file per calendar activity into export_dir, named
// gwsync-<activity id>.ics and created exclusively, so it is idempotent: if
// that file exists (an earlier run, maybe one that died before linking),
// it is returned with Existed=true and not rewritten. The item's ID is
// "calendar/<file>" when export_dir is calendar_dir (it then shows up in
// snapshots), else "export/<file>".
//
// Per-item errors: InvalidItem for an activity that is not an appointment,
// meeting or follow-up, or that has no start; the I/O error. Whole-call
// error: InvalidConfig when neither export_dir nor calendar_dir is set.
func (s *Source) Export(ctx context.Context, acts []adapters.Activity) ([]adapters.ExportResult, error) {
	if s.opts.ExportDir == "" {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "files: export needs export_dir or calendar_dir")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]adapters.ExportResult, len(acts))
	for i, a := range acts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i].ActivityID = a.ID
		out[i].Item, out[i].Existed, out[i].Err = s.export(a)
	}
	return out, nil
}

func (s *Source) export(a adapters.Activity) (adapters.Item, bool, error) {
	switch {
	case !a.Type.IsCalendar():
		return adapters.Item{}, false, adapters.Errorf(adapters.CodeInvalidItem, "activity %s is a %s, not a calendar entry", a.ID, a.Type)
	case a.ID == "":
		return adapters.Item{}, false, adapters.Errorf(adapters.CodeInvalidItem, "activity without id")
	case a.Raster.Start.IsZero():
		return adapters.Item{}, false, adapters.Errorf(adapters.CodeInvalidItem, "activity %s has no start time", a.ID)
	}
	name := exportFileName(a.ID)
	path := filepath.Join(s.opts.ExportDir, name)
	data := icalendar.RenderExport(a, time.Now())
	existed, err := createExclusive(path, data, 0o644)
	if err != nil {
		return adapters.Item{}, false, err
	}
	if existed {
		if data, err = readCapped(path, maxICSBytes); err != nil {
			return adapters.Item{}, true, err
		}
	}
	items, err := icalendar.Parse(data, icalendar.ParseOptions{Location: s.floating})
	if err != nil || len(items) == 0 {
		return adapters.Item{}, existed, adapters.Errorf(adapters.CodeInvalidItem, "%s exists but cannot be read: %v", name, err)
	}
	it := items[0]
	it.ID, it.Version = s.exportPrefix()+name, contentVersion(data)
	return it, existed, nil
}

// exportFileName escapes the activity id so that no id can name a path
// outside the folder.
func exportFileName(id string) string {
	return "gwsync-" + url.PathEscape(id) + ".ics"
}

// exportPrefix is the ID prefix of exported items (see Export).
func (s *Source) exportPrefix() string {
	if s.opts.CalendarDir != "" && sameDir(s.opts.ExportDir, s.opts.CalendarDir) {
		return calendarPrefix
	}
	return exportPrefix
}

func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
