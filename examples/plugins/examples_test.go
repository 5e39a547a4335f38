// Package examples runs the example plugins the way a user does: the
// example configs through `gwsync config check`, and a real `gwsync sync`
// from the quickstart's files into each example CRM.
package examples

import (
	"database/sql"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/gwsync/gwsync/examples/plugins/restcrm/refserver"
	"github.com/gwsync/gwsync/internal/testenv"
)

// gwsyncBin and restcrmBin are built once for the package's tests.
var gwsyncBin, restcrmBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gwsync-examples-")
	if err != nil {
		panic(err)
	}
	gwsyncBin = filepath.Join(dir, "gwsync")
	if out, err := exec.Command("go", "build", "-o", gwsyncBin, "../../cmd/gwsync").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building gwsync: %v\n%s", err, out)
		os.Exit(1)
	}
	restcrmBin = filepath.Join(dir, "gwsync-plugin-restcrm")
	if out, err := exec.Command("go", "build", "-o", restcrmBin, "./restcrm").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the restcrm plugin: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gwsync runs the binary and returns its combined output; a non-zero exit
// fails the test.
func gwsync(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(gwsyncBin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gwsync %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// quickstart copies testdata/quickstart into dir (the files source writes
// to its folders) and returns it.
func quickstart(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-R", "../../testdata/quickstart/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy quickstart: %v\n%s", err, out)
	}
	return dir
}

// wantQuickstart is what a sync of the quickstart creates: every e-mail,
// event and task once, by type and subject.
var wantQuickstart = []string{
	"APPOINTMENT Available: prepare quotes for Q1",
	"APPOINTMENT Customer visit Northwind Traders",
	"APPOINTMENT Product demo for Contoso (to be confirmed)",
	"APPOINTMENT Quote review Litware",
	"APPOINTMENT Trade fair Hannover (booth B12)",
	"MAILIN Follow-up on the support contract",
	"MAILIN Purchase order 2027-0042",
	"MAILIN Re: Product demo on 19 January",
	"MAILIN Request for quote: 12 Enterprise seats",
	"MAILIN Vertragsverlängerung und Preisübersicht",
	"MEETING Pricing negotiation with Fabrikam",
	"TASK Prepare the demo environment for Contoso",
	"TASK Send the revised quote to Contoso",
}

func TestExampleConfigsCheck(t *testing.T) {
	t.Run("python-sink", func(t *testing.T) {
		out := gwsync(t, nil, "config", "check", "--config", "python-sink/gwsync.yaml")
		if !strings.Contains(out, "OK (1 users, 1 sources, CRM crm (pycrm))") {
			t.Errorf("config check said:\n%s", out)
		}
	})
	t.Run("restcrm", func(t *testing.T) {
		// The config names bin/ next to it: check a copy next to a build.
		dir := t.TempDir()
		copyFile(t, "restcrm/gwsync.yaml", filepath.Join(dir, "gwsync.yaml"))
		cmd := exec.Command(gwsyncBin, "config", "check", "--config", filepath.Join(dir, "gwsync.yaml"))
		cmd.Env = append(os.Environ(), "RESTCRM_TOKEN=t")
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "gwsync-plugin-restcrm") {
			t.Errorf("config check without the plugin built: %v\n%s\nwant a failure naming gwsync-plugin-restcrm", err, out)
		}
		installRestCRM(t, filepath.Join(dir, "bin"))
		out := gwsync(t, []string{"RESTCRM_TOKEN=t"}, "config", "check", "--config", filepath.Join(dir, "gwsync.yaml"))
		if !strings.Contains(out, "OK (1 users, 1 sources, CRM crm (restcrm))") {
			t.Errorf("config check said:\n%s", out)
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// installRestCRM puts the restcrm plugin into dir, as a user's build would.
func installRestCRM(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(restcrmBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gwsync-plugin-restcrm"), b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestSyncIntoPythonSink: `gwsync sync` from a config whose CRM is the
// Python plugin, found in plugin_dir like any external plugin. The CRM
// then holds the quickstart's activities; a second run finds nothing to
// do (the sink's listing matches what it stored); a time moved in the CRM
// goes back to the calendar file.
func TestSyncIntoPythonSink(t *testing.T) {
	testenv.Var(t, "PYTHON_GRPC")
	pluginDir, err := filepath.Abs("python-sink")
	if err != nil {
		t.Fatal(err)
	}
	dir := quickstart(t)
	config := filepath.Join(dir, "gwsync.yaml")
	writeConfig(t, config, "plugin_dir: "+pluginDir+"\ncrm: {plugin: pycrm, options: {database_file: ./crm.db}}\n")

	out := gwsync(t, nil, "sync", "--config", config, "--yes")
	if !strings.Contains(out, "13 created") {
		t.Fatalf("first sync:\n%s", out)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []string
	rows, err := db.Query(`SELECT a.type || ' ' || a.subject FROM activities a
		JOIN activity_owners o ON o.activity_id = a.id WHERE o.owner = 'sam' AND a.key <> '' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	rows.Close()
	if !slices.Equal(got, wantQuickstart) {
		t.Errorf("the Python CRM holds\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantQuickstart, "\n"))
	}

	if out := gwsync(t, nil, "sync", "--config", config, "--yes"); !strings.Contains(out, "nothing to apply") {
		t.Errorf("second sync:\n%s", out)
	}

	// A CRM user moves the Northwind visit by a day (as the CRM would:
	// new times, new version).
	res, err := db.Exec(`UPDATE activities SET start_s = start_s + 86400, end_s = end_s + 86400, version = version + 1
		WHERE subject = 'Customer visit Northwind Traders'`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("moved %d activities, want 1", n)
	}
	if out := gwsync(t, nil, "sync", "--config", config, "--yes"); !strings.Contains(out, "1 times → groupware") {
		t.Errorf("sync after a move in the CRM:\n%s", out)
	}
	ics, err := os.ReadFile(filepath.Join(dir, "calendar", "customer-visit-northwind.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ics), "20270115T") {
		t.Errorf("the calendar file was not moved to 15 January:\n%s", ics)
	}
}

// TestSyncIntoRestCRM: the same through the Go plugin built on its own
// and the reference REST CRM, from the example config with the CRM's URL
// put in.
func TestSyncIntoRestCRM(t *testing.T) {
	srv := httptest.NewServer(refserver.New("demo-token"))
	defer srv.Close()
	dir := quickstart(t)
	installRestCRM(t, filepath.Join(dir, "bin"))
	example, err := os.ReadFile("restcrm/gwsync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(example), "http://127.0.0.1:8089", srv.URL, 1)
	cfg = strings.ReplaceAll(cfg, "../../../testdata/quickstart/", "./")
	cfg = strings.ReplaceAll(cfg, "../../../gwsync-data/", "./")
	if cfg == string(example) {
		t.Fatal("the example config no longer names the reference CRM's address")
	}
	config := filepath.Join(dir, "gwsync.yaml")
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"RESTCRM_TOKEN=demo-token"}
	if out := gwsync(t, env, "sync", "--config", config, "--yes"); !strings.Contains(out, "13 created") {
		t.Fatalf("first sync:\n%s", out)
	}
	if out := gwsync(t, env, "sync", "--config", config, "--yes"); !strings.Contains(out, "nothing to apply") {
		t.Errorf("second sync:\n%s", out)
	}
}

// writeConfig writes a config syncing the quickstart copy next to it for
// the user sam into the CRM that crmYAML describes.
func writeConfig(t *testing.T, path, crmYAML string) {
	t.Helper()
	cfg := "state: sqlite:./state.db\n" + crmYAML +
		"defaults: {window: {past: 10y, future: 10y}, conflict: newest-wins, time_zone: Europe/Berlin}\n" +
		"users:\n  - name: sam\n    email: sam.seller@example.com\n    export_to: files\n" +
		"    sources:\n      - {name: files, plugin: files, options: {calendar_dir: ./calendar, mail_dir: ./mail}}\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPluginTest: both examples pass `gwsync plugin test`, the check a
// third party runs on their plugin, each against an empty CRM (the suite
// creates its fixture through the sink).
func TestPluginTest(t *testing.T) {
	check := func(t *testing.T, plugin, optionsYAML string, env []string) {
		t.Helper()
		opts := filepath.Join(t.TempDir(), "options.yaml")
		if err := os.WriteFile(opts, []byte(optionsYAML), 0o644); err != nil {
			t.Fatal(err)
		}
		out := gwsync(t, env, "plugin", "test", plugin, "--kind", "sink", "--config", opts)
		for _, check := range []string{"pooled/seed-fixture", "pooled/lists-crm-activities", "pooled/second-instance",
			"process/seed-fixture", "process/upsert-same-key", "process/update-times", "process/followup-refused"} {
			if !strings.Contains(out, "PASS  "+check+"\n") {
				t.Errorf("no PASS for %s in the report:\n%s", check, out)
			}
		}
		// Neither example keeps a change cursor: ListChanges is optional.
		if !strings.Contains(out, "SKIP  process/list-changes\n") || !strings.Contains(out, " 0 failed, 1 skipped") {
			t.Errorf("report:\n%s", out)
		}
	}
	t.Run("restcrm", func(t *testing.T) {
		srv := httptest.NewServer(refserver.New("demo-token"))
		defer srv.Close()
		check(t, restcrmBin, "base_url: "+srv.URL+"\ntoken: ${env:RESTCRM_TOKEN}\n", []string{"RESTCRM_TOKEN=demo-token"})
	})
	t.Run("python-sink", func(t *testing.T) {
		testenv.Var(t, "PYTHON_GRPC")
		check(t, "python-sink/gwsync-plugin-pycrm", "database_file: "+filepath.Join(t.TempDir(), "crm.db")+"\n", nil)
	})
}
