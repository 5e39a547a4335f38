package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/files"
)

// BenchmarkFilesNoChangeResync is issue 13's files row: a no-change
// `gwsync sync --yes` (the real binary, adapters out of process, SQLite
// state and CRM) over a vdir of 4,000 events against one of 400, in
// alternating pairs after both were imported. It reports each side's
// median and the median ratio (target ≤ 1.3: the run costs what stat-ing
// the files costs, not reading and parsing them).
//
// The CPU figures count gwsync's own process; a plugin child that outlives
// its reaping is not in them, so "in_process" (files adapter in process,
// the CRM as by default) is the sub-benchmark whose CPU says what the
// files source costs.
//
//	go test ./cmd/gwsync -run '^$' -bench FilesNoChangeResync -benchtime 5x
func BenchmarkFilesNoChangeResync(b *testing.B) {
	for _, mode := range []string{"default", "in_process"} {
		b.Run(mode, func(b *testing.B) { benchFilesNoChange(b, mode == "in_process") })
	}
}

func benchFilesNoChange(b *testing.B, inProcess bool) {
	small, large := benchFilesSite(b, 400, inProcess), benchFilesSite(b, 4000, inProcess)
	for _, dir := range []string{small, large} {
		benchSync(b, dir) // the import
		benchSync(b, dir) // the first cursor-led run
	}
	b.ResetTimer()
	var smallT, largeT, ratios, smallCPU, largeCPU, cpuRatios []float64
	for i := 0; i < b.N; i++ {
		s, sc := benchSync(b, small)
		l, lc := benchSync(b, large)
		smallT, largeT = append(smallT, s.Seconds()), append(largeT, l.Seconds())
		smallCPU, largeCPU = append(smallCPU, sc.Seconds()), append(largeCPU, lc.Seconds())
		ratios = append(ratios, l.Seconds()/s.Seconds())
		cpuRatios = append(cpuRatios, lc.Seconds()/sc.Seconds())
	}
	b.ReportMetric(median(smallT)*1000, "ms-400")
	b.ReportMetric(median(largeT)*1000, "ms-4000")
	b.ReportMetric(median(ratios), "median-ratio")
	// CPU (user+system of gwsync and its plugin children) is what a busy
	// machine does not blur.
	b.ReportMetric(median(smallCPU)*1000, "cpu-ms-400")
	b.ReportMetric(median(largeCPU)*1000, "cpu-ms-4000")
	b.ReportMetric(median(cpuRatios), "cpu-median-ratio")
	b.ReportMetric(0, "ns/op")
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// benchFilesSite writes a config and n one-off events dated an hour back
// (outside the files source's racy margin, as files of a real vdir are).
func benchFilesSite(b *testing.B, n int, inProcess bool) string {
	dir := b.TempDir()
	base := time.Now().UTC().Truncate(time.Hour).Add(24 * time.Hour)
	var items []adapters.Item
	for i := 0; i < n; i++ {
		st := base.Add(time.Duration(i%2000) * 3 * time.Hour)
		items = append(items, adapters.Item{Kind: adapters.KindEvent, Key: fmt.Sprintf("ical:bench-%d@example.com", i),
			Subject: fmt.Sprintf("Customer visit %d", i), Body: "Agenda: pricing, renewal.",
			Raster: adapters.Raster{Start: st, End: st.Add(time.Hour)}})
	}
	if _, err := files.WriteFixture(dir, items); err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	entries, _ := os.ReadDir(filepath.Join(dir, "calendar"))
	for _, e := range entries {
		os.Chtimes(filepath.Join(dir, "calendar", e.Name()), old, old)
	}
	cfg := `state: sqlite:./state.db
crm: {plugin: crmsql, options: {dsn: "sqlite:./crm.db"}}
defaults: {window: {past: 30d, future: 3y}, time_zone: UTC}
users:
  - name: sam
    email: sam.seller@example.com
    sources:
      - {name: files, plugin: files, in_process: %t, options: {calendar_dir: ./calendar}}
`
	cfg = fmt.Sprintf(cfg, inProcess)
	if err := os.WriteFile(filepath.Join(dir, "gwsync.yaml"), []byte(cfg), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchSync runs one `gwsync sync --yes` and returns its wall time and
// its CPU time (the kernel adds the plugin children gwsync waited for).
func benchSync(b *testing.B, dir string) (wall, cpu time.Duration) {
	cmd := exec.Command(gwsyncBin, "sync", "--yes", "--config", filepath.Join(dir, "gwsync.yaml"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("gwsync sync in %s: %v\n%s", dir, err, out.String())
	}
	wall = time.Since(t0)
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}
