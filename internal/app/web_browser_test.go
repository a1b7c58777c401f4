package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provisio-dev/provisio/internal/browsertest"
)

// The browser tests drive Debian's chromium (headless) with chromedp and
// check each page of the UI with axe-core from npm, through the shared
// harness internal/browsertest: never skipped, a missing chromium or
// axe-core fails the test. These short names keep the tests readable.

// browser starts a headless chromium for the test (3 minutes in all).
func browser(t *testing.T) context.Context { t.Helper(); return browsertest.New(t, 3*time.Minute) }

// axeSource is axe-core's axe.min.js.
func axeSource(t *testing.T) string { t.Helper(); return browsertest.AxeSource(t) }

// checkA11y fails on any serious or critical axe-core violation.
func checkA11y(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	browsertest.CheckA11y(t, ctx, axe, page)
}

// screenshot saves the page as docs/screenshots/name.png when
// PROVISIO_SCREENSHOTS=1 (it is taken, and must succeed, either way).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.Screenshot(t, ctx, filepath.Join("..", "..", "docs", "screenshots"), name)
}

// do runs steps within 30 seconds; on failure it fails the test with the
// page's address and text.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browsertest.Do(t, ctx, what, steps...)
}

// js runs a script.
// pageHTML is the browser's current page.
func pageHTML(t *testing.T, b context.Context) string {
	t.Helper()
	s, err := chromedp.Run(b, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatalf("read page: %v", err)
	}
	return s
}

func js(expr string) chromedp.Action[chromedp.Void] { return browsertest.JS(expr) }

func text(ctx context.Context, sel string) (string, error) { return browsertest.Text(ctx, sel) }

