package app

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provisio-dev/provisio/internal/browsertest"
)

// TestWebBrowserSeedFlow is issue 14's "seed's whole flow from a fresh
// start", in order, in one browser session and through the pages only: an
// administrator signs in, creates the application, enters the Admin
// Credentials and presses Test Connection, adds a mapping with an
// expression (evaluated live), a scoping filter, picks the scope, switches
// provisioning on, watches the cycle finish, and opens the Provisioning
// logs filtered by action=create: exactly the in-scope users' creates.
// The SCIM tenant (the application) then holds exactly those users with
// the expression's value. Every page passes axe-core.
func TestWebBrowserSeedFlow(t *testing.T) {
	a, _, _ := webAdminApp(t)
	for _, upn := range []string{"bob@example.com", "carol@example.com", "ext@other.org"} {
		webUser(t, a, upn, "password of "+upn)
	}
	// The target application: a SCIM tenant of the same server.
	_, tenantURL, token := targetTenant(t, a, "target")
	// In scope: @example.com only (the scoping filter keeps ext@other.org out).
	want := []string{"alice@example.com", "bob@example.com", "carol@example.com"}
	axe := axeSource(t)
	b := browser(t)
	base := a.BaseURL()

	// 1. Sign in through the provider's login page.
	signInAlice(t, b, base+"/ui/", "#app-name")
	checkA11y(t, b, axe, "applications (fresh start)")

	// 2. Create the application: its provisioning page opens.
	do(t, b, "create the application",
		chromedp.SendKeys(chromedp.CSS(`#app-name`), "Payroll"),
		chromedp.Submit(chromedp.CSS(`#app-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#tenantUrl`)),
	)
	checkA11y(t, b, axe, "provisioning (new application)")

	// 3. Admin Credentials and Test Connection.
	do(t, b, "credentials and Test Connection",
		chromedp.SendKeys(chromedp.CSS(`#tenantUrl`), tenantURL),
		chromedp.SendKeys(chromedp.CSS(`#token`), token),
		chromedp.Click(chromedp.CSS(`#test`)),
		chromedp.WaitVisible(chromedp.CSS(`#test-result.ok`)),
	)
	if got, err := text(b, "#test-result"); err != nil || !strings.HasPrefix(got, "Connection OK") {
		t.Fatalf("Test Connection = %q, %v, want Connection OK", got, err)
	}
	checkA11y(t, b, axe, "provisioning (connection OK)")
	// Test Connection saves nothing (as in Entra): Save does, with the
	// token typed again (the page never renders it back).
	do(t, b, "save credentials",
		chromedp.SendKeys(chromedp.CSS(`#token`), token),
		chromedp.Click(chromedp.CSS(`#save-credentials`)),
		chromedp.WaitVisible(chromedp.CSS(`#link-mappings`)),
	)

	// 4. A mapping with an expression: displayName from the UPN in
	// capitals, evaluated live against bob before it is saved.
	do(t, b, "open the mappings",
		chromedp.Click(chromedp.CSS(`#link-mappings`)),
		chromedp.WaitVisible(chromedp.CSS(`#mappings`)),
	)
	checkA11y(t, b, axe, "mappings")
	do(t, b, "write the expression",
		chromedp.SetValue(chromedp.CSS(`#target`), "displayName"),
		chromedp.SetValue(chromedp.CSS(`#mappingType`), "expression"),
		chromedp.SendKeys(chromedp.CSS(`#eval-user`), "bob@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#expression`), `ToUpper([userPrincipalName])`),
		chromedp.WaitVisible(chromedp.CSS(`#eval-value`)),
	)
	browsertest.WaitText(t, b, "#eval-value", `"BOB@EXAMPLE.COM"`)
	do(t, b, "save the expression mapping",
		chromedp.Click(chromedp.CSS(`#save-mapping`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	if got, err := text(b, "#mappings"); err != nil || !strings.Contains(got, "ToUpper([userPrincipalName])") {
		t.Fatalf("mappings table = %q, %v, want the expression mapping", got, err)
	}

	// 5. A scoping filter: only @example.com users.
	do(t, b, "add a scoping filter",
		chromedp.SendKeys(chromedp.CSS(`#attribute1`), "userPrincipalName"),
		chromedp.SetValue(chromedp.CSS(`#operator1`), "ENDS_WITH"),
		chromedp.SendKeys(chromedp.CSS(`#value1`), "@example.com"),
		chromedp.Click(chromedp.CSS(`#add-filter`)),
		chromedp.WaitVisible(chromedp.CSS(`ol#filters`)),
	)
	if got, err := text(b, "#filters"); err != nil || !strings.Contains(got, "userPrincipalName ENDS_WITH @example.com") {
		t.Fatalf("scoping filters = %q, %v", got, err)
	}
	checkA11y(t, b, axe, "mappings (expression and filter)")

	// 6. Back to the provisioning page (breadcrumb): scope all users.
	do(t, b, "scope",
		chromedp.Click(chromedp.CSS(`p.crumbs a[href$="/provisioning"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#scope`)),
		chromedp.SetValue(chromedp.CSS(`#scope`), "all"),
		chromedp.Click(chromedp.CSS(`#save-settings`)),
		noticeIs("Settings saved."),
	)
	if v, err := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#scope`))); err != nil || v != "all" {
		t.Fatalf("saved scope = %q, %v, want all", v, err)
	}

	// 7. Provisioning status on: the first cycle runs, seen live.
	do(t, b, "switch provisioning on",
		browsertest.Fresh(chromedp.Click(chromedp.CSS(`#start`))),
		chromedp.WaitVisible(chromedp.CSS(`#stop`)),
	)
	deadline := time.Now().Add(60 * time.Second)
	for {
		created, err := text(b, "#n-created")
		phase, _ := text(b, "#st-phase")
		if err == nil && created == "3" && strings.HasPrefix(phase, "Last") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cycle not seen finishing on the page: created %q (want 3), phase %q, %v", created, phase, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got, _ := text(b, "#n-failed"); got != "0" {
		t.Errorf("failed = %q, want 0", got)
	}
	if got, _ := text(b, "#st-state"); got != "On" {
		t.Errorf("state = %q, want On", got)
	}
	checkA11y(t, b, axe, "provisioning (on, cycle done)")

	// 8. The Provisioning logs (the provisioning page's link), filtered by
	// action=create: exactly the three creates, all successful.
	do(t, b, "open the logs",
		chromedp.Click(chromedp.CSS(`#link-logs`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-action`)),
		chromedp.SetValue(chromedp.CSS(`#f-action`), "create"),
		chromedp.Click(chromedp.CSS(`#apply-filters`)),
	)
	deadline = time.Now().Add(10 * time.Second)
	for {
		loc, err := chromedp.Run(b, chromedp.Location())
		if err == nil && strings.Contains(loc, "action=create") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the filter form did not load its page: at %q, %v", loc, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	do(t, b, "filtered logs", chromedp.WaitVisible(chromedp.CSS(`#logs tbody tr`)))
	type row struct {
		Identity, Type, Action, Status string
	}
	rows, err := chromedp.Run(b, chromedp.Evaluate[[]row](`[...document.querySelectorAll("#logs tbody tr")].map(tr => {
		const td = tr.querySelectorAll("td");
		return {Identity: td[1].textContent.trim(), Type: td[2].textContent.trim(), Action: td[3].textContent.trim(), Status: td[4].textContent.trim()};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.Identity)
		if r.Type != "User" || r.Action != "create" || r.Status != "success" {
			t.Errorf("log row %+v, want a successful User create", r)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, want) {
		t.Errorf("logs filtered by action=create show %v, want exactly %v", ids, want)
	}
	checkA11y(t, b, axe, "provisioning logs (creates)")

	// The application (the SCIM tenant) holds exactly those users, with
	// the expression's value.
	got := scimUsers(t, tenantURL, token)
	if len(got) != len(want) {
		t.Errorf("tenant users = %v, want exactly %v", got, want)
	}
	for _, upn := range want {
		if got[upn] != strings.ToUpper(upn) {
			t.Errorf("tenant user %s has displayName %q, want %q (the expression's value)", upn, got[upn], strings.ToUpper(upn))
		}
	}
}
