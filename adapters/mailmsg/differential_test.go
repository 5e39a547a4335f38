package mailmsg

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/internal/testenv"
)

// TestDifferentialAgainstPythonEmail reads every message of CPython's own
// email tests (Debian's libpython3-testsuite), gwsync's tricky and hostile
// corpora, and compares what gwsync makes of each with what Python's email
// package does (testdata/differential/oracle.py): the decoded subject, the
// body get_body(("plain", "html")) chooses, and the attachments' file
// names. A difference is a bug unless testdata/differential/accepted.txt
// lists it with the reason gwsync is right.
func TestDifferentialAgainstPythonEmail(t *testing.T) {
	python := testenv.Var(t, "PYTHON_EMAIL_PYTHON")
	cpython := testenv.Var(t, "PYTHON_EMAIL_DATA")

	var files []string
	for _, pattern := range []string{
		filepath.Join(cpython, "msg_*.txt"),
		"testdata/differential/tricky/*.eml",
		"../../testdata/hostile/eml/*.eml",
		"../../testdata/malformed/mail/*.eml",
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Fatalf("no messages match %s", pattern)
		}
		files = append(files, m...)
	}
	want := runOracle(t, python, files)
	accepted := readAccepted(t, "testdata/differential/accepted.txt")

	var agree, acceptedDiffs int
	var disagree []string
	used := map[string]bool{}
	for _, file := range files {
		ref := want[file]
		got := describe(file)
		diffs := compare(ref, got)
		if len(diffs) == 0 {
			agree++
			continue
		}
		id := caseID(file, cpython)
		var open []string
		for _, d := range diffs {
			key := id + " " + d.field
			if _, ok := accepted[key]; ok {
				used[key] = true
				continue
			}
			open = append(open, fmt.Sprintf("%s: %s: gwsync %q, python %q", id, d.field, d.got, d.want))
		}
		if len(open) == 0 {
			acceptedDiffs++
		}
		disagree = append(disagree, open...)
	}
	for key := range accepted {
		if !used[key] {
			t.Errorf("accepted.txt: %q no longer differs: remove it", key)
		}
	}
	t.Logf("MIME differential: cases %d, agree %d, accepted differences %d (testdata/differential/accepted.txt), disagree %d",
		len(files), agree, acceptedDiffs, len(disagree))
	for _, d := range disagree {
		t.Error(d)
	}
}

// reference is one line of oracle.py's output.
type reference struct {
	File        string   `json:"file"`
	Subject     string   `json:"subject"`
	BodyType    string   `json:"body_type"`
	Body        string   `json:"body"`
	Attachments []string `json:"attachments"`
	Error       string   `json:"error"`
}

func runOracle(t *testing.T, python string, files []string) map[string]reference {
	t.Helper()
	cmd := exec.Command(python, append([]string{"testdata/differential/oracle.py"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle.py: %v\n%s", err, stderr.String())
	}
	refs := map[string]reference{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r reference
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("oracle.py output: %v: %.200s", err, sc.Text())
		}
		refs[r.File] = r
	}
	if len(refs) != len(files) {
		t.Fatalf("oracle.py described %d of %d messages", len(refs), len(files))
	}
	return refs
}

// describe is gwsync's side, in the oracle's terms.
func describe(file string) reference {
	r := reference{File: file}
	f, err := os.Open(file)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer f.Close()
	it, err := Parse(f)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Subject, r.Body = it.Subject, it.Body
	for _, a := range it.Attachments {
		if a.Name != "" && a.Name != attachedMessageName {
			r.Attachments = append(r.Attachments, a.Name)
		}
	}
	return r
}

type difference struct{ field, got, want string }

// compare lists where gwsync (got) and Python (want) differ. Bodies are
// compared as text a person reads: line ends and surrounding space
// normalized, an HTML body through gwsync's own HTMLToText on both sides.
func compare(want, got reference) []difference {
	if want.Error != "" || got.Error != "" {
		if (want.Error == "") != (got.Error == "") {
			return []difference{{"error", got.Error, want.Error}}
		}
		return nil
	}
	var out []difference
	if norm(got.Subject) != norm(want.Subject) {
		out = append(out, difference{"subject", got.Subject, want.Subject})
	}
	body := want.Body
	if want.BodyType == "html" {
		body = HTMLToText(body)
	}
	if normBody(got.Body) != normBody(body) {
		out = append(out, difference{"body", clipDiff(got.Body), clipDiff(body)})
	}
	g, w := slices.Clone(got.Attachments), slices.Clone(want.Attachments)
	sort.Strings(g)
	sort.Strings(w)
	if !slices.Equal(g, w) {
		out = append(out, difference{"attachments", strings.Join(g, " | "), strings.Join(w, " | ")})
	}
	return out
}

func norm(s string) string { return strings.TrimSpace(s) }

// normBody compares text, not layout: line ends, trailing spaces, runs of
// blank lines and control characters (which gwsync removes, and says so)
// do not count.
func normBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s, _ = withoutControls(s, "\t\n")
	var b strings.Builder
	blank := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			b.WriteString(strings.Repeat("\n", min(blank, 1)+1))
		}
		blank = 0
		b.WriteString(line)
	}
	return strings.ToValidUTF8(strings.TrimSpace(b.String()), "\uFFFD")
}

func clipDiff(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

// caseID names a case by its corpus and file name.
func caseID(file, cpython string) string {
	if strings.HasPrefix(file, cpython) {
		return "cpython/" + filepath.Base(file)
	}
	return filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
}

// readAccepted reads "CASE FIELD: reason" lines ("#" starts a comment).
func readAccepted(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(reason) == "" || len(strings.Fields(key)) != 2 {
			t.Fatalf("%s:%d: want \"CASE FIELD: reason\", got %q", path, n+1, line)
		}
		out[strings.Join(strings.Fields(key), " ")] = strings.TrimSpace(reason)
	}
	return out
}
