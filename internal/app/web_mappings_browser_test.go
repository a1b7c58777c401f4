package app

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provisio-dev/provisio/internal/directory"
)

// TestWebBrowserMappings configures an application's provisioning in a
// real browser beyond the credentials: an expression mapping evaluated
// live against a chosen user, an invalid expression's error with its
// position, a scoping filter, the plan before switching on, provision on
// demand with its steps, and disables over the deletion threshold staged
// then allowed from the page. Every page passes axe-core.
func TestWebBrowserMappings(t *testing.T) {
	a, _, _ := webAdminApp(t)
	ctx := t.Context()
	var members []string
	for _, upn := range []string{"bob@example.com", "carol@example.com", "dave@example.com", "ext@other.org"} {
		members = append(members, webUser(t, a, upn, "password of "+upn).ObjectID)
	}
	sales, err := a.dir.CreateGroup(ctx, directory.Group{DisplayName: "Sales", MailNickname: "sales"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.AddMembers(ctx, sales.ObjectID, members); err != nil {
		t.Fatal(err)
	}
	_, tenantURL, token := targetTenant(t, a, "target")
	axe := axeSource(t)
	b := browser(t)
	base := a.BaseURL()

	// Sign in, create the application, save the credentials of the local
	// SCIM tenant and a deletion threshold of 1 (scope: assigned).
	signInAlice(t, b, base+"/ui/apps", "#app-name")
	do(t, b, "create the application",
		chromedp.SendKeys(chromedp.CSS(`#app-name`), "Payroll"),
		chromedp.Submit(chromedp.CSS(`#app-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#tenantUrl`)),
		chromedp.SendKeys(chromedp.CSS(`#tenantUrl`), tenantURL),
		chromedp.SendKeys(chromedp.CSS(`#token`), token),
		chromedp.Click(chromedp.CSS(`#save-credentials`)),
		chromedp.WaitVisible(chromedp.CSS(`#deletionThreshold`)),
		chromedp.SetValue(chromedp.CSS(`#deletionThreshold`), "1"),
		chromedp.Click(chromedp.CSS(`#save-settings`)),
		noticeIs("Settings saved."),
	)
	apps, err := a.dir.ListApps(ctx)
	if err != nil || len(apps) != 1 {
		t.Fatalf("apps = %v, %v", apps, err)
	}
	app := apps[0].ID
	if _, err := a.dir.AssignGroup(ctx, app, sales.ObjectID, ""); err != nil {
		t.Fatal(err)
	}

	// The mappings page, from the provisioning page's link.
	do(t, b, "open the mappings",
		chromedp.Click(chromedp.CSS(`#link-mappings`)),
		chromedp.WaitVisible(chromedp.CSS(`#mappings`)),
	)
	if got, err := text(b, "#mappings"); err != nil || !strings.Contains(got, "userName") {
		t.Errorf("mappings table = %q, %v, want the default userName mapping", got, err)
	}
	checkA11y(t, b, axe, "mappings")

	// An expression evaluated live (JavaScript) against a chosen user.
	do(t, b, "live evaluation",
		chromedp.SetValue(chromedp.CSS(`#target`), "displayName"),
		chromedp.SetValue(chromedp.CSS(`#mappingType`), "expression"),
		chromedp.SendKeys(chromedp.CSS(`#eval-user`), "bob@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#expression`), `ToUpper([userPrincipalName])`),
		chromedp.WaitVisible(chromedp.CSS(`#eval-value`)),
	)
	waitText(t, b, "#eval-value", `"BOB@EXAMPLE.COM"`)
	screenshot(t, b, "expression")

	// A syntax error: shown live with a caret at its position, then on
	// saving next to the expression field.
	do(t, b, "invalid expression (live)",
		chromedp.SendKeys(chromedp.CSS(`#expression`), `, "x"`),
		chromedp.WaitVisible(chromedp.CSS(`#eval-error`)),
	)
	caret, err := text(b, "#eval-result pre.caret")
	if err != nil || !strings.Contains(caret, "^") {
		t.Errorf("live error caret = %q, %v, want the expression with a ^ under the error", caret, err)
	}
	do(t, b, "invalid expression (saved)",
		chromedp.Click(chromedp.CSS(`#save-mapping`)),
		chromedp.WaitVisible(chromedp.CSS(`#expression-error`)),
	)
	if inv, err := chromedp.Run(b, chromedp.AttributeValue(chromedp.CSS(`#expression`), "aria-invalid")); err != nil || inv.Value != "true" {
		t.Errorf("expression aria-invalid = %q, %v after a refused save", inv.Value, err)
	}
	if got, _ := text(b, "#eval-result pre.caret"); !strings.Contains(got, "^") {
		t.Errorf("refused save: caret = %q, want the position shown", got)
	}
	checkA11y(t, b, axe, "mappings (invalid expression)")

	// Fixed and saved: the table shows it.
	do(t, b, "save the expression mapping",
		chromedp.SetValue(chromedp.CSS(`#expression`), `ToUpper([userPrincipalName])`),
		chromedp.Click(chromedp.CSS(`#save-mapping`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	if got, err := text(b, "#mappings"); err != nil || !strings.Contains(got, "ToUpper([userPrincipalName])") {
		t.Errorf("mappings table = %q, %v, want the expression mapping", got, err)
	}

	// A scoping filter: only @example.com users.
	do(t, b, "add a scoping filter",
		chromedp.SendKeys(chromedp.CSS(`#attribute1`), "userPrincipalName"),
		chromedp.SetValue(chromedp.CSS(`#operator1`), "ENDS_WITH"),
		chromedp.SendKeys(chromedp.CSS(`#value1`), "@example.com"),
		chromedp.Click(chromedp.CSS(`#add-filter`)),
		chromedp.WaitVisible(chromedp.CSS(`ol#filters`)),
	)
	if got, err := text(b, "#filters"); err != nil || !strings.Contains(got, "userPrincipalName ENDS_WITH @example.com") {
		t.Errorf("scoping filters = %q, %v", got, err)
	}
	checkA11y(t, b, axe, "mappings (with a filter)")
	screenshot(t, b, "mappings")

	// The plan before switching on: bob, carol and dave created, ext
	// (out of scope) not.
	do(t, b, "the plan",
		chromedp.Navigate(base+"/ui/apps/"+app+"/plan"),
		chromedp.WaitVisible(chromedp.CSS(`#plan-counts`)),
	)
	planText, err := text(b, "#plan")
	if err != nil {
		t.Fatal(err)
	}
	for _, upn := range []string{"bob@example.com", "carol@example.com", "dave@example.com"} {
		if !strings.Contains(planText, upn) {
			t.Errorf("plan lacks %s:\n%s", upn, planText)
		}
	}
	if got, _ := text(b, "#plan-skip"); got != "1" || !strings.Contains(planText, "ext@other.org") || !strings.Contains(planText, "out of scope") {
		t.Errorf("plan skips %q, want ext@other.org skipped as out of scope:\n%s", got, planText)
	}
	if got, _ := text(b, "#plan-create"); got != "4" { // 3 users and the group
		t.Errorf("plan creates %q, want 4 (3 users, 1 group)\n%s", got, planText)
	}
	checkA11y(t, b, axe, "plan")
	screenshot(t, b, "plan")

	// Provision on demand: bob, step by step.
	do(t, b, "provision on demand",
		chromedp.Navigate(base+"/ui/apps/"+app+"/provision-on-demand"),
		chromedp.WaitVisible(chromedp.CSS(`#od-user`)),
		chromedp.SendKeys(chromedp.CSS(`#od-user`), "bob@example.com"),
		chromedp.Click(chromedp.CSS(`#provision`)),
		chromedp.WaitVisible(chromedp.CSS(`#od-result`)),
	)
	od, err := text(b, "#od-result")
	if err != nil || !strings.Contains(od, "create") || !strings.Contains(od, "POST") || !strings.Contains(od, "201") {
		t.Errorf("on-demand result = %q, %v, want a create with its POST answered 201", od, err)
	}
	if n, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("#od-result ol.steps li").length`)); err != nil || n < 3 {
		t.Errorf("on-demand steps = %d, %v, want the steps listed", n, err)
	}
	checkA11y(t, b, axe, "provision on demand")
	if got := scimUsers(t, tenantURL, token); got["bob@example.com"] != "BOB@EXAMPLE.COM" {
		t.Errorf("tenant users = %v, want bob with the expression's displayName", got)
	}

	// A cycle provisions the others; then the group is unassigned: three
	// disables or deletes over the threshold of 1 are staged.
	if res, err := a.jobs.Run(ctx, app); err != nil || res.Error != "" {
		t.Fatalf("cycle: %+v, %v", res, err)
	}
	if got := scimUsers(t, tenantURL, token); len(got) != 3 {
		t.Fatalf("tenant users after the cycle = %v, want bob, carol and dave", got)
	}
	if err := a.dir.UnassignGroup(ctx, app, sales.ObjectID); err != nil {
		t.Fatal(err)
	}
	// The cycle ends with the threshold's error and its summary.
	res, err := a.jobs.Run(ctx, app)
	if res == nil || err == nil || !strings.Contains(err.Error(), "deletion threshold") {
		t.Fatalf("cycle after unassigning: %+v, %v, want the threshold's refusal", res, err)
	}
	if res.Stats.Staged != 4 { // 3 users and the group
		t.Fatalf("cycle after unassigning: %+v, want the disables staged", res)
	}
	do(t, b, "staged deletions",
		chromedp.Navigate(base+"/ui/apps/"+app+"/provisioning"),
		chromedp.Click(chromedp.CSS(`#link-staged`)),
		chromedp.WaitVisible(chromedp.CSS(`table#staged`)),
	)
	if n, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("table#staged tbody tr").length`)); err != nil || int64(n) != res.Stats.Staged {
		t.Errorf("staged rows = %d, %v, want %d", n, err, res.Stats.Staged)
	}
	checkA11y(t, b, axe, "staged deletions")
	do(t, b, "allow",
		js(`window.confirm = function () { return true; }, 1`),
		chromedp.Click(chromedp.CSS(`#allow`)),
		chromedp.WaitVisible(chromedp.CSS(`#staged-allowed`)),
	)
	res, err = a.jobs.Run(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Disabled != 3 || res.Stats.Deleted != 1 || res.Stats.Staged != 0 {
		t.Errorf("allowed cycle: %+v, want the 3 disables and the group's delete sent", res.Stats)
	}
	if left := scimActive(t, tenantURL, token); left != 0 {
		t.Errorf("%d users still active in the tenant after the allowed cycle", left)
	}
	do(t, b, "nothing staged any more",
		chromedp.Navigate(base+"/ui/apps/"+app+"/staged"),
		chromedp.WaitVisible(chromedp.CSS(`p#staged`)),
	)
}

// waitText waits up to 10 seconds for sel's text to be want.
func waitText(t *testing.T, b context.Context, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := text(b, sel)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %q, %v, want %q", sel, got, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scimTenantUsers reads the tenant's users: userName → displayName and
// active.
func scimTenantUsers(t *testing.T, tenantURL, token string) []struct {
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName"`
	Active      *bool  `json:"active"`
} {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, tenantURL+"/Users?count=100", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Resources []struct {
			UserName    string `json:"userName"`
			DisplayName string `json:"displayName"`
			Active      *bool  `json:"active"`
		} `json:"Resources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	return list.Resources
}

// scimUsers is the tenant's users' userName → displayName.
func scimUsers(t *testing.T, tenantURL, token string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, u := range scimTenantUsers(t, tenantURL, token) {
		out[u.UserName] = u.DisplayName
	}
	return out
}

// scimActive counts the tenant's active users.
func scimActive(t *testing.T, tenantURL, token string) int {
	t.Helper()
	n := 0
	for _, u := range scimTenantUsers(t, tenantURL, token) {
		if u.Active == nil || *u.Active {
			n++
		}
	}
	return n
}
