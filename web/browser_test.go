package web

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gwsync/gwsync/internal/testenv"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the browser test's screenshots to docs/screenshots")

// browser starts Debian's Chromium headless with a fresh profile and no
// network beyond 127.0.0.1, and returns a tab context.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 45*time.Second)
}

// browserFor is browser for a test that walks through many pages: the
// whole walk must end within timeout.
func browserFor(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	exe := testenv.Var(t, "CHROMIUM")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // we run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 700),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx
}

// shots saves screenshots: into docs/screenshots with -update-screenshots,
// else into the test's temp dir (so taking them is always exercised).
type shots struct {
	t   *testing.T
	dir string
}

func newShots(t *testing.T) *shots {
	dir := t.TempDir()
	if *updateScreenshots {
		dir = filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &shots{t: t, dir: dir}
}

func (s *shots) take(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		png, err := chromedp.CaptureScreenshot()(ctx, tg)
		if err != nil {
			return err
		}
		if len(png) < 1000 {
			s.t.Errorf("screenshot %s is only %d bytes", name, len(png))
		}
		return os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644)
	})
}

func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// into runs an action that returns a value and stores the value in dst.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		*dst = v
		return chromedp.Void{}, err
	}
}

// uncheck clears the checkbox of the candidate with that subject.
func uncheck(subject string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(`//tr[.//label[normalize-space(text())="` + subject + `"]]//input[@type="checkbox"]`)
}

func TestBrowserWizardImportsOnlyWhatIsSelected(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, []User{sam(t)}, nil)
	base := f.http.URL

	var text string
	do(t, ctx, "wrong password",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("user"), "sam"),
		chromedp.SendKeys(chromedp.ID("password"), "not the password"),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("login-error")),
		into(&text, chromedp.Text(chromedp.ID("login-error"))),
	)
	if !strings.Contains(text, "Wrong user name or password") {
		t.Fatalf("wrong password: page says %q", text)
	}
	do(t, ctx, "log in",
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("areas-form")),
	)
	do(t, ctx, "areas: emails and appointments, not tasks",
		chromedp.Click(chromedp.CSS(`#area-tasks input`)), // all are chosen at first
		chromedp.Click(chromedp.CSS(`#area-resync input`)),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(`//h1[text()="Emails"]`),
	)
	do(t, ctx, "emails: deselect one",
		uncheck("Re: Product demo on 19 January"),
		into(&text, chromedp.Text(chromedp.CSS("[data-count]"))),
	)
	if text != "2 of 3 selected" {
		t.Errorf("counter says %q after one deselection", text)
	}
	// Select all and none act on the server's selection (every page):
	// the page comes back with the new count.
	do(t, ctx, "select none and all",
		chromedp.Click(chromedp.ID("select-none")),
		chromedp.WaitVisible(`//span[@data-count and text()="0 of 3 selected"]`),
	)
	do(t, ctx, "back to the selection",
		chromedp.Click(chromedp.ID("select-all")),
		chromedp.WaitVisible(`//span[@data-count and text()="3 of 3 selected"]`),
		uncheck("Re: Product demo on 19 January"),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(`//h1[text()="Appointments"]`), // tasks passed through
		uncheck("Customer visit Northwind Traders"),
	)
	do(t, ctx, "back and forth keeps the selection",
		chromedp.Click(chromedp.ID("back")),
		chromedp.WaitVisible(`//h1[text()="Emails"]`),
		into(&text, chromedp.Text(chromedp.CSS("[data-count]"))),
	)
	if text != "2 of 3 selected" {
		t.Errorf("emails after going back: %q, want the deselection kept", text)
	}
	do(t, ctx, "to execute",
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(`//h1[text()="Appointments"]`),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(chromedp.ID("execute-form")),
		into(&text, chromedp.Text(chromedp.ID("total-writes"))),
	)
	if text != "3" {
		t.Errorf("execute page announces %q writes, want 3", text)
	}
	do(t, ctx, "execute",
		chromedp.Click(chromedp.ID("execute")),
		chromedp.WaitVisible(chromedp.ID("summary")),
		into(&text, chromedp.Text(chromedp.ID("summary"))),
	)
	if !strings.Contains(text, "3\nCreated") && !strings.Contains(text, "3 Created") {
		t.Errorf("summary: %q, want 3 created", text)
	}
	got := f.subjects("sam")
	for _, want := range []string{"Request for quote: 12 Enterprise seats", "Purchase order 2027-0042", "Pricing negotiation with Fabrikam"} {
		if !got[want] {
			t.Errorf("%q was selected but is not in the CRM", want)
		}
	}
	for _, not := range []string{"Re: Product demo on 19 January", "Customer visit Northwind Traders", "Send quote to Contoso"} {
		if got[not] {
			t.Errorf("%q is in the CRM but was deselected or its area not chosen", not)
		}
	}
	do(t, ctx, "activities",
		chromedp.Click(chromedp.ID("show-activities")),
		chromedp.WaitVisible(chromedp.ID("activities")),
		into(&text, chromedp.Text(chromedp.ID("activities"))),
	)
	if !strings.Contains(text, "Purchase order 2027-0042") || strings.Contains(text, "Customer visit Northwind") {
		t.Errorf("activities page: %q", text)
	}
	do(t, ctx, "filter",
		chromedp.Click(`//nav[@id="filters"]/a[text()="MEETING"]`),
		chromedp.WaitVisible(`//nav[@id="filters"]/a[@class="active" and text()="MEETING"]`),
		into(&text, chromedp.Text(chromedp.ID("activities"))),
	)
	if !strings.Contains(text, "Pricing negotiation with Fabrikam") || strings.Contains(text, "Purchase order") {
		t.Errorf("MEETING filter: %q", text)
	}

	// A form whose token was removed is refused, and nothing happens.
	before := f.opened.Load()
	var removed int
	do(t, ctx, "form without token",
		chromedp.Navigate(base+"/sync/run"),
		chromedp.WaitVisible(chromedp.ID("restart")),
		into(&removed, chromedp.Evaluate[int](`document.querySelectorAll('input[name="csrf"]').forEach(function(e){e.remove()}); 1`)),
		chromedp.Click(chromedp.ID("restart")),
		chromedp.WaitVisible(chromedp.ID("error-message")),
		into(&text, chromedp.Text(chromedp.ID("error-message"))),
	)
	if !strings.Contains(text, "security token") {
		t.Errorf("form without token: page says %q", text)
	}
	if f.opened.Load() != before {
		t.Error("the refused form did something")
	}
}

