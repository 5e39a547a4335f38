package icalendar

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// The differential test: recurrence expansion and time-zone resolution
// compared, case by case, with the reference implementation Debian ships
// (python3-recurring-ical-events over python3-icalendar), driven by
// testdata/differential/oracle.py. Where the two disagree and RFC 5545
// sides with gwsync, the case is listed in testdata/differential/
// accepted.tsv with the section; any other difference fails the test.
//
// The oracle must run in CI: without it the test skips, or fails when
// GWSYNC_REQUIRE_SERVERS=1 (scripts/servers/oracles.sh installs it).

const (
	oraclePython = "/usr/bin/python3" // Debian's: another python3 on PATH may lack the modules
	oracleScript = "testdata/differential/oracle.py"
	acceptedFile = "testdata/differential/accepted.tsv"
)

// oracleAnswer is one line of oracle.py's output.
type oracleAnswer struct {
	ID          string      `json:"id"`
	Occurrences [][2]string `json:"occurrences"`
	Error       string      `json:"error"`
}

// acceptedDiff is one row of accepted.tsv: a case (or, with a trailing
// "*", a family of cases) where gwsync follows RFC 5545 and the reference
// does not.
type acceptedDiff struct {
	pattern, section, why string
}

func requireOracle(t *testing.T) {
	t.Helper()
	err := exec.Command(oraclePython, "-c", "import recurring_ical_events, icalendar").Run()
	if err == nil {
		return
	}
	if os.Getenv("GWSYNC_REQUIRE_SERVERS") == "1" {
		t.Fatalf("%s cannot import recurring_ical_events (%v): scripts/servers/oracles.sh install should have installed python3-recurring-ical-events", oraclePython, err)
	}
	t.Skipf("%s cannot import recurring_ical_events: apt-get install python3-recurring-ical-events, or run scripts/test.sh", oraclePython)
}

func TestDifferentialRecurrence(t *testing.T) {
	requireOracle(t)
	cases := generateDiffCases()
	if len(cases) < 300 {
		t.Fatalf("only %d generated cases, want at least 300", len(cases))
	}
	answers := runOracle(t, cases)
	accepted := readAccepted(t)
	used := map[string]bool{}
	agree, differ := 0, 0
	var disagree []string
	for _, c := range cases {
		want, ok := answers[c.id]
		if !ok {
			t.Fatalf("oracle gave no answer for %s", c.id)
		}
		got, gerr := gwsyncOccurrences(c)
		same := want.Error == "" && gerr == nil && equalLists(got, filterStarts(want.Occurrences))
		if same {
			agree++
			continue
		}
		if a := matchAccepted(accepted, c.id); a != nil {
			used[a.pattern] = true
			differ++
			continue
		}
		disagree = append(disagree, describeDiff(c, want, got, gerr))
	}
	t.Logf("differential recurrence: cases %d, agree %d, accepted differences %d (with RFC refs), disagree %d",
		len(cases), agree, differ, len(disagree))
	fmt.Printf("differential recurrence: cases %d, agree %d, accepted differences %d (with RFC refs), disagree %d\n",
		len(cases), agree, differ, len(disagree))
	for _, a := range accepted {
		if used[a.pattern] {
			fmt.Printf("  accepted %-45s RFC 5545 %s: %s\n", a.pattern, a.section, a.why)
		}
	}
	for _, a := range accepted {
		if !used[a.pattern] {
			t.Errorf("accepted.tsv: %s matches no differing case: remove it", a.pattern)
		}
	}
	for _, d := range disagree {
		t.Error(d)
	}
}

// runOracle feeds every case to oracle.py in one process.
func runOracle(t *testing.T, cases []diffCase) map[string]oracleAnswer {
	t.Helper()
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, c := range cases {
		// A wider window than the compared one: both sides are then cut
		// to occurrences starting inside diffWindow (filterStarts).
		if err := enc.Encode(map[string]string{"id": c.id, "ics": c.ics,
			"from": diffWindow.from.AddDate(0, 0, -7).Format("20060102T150405Z"),
			"to":   diffWindow.to.AddDate(0, 0, 7).Format("20060102T150405Z")}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(oraclePython, oracleScript)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", oraclePython, oracleScript, err, stderr.String())
	}
	answers := map[string]oracleAnswer{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var a oracleAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("oracle output %q: %v", sc.Text(), err)
		}
		answers[a.ID] = a
	}
	return answers
}

