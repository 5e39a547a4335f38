package xchg

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
)

// ExportEach runs one export per activity for both APIs: each activity is
// checked (a calendar type, an id, a usable raster) and handed to one;
// per-item failures go in the result, while Unauthorized, Temporary or a
// cancelled ctx stop the batch, since the next item would fail the same way.
func ExportEach(ctx context.Context, acts []adapters.Activity,
	one func(context.Context, adapters.Activity) (adapters.Item, bool, error)) ([]adapters.ExportResult, error) {
	out := make([]adapters.ExportResult, len(acts))
	for i, a := range acts {
		out[i].ActivityID = a.ID
		it, existed, err := checkExport(a)
		if err == nil {
			it, existed, err = one(ctx, a)
		}
		if err != nil {
			code := adapters.CodeOf(err)
			if code == adapters.CodeUnauthorized || code == adapters.CodeTemporary || ctx.Err() != nil {
				return nil, err
			}
			out[i].Err = err
			continue
		}
		out[i].Item, out[i].Existed = it, existed
	}
	return out, nil
}

func checkExport(a adapters.Activity) (adapters.Item, bool, error) {
	if !a.Type.IsCalendar() {
		return adapters.Item{}, false, adapters.Errorf(adapters.CodeInvalidItem, "activity %s is a %s, not a calendar entry", a.ID, a.Type)
	}
	if a.ID == "" {
		return adapters.Item{}, false, adapters.Errorf(adapters.CodeInvalidItem, "activity %q has no id", a.Subject)
	}
	return adapters.Item{}, false, CheckRaster("activity "+a.ID, adapters.KindEvent, a.Raster)
}