func TestBrowserTasksStepAndAutomaticUser(t *testing.T) {
	ctx := browser(t)
	ada := User{Name: "ada", PasswordHash: hash(t), Automatic: true}
	f := newFixture(t, []User{sam(t), ada}, nil)
	login := func(user string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(f.http.URL + "/login"),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("user"), user),
			chromedp.SendKeys(chromedp.ID("password"), testPassword),
			chromedp.Click(chromedp.ID("login")),
			chromedp.WaitVisible(chromedp.ID("areas-form")),
		}
	}
	var n int
	do(t, ctx, "tasks step", append(login("sam"),
		chromedp.Click(chromedp.CSS(`#area-emails input`)),
		chromedp.Click(chromedp.CSS(`#area-appointments input`)),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(`//h1[text()="Tasks"]`),
		chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.ID("login-form")),
	)...)
	do(t, ctx, "automatic user", append(login("ada"),
		into(&n, chromedp.Evaluate[int](`document.querySelectorAll('input[value="resync"]').length`)),
	)...)
	if n != 0 {
		t.Error("the automatic user is offered the manual resync option")
	}
	var manual int
	do(t, ctx, "manual user sees it", chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.ID("login-form")))
	do(t, ctx, "manual user", append(login("sam"),
		into(&manual, chromedp.Evaluate[int](`document.querySelectorAll('input[value="resync"]').length`)))...)
	if manual != 1 {
		t.Errorf("the manual user sees %d resync options, want 1", manual)
	}
}