// gwsyncOccurrences expands a case with the shared expansion (Parse with
// Expand, as the CalDAV and files sources call it), floating times in UTC
// as the oracle reads them.
func gwsyncOccurrences(c diffCase) ([][2]string, error) {
	items, err := Parse([]byte(c.ics), ParseOptions{Location: time.UTC, Expand: true, MaxOccurrences: 5000,
		Window: adapters.Window{From: diffWindow.from.AddDate(0, 0, -7), To: diffWindow.to.AddDate(0, 0, 7)}})
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, it := range items {
		if it.Kind != adapters.KindEvent {
			continue
		}
		if it.Unreadable != "" {
			return nil, fmt.Errorf("unreadable: %s", it.Unreadable)
		}
		r := it.Raster
		end := r.End
		if end.IsZero() {
			end = r.Start
		}
		if r.AllDay {
			out = append(out, [2]string{r.Start.Format("20060102"), end.Format("20060102")})
		} else {
			out = append(out, [2]string{r.Start.UTC().Format("20060102T150405Z"), end.UTC().Format("20060102T150405Z")})
		}
	}
	return filterStarts(out), nil
}

// filterStarts keeps the occurrences starting inside diffWindow, sorted.
func filterStarts(occ [][2]string) [][2]string {
	var out [][2]string
	for _, o := range occ {
		var t time.Time
		var err error
		if len(o[0]) == 8 {
			t, err = time.Parse("20060102", o[0])
		} else {
			t, err = time.Parse("20060102T150405Z", o[0])
		}
		if err != nil || t.Before(diffWindow.from) || !t.Before(diffWindow.to) {
			continue
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

func equalLists(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// describeDiff names the case and shows the first occurrences that differ.
func describeDiff(c diffCase, want oracleAnswer, got [][2]string, gerr error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "case %s differs from the reference:", c.id)
	switch {
	case want.Error != "":
		fmt.Fprintf(&b, " oracle error %s;", want.Error)
	case gerr != nil:
		fmt.Fprintf(&b, " gwsync error %v;", gerr)
	}
	if want.Error == "" && gerr == nil {
		w := filterStarts(want.Occurrences)
		fmt.Fprintf(&b, " oracle %d occurrences, gwsync %d;", len(w), len(got))
		onlyW, onlyG := difference(w, got), difference(got, w)
		fmt.Fprintf(&b, " only oracle %v; only gwsync %v", head(onlyW, 4), head(onlyG, 4))
	}
	fmt.Fprintf(&b, "\n%s", c.ics)
	return b.String()
}

func difference(a, b [][2]string) [][2]string {
	in := map[[2]string]int{}
	for _, x := range b {
		in[x]++
	}
	var out [][2]string
	for _, x := range a {
		if in[x] > 0 {
			in[x]--
			continue
		}
		out = append(out, x)
	}
	return out
}

func head(l [][2]string, n int) [][2]string {
	if len(l) > n {
		return l[:n]
	}
	return l
}

// readAccepted reads accepted.tsv: "case-id<TAB>section<TAB>why", # comments.
func readAccepted(t *testing.T) []acceptedDiff {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(acceptedFile))
	if err != nil {
		t.Fatal(err)
	}
	var out []acceptedDiff
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || !strings.HasPrefix(f[1], "§") || strings.TrimSpace(f[2]) == "" {
			t.Fatalf("%s:%d: want case-id<TAB>§section<TAB>why, got %q", acceptedFile, i+1, line)
		}
		out = append(out, acceptedDiff{pattern: f[0], section: f[1], why: f[2]})
	}
	return out
}

func matchAccepted(accepted []acceptedDiff, id string) *acceptedDiff {
	for i, a := range accepted {
		if a.pattern == id || strings.HasSuffix(a.pattern, "*") && strings.HasPrefix(id, strings.TrimSuffix(a.pattern, "*")) {
			return &accepted[i]
		}
	}
	return nil
}
