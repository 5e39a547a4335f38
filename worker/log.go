package worker

import (
	"context"
	"io"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// hclogHandler sends River's slog records to the process's hclog logger,
// so that River's lines have the format and level of every other line.
type hclogHandler struct {
	log   hclog.Logger
	attrs []any
}

func riverLogger(l hclog.Logger) *slog.Logger {
	return slog.New(&hclogHandler{log: l})
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (h *hclogHandler) Enabled(_ context.Context, lv slog.Level) bool {
	return h.log.GetLevel() <= hclogLevel(lv)
}

func (h *hclogHandler) Handle(_ context.Context, r slog.Record) error {
	args := append([]any(nil), h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		args = append(args, a.Key, a.Value.Resolve().Any())
		return true
	})
	h.log.Log(hclogLevel(r.Level), r.Message, args...)
	return nil
}

func (h *hclogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := &hclogHandler{log: h.log, attrs: append([]any(nil), h.attrs...)}
	for _, a := range as {
		n.attrs = append(n.attrs, a.Key, a.Value.Resolve().Any())
	}
	return n
}

func (h *hclogHandler) WithGroup(name string) slog.Handler {
	return &hclogHandler{log: h.log.Named(name), attrs: h.attrs}
}

func hclogLevel(lv slog.Level) hclog.Level {
	switch {
	case lv >= slog.LevelError:
		return hclog.Error
	case lv >= slog.LevelWarn:
		return hclog.Warn
	case lv >= slog.LevelInfo:
		return hclog.Info
	}
	return hclog.Debug
}

var _ slog.Handler = (*hclogHandler)(nil)
