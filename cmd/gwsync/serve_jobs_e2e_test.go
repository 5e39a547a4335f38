//go:build unix

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/gwsync/gwsync/internal/secretbox"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// `gwsync serve` on PostgreSQL: the wizard's Execute becomes a manual
// sync_user job, which the worker inside serve runs, and the run page
// shows its summary.
func TestServeOnPostgresRunsTheWizardAsAJob(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	dir := t.TempDir()
	copyDir(t, filepath.Join("..", "..", "examples"), filepath.Join(dir, "examples"))
	copyDir(t, filepath.Join("..", "..", "testdata", "quickstart"), filepath.Join(dir, "testdata", "quickstart"))
	config := filepath.Join(dir, "examples", "postgres.yaml")
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := secretbox.GenerateKeyFile(filepath.Join(dir, "examples", "web.key")); err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(mustRead(t, config), "    email: sam.seller@example.com\n",
		"    email: sam.seller@example.com\n    password_hash: \""+string(hash)+"\"\n", 1)
	yaml += "serve: {address: \"127.0.0.1:0\", secret_key_file: web.key}\n"
	if err := os.WriteFile(config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gwsyncBin, "serve", "--config", config, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "GWSYNC_STATE_DSN="+dsn)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewReader(stderr)
		re := regexp.MustCompile(`listening on (http://[^/]+)/`)
		for {
			l, err := lines.ReadString('\n')
			if m := re.FindStringSubmatch(l); m != nil {
				addr <- m[1]
			} else if l != "" {
				t.Log(strings.TrimSpace(l))
			}
			if err != nil {
				return
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case <-time.After(time.Minute):
		t.Fatal("serve did not start")
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (int, string, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			resp, err = client.PostForm(base+path, form)
		} else {
			resp, err = client.Get(base + path)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	csrfRE := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	csrf := func(path string) string {
		t.Helper()
		_, _, body := do(http.MethodGet, path, nil)
		m := csrfRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no CSRF token on %s:\n%s", path, body)
		}
		return m[1]
	}
	if code, _, _ := do(http.MethodPost, "/login", url.Values{"csrf": {csrf("/login")}, "user": {"sam"}, "password": {"correct horse"}}); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	token := csrf("/status")
	// Planning runs in the background: follow its page (when it outlasts
	// the web's patience) until the e-mails step comes next.
	code, loc, body := do(http.MethodPost, "/sync/areas", url.Values{"csrf": {token}, "area": {"emails"}})
	for deadline := time.Now().Add(time.Minute); code == http.StatusOK || (code == http.StatusSeeOther && loc == "/sync/planning"); {
		if time.Now().After(deadline) {
			t.Fatal("planning did not end within a minute")
		}
		time.Sleep(100 * time.Millisecond)
		code, loc, body = do(http.MethodGet, "/sync/planning", nil)
	}
	if code != http.StatusSeeOther || loc != "/sync/emails" {
		t.Fatalf("areas: %d %q\n%s", code, loc, body)
	}
	_, _, page := do(http.MethodGet, "/sync/emails", nil)
	var sel []string
	for _, m := range regexp.MustCompile(`name="sel" value="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		sel = append(sel, m[1])
	}
	if len(sel) == 0 {
		t.Fatalf("no e-mails to import:\n%s", page)
	}
	if code, _, _ := do(http.MethodPost, "/sync/emails", url.Values{"csrf": {token}, "sel": sel}); code != http.StatusSeeOther {
		t.Fatalf("selection: %d", code)
	}
	if code, loc, body := do(http.MethodPost, "/sync/execute", url.Values{"csrf": {token}, "nav": {"run"}}); code != http.StatusSeeOther || loc != "/sync/run" {
		t.Fatalf("execute: %d %q\n%s", code, loc, body)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, _, body = do(http.MethodGet, "/sync/run", nil)
		if strings.Contains(body, `id="summary"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run page shows no summary:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(body, `id="run-status">ok<`) {
		t.Errorf("the summary:\n%s", body)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var jobs int
	var state string
	var created int
	if err := conn.QueryRow(ctx, `SELECT count(*) OVER (), state::text, coalesce((metadata->'output'->'counts'->>'create')::int, 0)
		FROM river_job WHERE kind = 'sync_user' AND args->>'why' = 'manual'`).Scan(&jobs, &state, &created); err != nil {
		t.Fatalf("the manual job: %v", err)
	}
	if jobs != 1 || state != "completed" || created != len(sel) {
		t.Errorf("manual jobs: %d, state %s, %d created; want 1 completed job that created %d", jobs, state, created, len(sel))
	}
}
