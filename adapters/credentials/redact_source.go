package credentials

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
)

// RedactSource returns src with secrets redacted from every error it
// returns, whole-call and per item, so that a secret an adapter or its
// server echoes reaches no log, plan (plan --json) or page. With no
// non-empty secret it returns src itself.
//
// Like the plugin host's view of a source, the result implements every
// optional interface; a call to one src lacks fails with Unsupported.
// Capabilities are read from Info as always, which it passes on unchanged.
func RedactSource(src adapters.Source, secrets []string) adapters.Source {
	var keep []string
	for _, s := range secrets {
		if s != "" {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return src
	}
	return &redactingSource{src: src, secrets: keep}
}

type redactingSource struct {
	src     adapters.Source
	secrets []string
}

func (r *redactingSource) redact(err error) error { return RedactError(err, r.secrets...) }

func (r *redactingSource) Info(ctx context.Context) (adapters.Info, error) {
	info, err := r.src.Info(ctx)
	return info, r.redact(err)
}

func (r *redactingSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	end, err := r.src.Snapshot(ctx, req, emit)
	return end, r.redact(err)
}

func (r *redactingSource) Close() error { return r.redact(r.src.Close()) }

func (r *redactingSource) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	w, ok := r.src.(adapters.TimeWriter)
	if !ok {
		return nil, adapters.Errorf(adapters.CodeUnsupported, "source cannot write times")
	}
	results, err := w.PutTimes(ctx, changes)
	for i := range results {
		results[i].Err = r.redact(results[i].Err)
	}
	return results, r.redact(err)
}

func (r *redactingSource) Export(ctx context.Context, activities []adapters.Activity) ([]adapters.ExportResult, error) {
	x, ok := r.src.(adapters.Exporter)
	if !ok {
		return nil, adapters.Errorf(adapters.CodeUnsupported, "source cannot export")
	}
	results, err := x.Export(ctx, activities)
	for i := range results {
		results[i].Err = r.redact(results[i].Err)
	}
	return results, r.redact(err)
}

func (r *redactingSource) ReadAttachment(ctx context.Context, itemID, part string, limit int64) ([]byte, error) {
	a, ok := r.src.(adapters.AttachmentReader)
	if !ok {
		return nil, adapters.Errorf(adapters.CodeUnsupported, "source cannot read attachments")
	}
	data, err := a.ReadAttachment(ctx, itemID, part, limit)
	return data, r.redact(err)
}

func (r *redactingSource) Committed(ctx context.Context, cursor string) error {
	c, ok := r.src.(adapters.Committer)
	if !ok {
		return adapters.Errorf(adapters.CodeUnsupported, "source does not act on commits")
	}
	return r.redact(c.Committed(ctx, cursor))
}

var (
	_ adapters.TimeWriter       = (*redactingSource)(nil)
	_ adapters.Exporter         = (*redactingSource)(nil)
	_ adapters.AttachmentReader = (*redactingSource)(nil)
	_ adapters.Committer        = (*redactingSource)(nil)
)
