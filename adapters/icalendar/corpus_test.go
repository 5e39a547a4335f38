package icalendar

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// hostileCorpus is the committed hostile calendar corpus shared with
// test/hostile (which runs it through the files source, which does not
// expand): here every case also goes through expansion and the patcher.
const hostileCorpus = "../../testdata/hostile/ics"

func corpusFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(hostileCorpus, "*.ics"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no hostile corpus in %s: %v", hostileCorpus, err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

var decade = adapters.Window{From: utc("2020-01-01 00:00"), To: utc("2030-01-01 00:00")}

// Every case expands and patches within the hang guard, without panic.
func TestHostileCorpusExpandsAndPatches(t *testing.T) {
	for name, data := range corpusFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			done := make(chan struct{})
			go func() {
				defer close(done)
				items, err := Parse(data, ParseOptions{Expand: true, Window: decade})
				if err != nil {
					return // refused as a whole: the caller reports the file
				}
				for i, it := range items {
					if it.Key == "" || it.Unreadable != "" || i >= 5 {
						continue
					}
					r := it.Raster
					r.Start, r.End = r.Start.Add(time.Hour), r.End.Add(time.Hour)
					_, _ = PatchTimes(data, it.Key, r)
				}
			}()
			select {
			case <-done:
			case <-time.After(hangGuard):
				t.Fatalf("still running after %s", hangGuard)
			}
		})
	}
}
