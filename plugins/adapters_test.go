package plugins_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/conformance"
)

// The adapters below exist only in this test binary. conformance.Main
// serves them when the binary is re-executed as a plugin child.
func TestMain(m *testing.M) { conformance.Main(m) }

func init() {
	adapters.Register(adapters.Registration{
		Name:        "plugintest-codes",
		Description: "fails with the adapters.Code the request names",
		NewSource:   func(c adapters.Config) (adapters.Source, error) { return &codeSource{log: c.Logger}, nil },
	})
	adapters.Register(adapters.Registration{
		Name:        "plugintest-crash",
		Description: "panics in the middle of a snapshot",
		NewSource:   func(c adapters.Config) (adapters.Source, error) { return &crashSource{log: c.Logger}, nil },
	})
	adapters.Register(adapters.Registration{
		Name:        "plugintest-readonly",
		Description: "writes times in Go but declares it cannot; cannot export",
		NewSource:   func(c adapters.Config) (adapters.Source, error) { return &readOnlySource{}, nil },
	})
	adapters.Register(adapters.Registration{
		Name:        "plugintest-bench",
		Description: "a memory store seeded with generated items",
		NewSource:   newBenchSource,
	})
}

// codeSource fails with the code a request encodes: PutTimes per item
// (change id = code number), Export for the whole call (activity id =
// code number), Snapshot for the whole stream and Committed for the call
// (cursor = code number; Committed of "ok" succeeds).
type codeSource struct{ log hclog.Logger }

func codeFrom(s string) adapters.Code {
	n, _ := strconv.Atoi(s)
	return adapters.Code(n)
}

func (s *codeSource) Info(ctx context.Context) (adapters.Info, error) {
	s.log.Info("info requested from the codes plugin", "marker", "log-relay-check")
	fmt.Fprintln(os.Stdout, "stray stdout line from the codes plugin")
	return adapters.Info{Name: "codes", Capabilities: adapters.CapabilitiesOf(s, false)}, nil
}

func (s *codeSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	if err := emit(adapters.Item{ID: "first", Kind: adapters.KindEvent}); err != nil {
		return adapters.SnapshotEnd{}, err
	}
	return adapters.SnapshotEnd{}, adapters.Errorf(codeFrom(req.Cursor), "snapshot failed with %s", codeFrom(req.Cursor))
}

func (s *codeSource) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	out := make([]adapters.ChangeResult, len(changes))
	for i, c := range changes {
		out[i] = adapters.ChangeResult{ID: c.ID, Err: adapters.Errorf(codeFrom(c.ID), "change %s failed", c.ID)}
	}
	return out, nil
}

func (s *codeSource) Export(ctx context.Context, acts []adapters.Activity) ([]adapters.ExportResult, error) {
	return nil, adapters.Errorf(codeFrom(acts[0].ID), "export failed with %s", codeFrom(acts[0].ID))
}

// ReadAttachment fails with the code the item id names; the part "ok"
// answers with content, so bytes are seen to cross the wire.
func (s *codeSource) ReadAttachment(ctx context.Context, itemID, part string, limit int64) ([]byte, error) {
	if part == "ok" {
		return []byte("%PDF-1.4\x00\xff" + itemID), nil
	}
	return nil, adapters.Errorf(codeFrom(itemID), "read failed with %s", codeFrom(itemID))
}

func (s *codeSource) Committed(ctx context.Context, cursor string) error {
	if cursor == "ok" {
		return nil
	}
	return adapters.Errorf(codeFrom(cursor), "committed %s failed with %s", cursor, codeFrom(cursor))
}

func (s *codeSource) Close() error { return nil }

// crashSource emits three items, logs, and panics: the plugin process dies
// mid-stream, as a parser bug on a malformed file would make it.
type crashSource struct{ log hclog.Logger }

func (s *crashSource) Info(ctx context.Context) (adapters.Info, error) {
	return adapters.Info{Name: "crash"}, nil
}

