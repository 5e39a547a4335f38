package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gwsync/gwsync/adapters"
)

// viewport is a screen size the layout must fit without sideways
// scrolling: a phone held upright and a laptop.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var viewports = []viewport{{"phone", 390, 844, true}, {"wide", 1366, 768, false}}

func (v viewport) emulate() chromedp.Action[chromedp.Void] {
	if v.mobile {
		return chromedp.EmulateViewport(v.width, v.height, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2))
	}
	return chromedp.EmulateViewport(v.width, v.height)
}

// fits fails the test when the page is wider than the viewport, i.e. the
// user would have to scroll sideways. On a phone it also tries the
// narrowest common width, 360 px, and comes back.
func fits(t *testing.T, v viewport, page string) chromedp.Action[chromedp.Void] {
	check := func(width int64) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var size []int
			if _, err := into(&size, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))(ctx, tg); err != nil {
				return err
			}
			if size[0] > size[1] || size[1] != int(width) {
				t.Errorf("%s at %d px: the page is %d px wide, viewport %d px", page, width, size[0], size[1])
			}
			return nil
		})
	}
	if !v.mobile {
		return check(v.width)
	}
	narrow := viewport{v.name, 360, v.height, true}
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		return chromedp.Do(ctx, check(v.width), narrow.emulate(), check(360), v.emulate())
	})
}

// screenshots are written to docs/screenshots/SIZE/ with
// -update-screenshots, else to a temp dir.
func sizedShots(t *testing.T, v viewport) *shots {
	s := newShots(t)
	if *updateScreenshots {
		s.dir = filepath.Join(s.dir, v.name)
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestBrowserEveryPageFits walks through every page of the wizard at a
// phone's and a laptop's size: none scrolls sideways, the phone's menu
// opens without script, and each page's screenshot is taken.
func TestBrowserEveryPageFits(t *testing.T) {
	for _, v := range viewports {
		t.Run(v.name, func(t *testing.T) {
			ctx := browserFor(t, 3*time.Minute) // 13 pages, slow under -race on a busy machine
			f, slow := slowFixtureWith(t, samWithIMAP(t), func(o *Options) {
				withPreferences(t)(o)
				o.CheckLogin = func(_ context.Context, _, source, pw string) error {
					if pw != rightIMAPPassword {
						return adapters.Errorf(adapters.CodeUnauthorized, "%s: LOGIN refused", source)
					}
					return nil
				}
			})
			f.passwords = map[string]string{"inbox": rightIMAPPassword}
			shot := sizedShots(t, v)
			base := f.http.URL
			page := func(name string) []chromedp.Action[chromedp.Void] {
				return []chromedp.Action[chromedp.Void]{fits(t, v, name), shot.take(name)}
			}
			var refused string
			steps := [][]chromedp.Action[chromedp.Void]{
				{v.emulate(), chromedp.Navigate(base + "/login"), chromedp.WaitVisible(chromedp.ID("login-form"))},
				page("0-login"),
				{chromedp.SendKeys(chromedp.ID("user"), "sam"), chromedp.SendKeys(chromedp.ID("password"), testPassword),
					chromedp.Click(chromedp.ID("login")), chromedp.WaitVisible(chromedp.ID("credentials-form"))},
				page("0-credentials"),
				// A wrong password is refused on the prompt page itself.
				{chromedp.SendKeys(chromedp.CSS(`#credentials-form input[type="password"]`), wrongIMAPPassword),
					chromedp.Click(chromedp.ID("save-credentials")), chromedp.WaitVisible(chromedp.ID("credentials-error")),
					into(&refused, chromedp.Text(chromedp.ID("credentials-error")))},
				page("0-credentials-refused"),
				{chromedp.SendKeys(chromedp.CSS(`#credentials-form input[type="password"]`), rightIMAPPassword),
					chromedp.Click(chromedp.ID("save-credentials")), chromedp.WaitVisible(chromedp.ID("areas-form")),
					chromedp.Click(chromedp.CSS(`#area-resync input`))},
				page("1-areas"),
				{chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(`//p[@id="planning-text" and contains(., "items so far")]`)},
				page("2-planning"),
				{chromedp.Func(func(context.Context, *chromedp.Target) error { close(slow.release); return nil }),
					chromedp.WaitVisible(`//h1[text()="Emails"]`)},
				page("3-emails"),
				{chromedp.Click(chromedp.ID("page-2")), chromedp.WaitVisible(`//nav[@id="pager"]/span[starts-with(., "51–100")]`)},
				page("3-emails-page-2"),
				{chromedp.SendKeys(chromedp.ID("q"), "fabrikam"), chromedp.Click(chromedp.ID("search")),
					chromedp.WaitVisible(`//nav[@id="pager"]/span[contains(., "of 125")]`)},
				page("3-emails-search"),
				{chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(`//h1[text()="Tasks"]`)},
				page("4-tasks"),
				{chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(`//h1[text()="Appointments"]`)},
				page("5-appointments"),
				{chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.ID("execute-form"))},
				page("6-execute"),
				{chromedp.Click(chromedp.ID("execute")), chromedp.WaitVisible(chromedp.ID("summary"))},
				page("7-summary"),
				{chromedp.Click(chromedp.ID("show-activities")), chromedp.WaitVisible(chromedp.ID("run-filter"))},
				page("8-activities"),
				{chromedp.Navigate(base + "/preferences"), chromedp.WaitVisible(chromedp.ID("preferences-form"))},
				page("9-preferences"),
				{chromedp.SetValue(`#preferences-form input[name="import_folder"]`, "Projects"),
					chromedp.Click(chromedp.ID("save-preferences")), chromedp.WaitVisible(chromedp.ID("preferences-saved"))},
				page("9-preferences-saved"),
				{chromedp.Navigate(base + "/status"), chromedp.WaitVisible(chromedp.ID("runs")),
					chromedp.WaitVisible(chromedp.ID("preference-changes"))},
				page("10-status"),
			}
			if v.mobile {
				steps = append(steps, []chromedp.Action[chromedp.Void]{
					chromedp.Click(chromedp.CSS("#menu summary")), chromedp.WaitVisible(chromedp.CSS(".menu-panel nav"))},
					page("11-menu"),
					[]chromedp.Action[chromedp.Void]{chromedp.Click(`//div[@class="menu-panel"]//a[text()="Imported activities"]`),
						chromedp.WaitVisible(chromedp.ID("activities"))})
			}
			for i, s := range steps {
				do(t, ctx, fmt.Sprintf("%s step %d", v.name, i), s...)
			}
			if want := "The password for mail at 127.0.0.1 (user sam@example.com) was refused."; !strings.Contains(refused, want) {
				t.Errorf("the prompt says %q, want %q", refused, want)
			}
			if !v.mobile {
				return
			}
			var text string
			do(t, ctx, "activities count", into(&text, chromedp.Text(chromedp.ID("activities-count"))))
			// 253 mails and 3 calendar items planned, everything selected.
			if !strings.HasPrefix(text, "256 ") {
				t.Errorf("activities page counts %q, want 256", text)
			}
		})
	}
}
