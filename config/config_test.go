package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestExamplesLoad(t *testing.T) {
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"quickstart.yaml", "full.yaml"} {
		t.Run(name, func(t *testing.T) {
			c, err := Load(filepath.Join("..", "examples", name))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if want := filepath.Join(repo, "examples"); c.Dir != want {
				t.Errorf("Dir = %q, want %q", c.Dir, want)
			}
			if !strings.HasPrefix(c.State, "sqlite:"+filepath.Join(repo, "gwsync-data")) {
				t.Errorf("State = %q, want a sqlite file in %s", c.State, filepath.Join(repo, "gwsync-data"))
			}
			alice, err := c.User(c.Users[0].Name)
			if err != nil {
				t.Fatal(err)
			}
			src, ok := alice.Source(alice.ExportTo)
			if !ok || src.Plugin != "files" {
				t.Fatalf("export_to %q does not name the files source: %+v", alice.ExportTo, alice.Sources)
			}
			wantDir := filepath.Join(repo, "testdata", "quickstart", "calendar")
			if !strings.Contains(string(src.Options), `"calendar_dir":"`+filepath.ToSlash(wantDir)+`"`) {
				t.Errorf("options %s: calendar_dir not resolved to %s", src.Options, wantDir)
			}
		})
	}
}

func TestQuickstartValues(t *testing.T) {
	c, err := Load(filepath.Join("..", "examples", "quickstart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	u := c.Users[0]
	if u.Window.Past != 10*year || u.Window.Future != 10*year {
		t.Errorf("window = %+v, want 10y both ways (the sample data has fixed dates)", u.Window)
	}
	if u.TimeZone != "Europe/Berlin" || u.Conflict != "newest-wins" || len(u.Areas) != 4 {
		t.Errorf("user did not inherit defaults: %+v", u)
	}
	if c.CRM.Name != "crm" || c.CRM.Plugin != "crmsql" || !c.CRM.InProcess {
		t.Errorf("crm = %+v, want crmsql in process (its default)", c.CRM)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

// TestLoadResolvesAgainstFileDir loads a config by a relative path from
// another directory: its relative paths must follow the file, not the
// working directory.
func TestLoadResolvesAgainstFileDir(t *testing.T) {
	tmp := t.TempDir()
	if err := os.MkdirAll(filepath.Join(tmp, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := "state: sqlite:data/state.db\nplugin_dir: bin\ncrm: {plugin: crmsql, options: {dsn: 'sqlite://crm.db'}}\n" +
		"users: [{name: a, sources: [{name: s, plugin: files, options: {mail_dir: mail}}]}]\n"
	if err := os.WriteFile(filepath.Join(tmp, "etc", "gw.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(tmp)
	c, err := Load(filepath.Join("etc", "gw.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	etc := filepath.Join(tmp, "etc")
	if c.File != filepath.Join("etc", "gw.yaml") || c.Dir != etc {
		t.Errorf("File, Dir = %q, %q", c.File, c.Dir)
	}
	if c.State != "sqlite:"+filepath.Join(etc, "data", "state.db") {
		t.Errorf("State = %q", c.State)
	}
	if c.PluginDir != filepath.Join(etc, "bin") {
		t.Errorf("PluginDir = %q", c.PluginDir)
	}
	if want := `{"dsn":"sqlite:` + filepath.ToSlash(filepath.Join(etc, "crm.db")) + `"}`; string(c.CRM.Options) != want {
		t.Errorf("crm options = %s, want %s", c.CRM.Options, want)
	}
}

func TestParseReadsEnvironment(t *testing.T) {
	t.Setenv("GWSYNC_CONFIG_TEST_PW", `pa"ss`)
	c, err := Parse("gw.yaml", []byte(`crm: {plugin: memory, options: {password: "${env:GWSYNC_CONFIG_TEST_PW}"}}
users: [{name: a, sources: [{name: s, plugin: memory}]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(c.CRM.Options), `{"password":"pa\"ss"}`; got != want {
		t.Errorf("options = %s, want %s", got, want)
	}
}

func TestErrorsListEveryProblemSorted(t *testing.T) {
	_, err := parse("gw.yaml", "/d", []byte(`users:
  - name: a
    sources: [{name: s}]
crm: {plugn: x}
defaults: {conflict: nope}
`), lookupGoldenEnv)
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %T %v, want *Errors", err, err)
	}
	var lines []int
	for _, e := range errs.List {
		if e.File != "gw.yaml" || e.Path == "" || e.Msg == "" {
			t.Errorf("incomplete error %+v", e)
		}
		lines = append(lines, e.Line)
	}
	if want := []int{3, 4, 4, 5}; !equalInts(lines, want) {
		t.Errorf("lines = %v, want %v\n%v", lines, want, err)
	}
	var one *Error
	if !errors.As(err, &one) || one.Line != 3 {
		t.Errorf("errors.As(*Error) = %+v, want the first problem", one)
	}
}

func equalInts(a, b []int) bool {
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

func TestUserAndPluginAccessors(t *testing.T) {
	c, err := parse("gw.yaml", "/d", []byte(`crm: {plugin: memory}
users:
  - name: bob
    sources:
      - name: s
        plugin: files
        options:
          mail_dir: m
          calendar_dir: c
  - name: alice
    sources: [{name: s, plugin: memory}]
`), lookupGoldenEnv)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := c.User("alice"); err != nil || u.Name != "alice" || u.Line != 10 {
		t.Errorf("User(alice) = %+v, %v", u, err)
	}
	_, err = c.User("carol")
	if err == nil || !strings.Contains(err.Error(), "alice, bob") {
		t.Errorf("User(carol) error = %v, want the configured names", err)
	}
	p := c.Users[0].Sources[0]
	if p.Line != 5 || p.OptionLine("calendar_dir") != 9 || p.OptionLine("missing") != 5 {
		t.Errorf("Line %d, OptionLine(calendar_dir) %d, OptionLine(missing) %d", p.Line, p.OptionLine("calendar_dir"), p.OptionLine("missing"))
	}
	if p.String() != "s (files)" {
		t.Errorf("String() = %q", p.String())
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "30d": 30 * day, "2w": 14 * day, "1y": 365 * day, "12h": 12 * time.Hour,
		"90m": 90 * time.Minute, "1h30m": 90 * time.Minute, "1y6w": 365*day + 42*day,
		"1.5d": 36 * time.Hour, "250ms": 250 * time.Millisecond, " 7d ": 7 * day,
	} {
		got, err := parseDuration(in)
		if err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "30", "d", "-1d", "1x", "1d-2h", "1..5d", "300y", "1e3d"} {
		if got, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestWindowJSONRoundTrip(t *testing.T) {
	w := Window{Past: 45 * day, Future: 90 * time.Minute}
	b, err := w.MarshalJSON()
	if err != nil || string(b) != `{"past":"45d","future":"1h30m0s"}` {
		t.Fatalf("MarshalJSON = %s, %v", b, err)
	}
	var back Window
	if err := back.UnmarshalJSON(b); err != nil || back != w {
		t.Errorf("UnmarshalJSON = %+v, %v; want %+v", back, err, w)
	}
	if err := back.UnmarshalJSON([]byte(`{"past":"soon","future":"1d"}`)); err == nil {
		t.Error("UnmarshalJSON accepted a bad duration")
	}
}

func TestExpandEnv(t *testing.T) {
	env := func(n string) (string, bool) {
		v, ok := map[string]string{"A": "x", "E": "", "D": "$${env:A}"}[n]
		return v, ok
	}
	for in, want := range map[string]string{
		"plain $A ${A}":         "plain $A ${A}",
		"${env:A}${env:A}":      "xx",
		"[${env:E}]":            "[]",
		"$${env:A}":             "${env:A}",
		"$$${env:A}":            "$${env:A}",
		"${env:D}":              "$${env:A}", // values are not expanded again
		"a ${env:A} $${env:B}.": "a x ${env:B}.",
	} {
		if got, err := expandEnv(in, env); err != nil || got != want {
			t.Errorf("expandEnv(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"${env:B}", "${env:A", "${env:}", "${env:A-B}"} {
		if got, err := expandEnv(in, env); err == nil {
			t.Errorf("expandEnv(%q) = %q, want an error", in, got)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"name", "email", "areas", "export_to", "in_process"}
	for in, want := range map[string]string{
		"areaz": "areas", "naem": "name", "Email": "email", "exportto": "export_to",
		"inprocess": "in_process", "colour": "", "x": "",
	} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAliasExpansionIsBounded feeds a "billion laughs" document: it must
// fail quickly with a message, not exhaust memory.
func TestAliasExpansionIsBounded(t *testing.T) {
	doc := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		doc += n + ": &" + n + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = n
	}
	doc = "x-bomb:\n" + indent(doc) + "crm: {plugin: memory, options: {bomb: *i}}\nusers: [{name: u, sources: [{name: s, plugin: memory}]}]\n"
	// Memory, not wall time, is what the bound protects (about 8 MiB
	// today), and unlike a timer it does not depend on how busy the
	// machine is.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := parse("bomb.yaml", "/d", []byte(doc), lookupGoldenEnv)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "too deeply") {
		t.Fatalf("err = %v, want the expansion bound", err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 64<<20 {
		t.Errorf("refusing the document allocated %d MiB, want at most 64", allocated>>20)
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}

// FuzzParse checks that no input makes Parse panic and that every failure
// is an *Errors with at least one entry.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "config", "*.txt"))
	for _, path := range files {
		if b, err := os.ReadFile(path); err == nil {
			input, _, _ := strings.Cut(string(b), goldenSeparator)
			f.Add(input)
		}
	}
	f.Fuzz(func(t *testing.T, input string) {
		_, err := parse("fuzz.yaml", "/d", []byte(input), lookupGoldenEnv)
		if err == nil {
			return
		}
		var errs *Errors
		if !errors.As(err, &errs) || len(errs.List) == 0 {
			t.Fatalf("err = %T %v, want a non-empty *Errors", err, err)
		}
	})
}

// TestMergeExpansionIsBounded is the billion-laughs attack through merge
// keys, which are expanded outside options.
func TestMergeExpansionIsBounded(t *testing.T) {
	doc := "x-a: &a {k: v}\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		doc += "x-" + n + ": &" + n + "\n  <<: [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = n
	}
	doc += "crm: {plugin: memory}\nusers:\n  - <<: *j\n    name: u\n    sources: [{name: s, plugin: memory}]\n"
	// Memory, not wall time, is what the bound protects (about 8 MiB
	// today), and unlike a timer it does not depend on how busy the
	// machine is.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := parse("bomb.yaml", "/d", []byte(doc), lookupGoldenEnv)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "too deeply") {
		t.Fatalf("err = %v, want the expansion bound", err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 64<<20 {
		t.Errorf("refusing the document allocated %d MiB, want at most 64", allocated>>20)
	}
}

// The built-in CRM runs in process unless its entry says otherwise; other
// built-ins, sources, and a pinned external plugin of the same name do not.
func TestCRMSQLRunsInProcessByDefault(t *testing.T) {
	pin := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		crm  string
		want bool
	}{
		{`{plugin: crmsql}`, true},
		{`{plugin: crmsql, in_process: false}`, false},
		{`{plugin: crmsql, sha256: ` + pin + `}`, false},
		{`{plugin: memory}`, false},
	} {
		c, err := Parse("gw.yaml", []byte("crm: "+tc.crm+"\nusers: [{name: a, sources: [{name: s, plugin: crmsql}]}]\n"))
		if err != nil {
			t.Fatalf("%s: %v", tc.crm, err)
		}
		if c.CRM.InProcess != tc.want {
			t.Errorf("crm %s: in_process %v, want %v", tc.crm, c.CRM.InProcess, tc.want)
		}
		if c.Users[0].Sources[0].InProcess {
			t.Errorf("crm %s: a source named crmsql runs in process", tc.crm)
		}
	}
}
