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
			if stopsBatch(ctx, err) {
				return nil, err
			}
			out[i].Err = err
			continue
		}
		out[i].Item, out[i].Existed = it, existed
	}
	return out, nil
}

// PutEach writes one time change at a time for both APIs; one returns the
// item's new version. Per-item failures go in the result, named by the
// item id; Unauthorized, Temporary or a cancelled ctx stop the batch.
func PutEach(ctx context.Context, changes []adapters.TimeChange,
	one func(context.Context, adapters.TimeChange) (string, error)) ([]adapters.ChangeResult, error) {
	out := make([]adapters.ChangeResult, len(changes))
	for i, c := range changes {
		out[i].ID = c.ID
		v, err := one(ctx, c)
		if err != nil {
			if stopsBatch(ctx, err) {
				return nil, err
			}
			out[i].Err = adapters.Wrap(adapters.CodeOf(err), err, c.ID)
			continue
		}
		out[i].Version = v
	}
	return out, nil
}

// stopsBatch tells the failures after which the next item would fail the
// same way: Unauthorized, Temporary, a cancelled ctx.
func stopsBatch(ctx context.Context, err error) bool {
	code := adapters.CodeOf(err)
	return code == adapters.CodeUnauthorized || code == adapters.CodeTemporary || ctx.Err() != nil
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