func (s *crashSource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	for i := 0; i < 3; i++ {
		if err := emit(adapters.Item{ID: fmt.Sprintf("item-%d", i), Kind: adapters.KindEvent}); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	s.log.Error("about to read the broken file", "file", "broken.ics")
	time.Sleep(50 * time.Millisecond) // let the batch leave before dying
	panic("boom: parser exploded mid-snapshot")
}

func (s *crashSource) Close() error { return nil }

// readOnlySource implements TimeWriter, AttachmentReader and Committer but
// declares none of them (a read-only instance that stores no attachments
// and acts on nothing), and does not implement Exporter.
type readOnlySource struct{}

func (s *readOnlySource) Info(ctx context.Context) (adapters.Info, error) {
	return adapters.Info{Name: "readonly", Capabilities: adapters.Capabilities{}}, nil
}

func (s *readOnlySource) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	return adapters.SnapshotEnd{Complete: true}, nil
}

func (s *readOnlySource) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	out := make([]adapters.ChangeResult, len(changes))
	for i, c := range changes {
		out[i] = adapters.ChangeResult{ID: c.ID, Version: "written"}
	}
	return out, nil
}

func (s *readOnlySource) ReadAttachment(ctx context.Context, itemID, part string, limit int64) ([]byte, error) {
	return []byte("content"), nil
}

func (s *readOnlySource) Committed(ctx context.Context, cursor string) error { return nil }

func (s *readOnlySource) Close() error { return nil }

// benchOptions sizes the generated store.
type benchOptions struct {
	Items int `json:"items"`
}

func newBenchSource(c adapters.Config) (adapters.Source, error) {
	var o benchOptions
	if err := adapters.DecodeOptions(c.Options, &o); err != nil {
		return nil, err
	}
	s := memory.NewStore()
	for i := 0; i < o.Items; i++ {
		s.PutItem(realisticItem(i))
	}
	return s, nil
}

// realisticItem makes item i of a mailbox-and-calendar mix: 60 % messages,
// 30 % events (some with attendees), 10 % tasks, with subjects, addresses
// and bodies of a few hundred bytes.
func realisticItem(i int) adapters.Item {
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 17 * time.Minute)
	body := strings.Repeat(fmt.Sprintf("Line %d of the conversation about order %d. ", i%7, i), 4+i%6)
	it := adapters.Item{
		ID:       fmt.Sprintf("INBOX/%08d", i),
		Version:  strconv.Itoa(i),
		Subject:  fmt.Sprintf("Re: Order %d - delivery schedule for week %d", i, i%52+1),
		Body:     body,
		From:     fmt.Sprintf("sender%d@supplier%d.example.com", i%100, i%13),
		To:       []string{"alice@example.com", fmt.Sprintf("team%d@example.com", i%5)},
		Modified: base.Add(time.Hour),
	}
	switch i % 10 {
	case 0, 1, 2:
		it.Kind, it.Key = adapters.KindEvent, fmt.Sprintf("ical:event-%d@calendar.example.com", i)
		it.Raster = adapters.Raster{Start: base, End: base.Add(45 * time.Minute), TimeZone: "Europe/Berlin"}
		it.Busy, it.Location = adapters.BusyBusy, fmt.Sprintf("Room %d", i%20)
		if i%2 == 0 {
			it.Attendees = []string{"bob@example.com", "carol@example.com", fmt.Sprintf("guest%d@example.org", i%50)}
		}
	case 3:
		it.Kind, it.Key = adapters.KindTask, fmt.Sprintf("ical:task-%d@calendar.example.com", i)
		it.Raster = adapters.Raster{Due: base.Add(72 * time.Hour)}
	default:
		it.Kind, it.Key = adapters.KindMessage, fmt.Sprintf("mid:<%d.%d@mail.example.com>", i, i*7919)
		it.Date = base
	}
	return it
}

var (
	_ adapters.TimeWriter = (*codeSource)(nil)
	_ adapters.Exporter   = (*codeSource)(nil)
	_ adapters.TimeWriter = (*readOnlySource)(nil)

	_ adapters.AttachmentReader = (*codeSource)(nil)
	_ adapters.AttachmentReader = (*readOnlySource)(nil)
	_ adapters.Committer        = (*codeSource)(nil)
	_ adapters.Committer        = (*readOnlySource)(nil)
)