// waitUntil polls sel's text until ok accepts it (up to
// browsertest.StepTimeout) and returns it; a page updated in place or
// reloaded after a click still shows the old text for a moment.
func waitUntil(t *testing.T, b context.Context, sel string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(browsertest.StepTimeout)
	for {
		got, err := text(b, sel)
		if err == nil && ok(got) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signInAlice opens url in b, signs in at the provider's login page as
// alice@example.com (the administrator the browser tests create) and
// waits for landed, a selector of the page signed in to.
func signInAlice(t *testing.T, b context.Context, url, landed string) {
	t.Helper()
	do(t, b, "sign in",
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(landed)),
	)
}

// TestWebBrowserProvisioning is the seed's flow in a real browser: an
// administrator signs in at the provider's login page, creates an
// application, enters the Admin Credentials of a local SCIM tenant (a bad
// token first, then an unreachable URL: Test Connection shows each
// diagnosis; then the right ones: OK), picks the scope, switches provisioning on and watches the cycle
// finish on the page, live, with its counts; every page passes axe-core.
func TestWebBrowserProvisioning(t *testing.T) {
	a, _, _ := webAdminApp(t)
	ctx := t.Context()
	for i := range 3 {
		webUser(t, a, fmt.Sprintf("user%d@example.com", i), "password number "+fmt.Sprint(i))
	}
	_, tenantURL, token := targetTenant(t, a, "target")
	axe := axeSource(t)
	b := browser(t)
	base := a.BaseURL()

	// Sign in through the provider's login page.
	signInAlice(t, b, base+"/ui/apps", "#app-name")
	checkA11y(t, b, axe, "applications (empty)")

	// Create the application: its provisioning page opens.
	do(t, b, "create application",
		chromedp.SendKeys(chromedp.CSS(`#app-name`), "Payroll"),
		chromedp.Submit(chromedp.CSS(`#app-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#tenantUrl`)),
	)
	checkA11y(t, b, axe, "provisioning (new)")

	// A bad token: Test Connection shows the API's diagnosis inline.
	do(t, b, "test connection (bad token)",
		chromedp.SendKeys(chromedp.CSS(`#tenantUrl`), tenantURL),
		chromedp.SendKeys(chromedp.CSS(`#token`), "not-the-token"),
		chromedp.Click(chromedp.CSS(`#test`)),
		chromedp.WaitVisible(chromedp.CSS(`#test-result`)),
	)
	if got := waitUntil(t, b, "#test-result", func(s string) bool { return strings.Contains(s, "Test Connection failed (credentials)") }); !strings.Contains(got, "Test Connection failed (credentials)") {
		t.Errorf("bad token: test result = %q, want the credentials diagnosis", got)
	}
	if tokenValue, err := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#token`))); err != nil || tokenValue != "" {
		t.Errorf("Secret Token field = %q, %v after a test, want it empty (write-only)", tokenValue, err)
	}
	checkA11y(t, b, axe, "provisioning (test failed)")
	screenshot(t, b, "test-connection-failed")

	// Another origin. (Test Connection saves nothing, so there is no
	// stored token here; a stored token tested against another URL is
	// refused: internal/app/web_gaps_test.go.)
	do(t, b, "move the tenant URL",
		chromedp.Clear(chromedp.CSS(`#tenantUrl`)),
		chromedp.SendKeys(chromedp.CSS(`#tenantUrl`), "http://127.0.0.1:1/scim/v2"),
	)
	// An unreachable Tenant URL with a token: the diagnosis says so.
	do(t, b, "test connection (unreachable)",
		chromedp.SendKeys(chromedp.CSS(`#token`), "some-token"),
		chromedp.Click(chromedp.CSS(`#test`)),
		chromedp.WaitVisible(chromedp.CSS(`#test-result`)),
	)
	unreachable := func(s string) bool { return strings.Contains(s, "Test Connection failed (unreachable)") }
	if got := waitUntil(t, b, "#test-result", unreachable); !unreachable(got) {
		t.Errorf("unreachable: test result = %q, want the unreachable diagnosis", got)
	}

	// The right URL and token: Test Connection OK.
	do(t, b, "test connection",
		chromedp.Clear(chromedp.CSS(`#tenantUrl`)),
		chromedp.SendKeys(chromedp.CSS(`#tenantUrl`), tenantURL),
		chromedp.SendKeys(chromedp.CSS(`#token`), token),
		chromedp.Click(chromedp.CSS(`#test`)),
		chromedp.WaitVisible(chromedp.CSS(`#test-result.ok`)),
	)
	if got, err := text(b, "#test-result"); err != nil || !strings.HasPrefix(got, "Connection OK") {
		t.Errorf("test result = %q, %v, want Connection OK", got, err)
	}
	if html, err := chromedp.Run(b, chromedp.OuterHTML(chromedp.CSS("html"))); err != nil || strings.Contains(html, token) {
		t.Errorf("the page renders the Secret Token back (err %v)", err)
	}
	// Test Connection does not save (as in Entra): Save does.
	do(t, b, "save credentials",
		chromedp.SendKeys(chromedp.CSS(`#token`), token),
		chromedp.Click(chromedp.CSS(`#save-credentials`)),
		noticeIs("Admin Credentials saved."),
	)

	// Scope: all users; then switch provisioning on and watch the cycle.
	do(t, b, "settings and start",
		chromedp.SetValue(chromedp.CSS(`#scope`), "all"),
		chromedp.SetValue(chromedp.CSS(`#notificationEmail`), "ops@example.com"),
		chromedp.Click(chromedp.CSS(`#save-settings`)),
		noticeIs("Settings saved."),
		js(`window.provisioMarker = 42`),
		browsertest.Fresh(chromedp.Click(chromedp.CSS(`#start`))),
		chromedp.WaitVisible(chromedp.CSS(`#stop`)),
		js(`window.provisioMarker = 43`),
	)
	t.Log("provisioning switched on")
	const users = "4" // alice and three others
	deadline := time.Now().Add(60 * time.Second)
	for {
		created, err := text(b, "#n-created")
		phase, _ := text(b, "#st-phase")
		if err == nil && created == users && strings.HasPrefix(phase, "Last") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cycle not seen finishing on the page: created %q, phase %q, %v", created, phase, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if marker, err := chromedp.Run(b, chromedp.Evaluate[int](`window.provisioMarker`)); err != nil || marker != 43 {
		t.Errorf("marker = %d, %v: the page reloaded instead of updating live", marker, err)
	}
	// A change while the page is open reaches it live: a new user, a
	// cycle run outside the page, and the counts change without a reload.
	webUser(t, a, "late@example.com", "a late password")
	apps, err := a.dir.ListApps(ctx)
	if err != nil || len(apps) != 1 {
		t.Fatalf("apps = %v, %v", apps, err)
	}
	if _, err := a.jobs.Run(ctx, apps[0].ID); err != nil {
		t.Fatalf("run a cycle: %v", err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		created, err := text(b, "#n-created")
		phase, _ := text(b, "#st-phase")
		if err == nil && created == "1" && strings.HasPrefix(phase, "Last incremental") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("second cycle not seen live on the page: created %q, phase %q, %v", created, phase, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if marker, err := chromedp.Run(b, chromedp.Evaluate[int](`window.provisioMarker`)); err != nil || marker != 43 {
		t.Errorf("marker = %d, %v after the second cycle: the page reloaded instead of updating live", marker, err)
	}
	if got, _ := text(b, "#n-failed"); got != "0" {
		t.Errorf("failed = %q, want 0", got)
	}
	if got, _ := text(b, "#st-state"); got != "On" {
		t.Errorf("state = %q, want On", got)
	}
	if v, err := chromedp.Run(b, chromedp.JavascriptAttribute[float64](chromedp.CSS(`#st-progress`), "position")); err != nil || v != 1 {
		t.Errorf("progress position = %v, %v, want 1 (done)", v, err)
	}
	checkA11y(t, b, axe, "provisioning (on)")
	screenshot(t, b, "provisioning")

	// The application really has the users.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tenantURL+"/Users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		TotalResults int `json:"totalResults"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || list.TotalResults != 5 {
		t.Errorf("SCIM tenant has %d users, %v, want 5", list.TotalResults, err)
	}

	// The list shows the application on, with its last cycle.
	if err := chromedp.Do(b, chromedp.Navigate(base+"/ui/apps"), chromedp.WaitVisible(chromedp.CSS(`#apps`))); err != nil {
		t.Fatal(err)
	}
	row, err := text(b, "#apps tbody tr")
	if err != nil || !strings.Contains(row, "Payroll") || !strings.Contains(row, "On") || !strings.Contains(row, "1 created") {
		t.Errorf("applications row = %q, %v, want Payroll On with its last cycle's 1 created", row, err)
	}
	checkA11y(t, b, axe, "applications")
	screenshot(t, b, "applications")
}
