package app

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebBrowserLogsChartsReconcile: an application that ran four cycles
// (four creates, an update, a failure while the token was wrong, then another create) seen in a real browser: the provisioning logs filtered
// by action show only creates, a row's detail shows the modified
// properties and a failure's advice, the CSV export downloads with the
// session, the charts have one bar per cycle, and a reconciliation finds a
// drift made in the application over SCIM, which Repair puts back; every
// page passes axe-core.
func TestWebBrowserLogsChartsReconcile(t *testing.T) {
	a, _, admin := webAdminApp(t)
	ctx := t.Context()
	for i := range 3 {
		webUser(t, a, fmt.Sprintf("user%d@example.com", i), "password number "+fmt.Sprint(i))
	}
	_, tenantURL, token := targetTenant(t, a, "target")
	must := func(want int, method, path, body string) map[string]any {
		t.Helper()
		code, out := adminCall(t, a, admin, method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %v, want %d", method, path, code, out, want)
		}
		return out
	}
	run := func(what string, check func(stats map[string]any) bool) {
		t.Helper()
		c := must(200, "POST", "/api/v1/apps/Payroll/job/runs?wait=true", "")
		if stats, _ := c["stats"].(map[string]any); !check(stats) {
			t.Fatalf("cycle %s = %v", what, c)
		}
	}
	must(201, "POST", "/api/v1/apps", `{"name":"Payroll"}`)
	must(200, "PUT", "/api/v1/apps/Payroll/job", `{"tenantUrl":"`+tenantURL+`","token":"`+token+`","scope":"all"}`)
	run("1: four creates", func(s map[string]any) bool { return s["created"] == float64(4) })
	must(200, "PATCH", "/api/v1/users/user0@example.com", `{"displayName":"User Zero Renamed"}`)
	run("2: an update", func(s map[string]any) bool { return s["updated"] == float64(1) })
	webUser(t, a, "late@example.com", "a late password")
	must(200, "PUT", "/api/v1/apps/Payroll/job", `{"token":"not-the-token"}`)
	run("3: a failure", func(s map[string]any) bool { return s["failed"] == float64(1) })
	must(200, "PUT", "/api/v1/apps/Payroll/job", `{"token":"`+token+`"}`)
	// The failed create waits for its retry's backoff; a new user is
	// created at once.
	webUser(t, a, "fresh@example.com", "a fresh password")
	run("4: a create", func(s map[string]any) bool { return s["created"] == float64(1) })
	// A second application, to its own tenant: the logs page shows both.
	_, tenantURL2, token2 := targetTenant(t, a, "badges")
	must(201, "POST", "/api/v1/apps", `{"name":"Badges"}`)
	must(200, "PUT", "/api/v1/apps/Badges/job", `{"tenantUrl":"`+tenantURL2+`","token":"`+token2+`","scope":"all"}`)
	if c := must(200, "POST", "/api/v1/apps/Badges/job/runs?wait=true", ""); c["stats"].(map[string]any)["created"] != float64(6) {
		t.Fatalf("Badges cycle = %v, want 6 creates", c)
	}

	axe := axeSource(t)
	b := browser(t)
	base := a.BaseURL()
	signInAlice(t, b, base+"/ui/logs", "#logs")
	rowActions := func() []string {
		t.Helper()
		acts, err := chromedp.Run(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#logs tbody tr td.l-action")].map(td => td.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		return acts
	}
	if acts := rowActions(); len(acts) != 13 || acts[0] != "create" {
		t.Errorf("logs show %d entries %v, want 13, newest first (Badges' 6 creates; Payroll's 5 creates, an update, a failure)", len(acts), acts)
	}
	checkA11y(t, b, axe, "provisioning logs")

	// Filter by action: only creates (four, the failed one and the fresh one).
	do(t, b, "filter creates",
		chromedp.SetValue(chromedp.CSS(`#f-action`), "create"),
		chromedp.Click(chromedp.CSS(`#apply-filters`)),
	)
	deadline := time.Now().Add(10 * time.Second)
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
	do(t, b, "filtered page", chromedp.WaitVisible(chromedp.CSS(`#logs`)))
	creates := len(must(200, "GET", "/api/v1/apps/Payroll/job/logs?action=create", "")["entries"].([]any))
	if acts := rowActions(); creates < 5 || len(acts) != creates+6 || strings.Count(strings.Join(acts, ","), "create") != creates+6 {
		t.Errorf("logs of all applications filtered by create = %v, want the %d+6 creates only", acts, creates)
	}
	if tbl, err := text(b, "#logs tbody"); err != nil || !strings.Contains(tbl, "Payroll") || !strings.Contains(tbl, "Badges") {
		t.Errorf("logs of all applications = %q, %v, want both applications' entries", tbl, err)
	}
	// One application: its creates only.
	do(t, b, "filter Payroll", chromedp.Navigate(base+"/ui/logs?app=Payroll&action=create"), chromedp.WaitVisible(chromedp.CSS(`#export-csv`)))
	if acts := rowActions(); len(acts) != creates || strings.Count(strings.Join(acts, ","), "create") != creates {
		t.Errorf("Payroll's logs filtered by create = %v, want the %d creates only", acts, creates)
	}
	// The update's detail: its modified properties, old -> new.
	do(t, b, "open the update",
		chromedp.Navigate(base+"/ui/logs?app=Payroll&action=update"),
		chromedp.WaitVisible(chromedp.CSS(`#logs tbody tr a`)),
		chromedp.Click(chromedp.CSS(`#logs tbody tr a`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail-modified`)),
	)
	if mods, err := text(b, "#detail-modified"); err != nil || !strings.Contains(mods, "displayName") || !strings.Contains(mods, "user0@example.com") || !strings.Contains(mods, "User Zero Renamed") {
		t.Errorf("update detail = %q, %v, want displayName user0@example.com -> User Zero Renamed", mods, err)
	}
	if steps, err := text(b, "#detail-steps"); err != nil || !strings.Contains(steps, "action: success — update") {
		t.Errorf("update steps = %q, %v, want the steps", steps, err)
	}
	checkA11y(t, b, axe, "provisioning logs (detail)")
	// The failure's detail: the error and what to do.
	do(t, b, "open the failure",
		chromedp.Navigate(base+"/ui/logs?app=Payroll&status=failure"),
		chromedp.WaitVisible(chromedp.CSS(`#logs tbody tr a`)),
		chromedp.Click(chromedp.CSS(`#logs tbody tr a`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail-error`)),
	)
	if e, err := text(b, "#detail-error"); err != nil || !strings.Contains(e, "401") || !strings.Contains(e, "Secret Token") {
		t.Errorf("failure detail = %q, %v, want the 401 and to fix the Secret Token", e, err)
	}
	screenshot(t, b, "logs")

	// The CSV export, fetched with the session cookie as the link would.
	do(t, b, "back to creates", chromedp.Navigate(base+"/ui/logs?app=Payroll&action=create"), chromedp.WaitVisible(chromedp.CSS(`#export-csv`)))
	type fetched struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Body        string `json:"body"`
	}
	got, err := chromedp.Run(b, chromedp.Evaluate[fetched](`fetch(document.querySelector("#export-csv").href).then(r => r.text().then(body => ({status: r.status, type: r.headers.get("Content-Type"), disposition: r.headers.get("Content-Disposition"), body})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(got.Body)).ReadAll()
	if got.Status != 200 || !strings.HasPrefix(got.Type, "text/csv") || !strings.HasPrefix(got.Disposition, "attachment") || err != nil || len(rows) != creates+1 || rows[0][0] != "Date (UTC)" {
		t.Fatalf("CSV export = %d %q %q, %d rows (%v):\n%s", got.Status, got.Type, got.Disposition, len(rows), err, got.Body)
	}
	for _, r := range rows[1:] {
		if r[3] != "create" {
			t.Errorf("CSV row %q: want a create", r)
		}
	}
	// Without the session the export is not served.
	resp, err := http.Get(base + "/ui/logs/export?app=Payroll&format=csv")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "Date (UTC)") {
			t.Errorf("the export was served without a session")
		}
	}

	// Charts: one bar per cycle in each chart, with a text alternative.
	do(t, b, "charts", chromedp.Navigate(base+"/ui/apps/Payroll/charts"), chromedp.WaitVisible(chromedp.CSS(`#chart-actions`)))
	for _, id := range []string{"chart-actions", "chart-failures", "chart-durations"} {
		n, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("#`+id+` g.bar").length`))
		label, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("#`+id+`").getAttribute("aria-label")`))
		rowsN, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("#`+id+`-table tbody tr").length`))
		if err != nil || n != 4 || rowsN != 4 || !strings.Contains(label, "4 cycles") {
			t.Errorf("%s: %d bars, %d table rows, label %q (%v); want 4 of each", id, n, rowsN, label, err)
		}
	}
	// The failure bar of cycle 3 is the only one with a height.
	heights, err := chromedp.Run(b, chromedp.Evaluate[[]float64](`[...document.querySelectorAll("#chart-failures g.bar rect")].map(r => r.height.baseVal.value)`))
	if err != nil || len(heights) != 4 || heights[2] <= 0 || heights[0] != 0 || heights[1] != 0 || heights[3] != 0 {
		t.Errorf("failure bar heights = %v, %v; want only the third cycle's", heights, err)
	}
	checkA11y(t, b, axe, "charts")
	screenshot(t, b, "charts")

	// Drift made directly in the application over SCIM.
	logs := must(200, "GET", "/api/v1/apps/Payroll/job/logs?object=user1@example.com&action=create", "")
	entries, _ := logs["entries"].([]any)
	if len(entries) != 1 {
		t.Fatalf("user1's create = %v", logs)
	}
	targetID := entries[0].(map[string]any)["targetId"].(string)
	scim := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, tenantURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := scim("PATCH", "/Users/"+targetID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Drifted Name"}]}`); code != 200 {
		t.Fatalf("SCIM PATCH = %d %s", code, body)
	}
	do(t, b, "reconcile",
		chromedp.Navigate(base+"/ui/apps/Payroll/reconcile"),
		chromedp.WaitVisible(chromedp.CSS(`#reconcile-run`)),
	)
	checkA11y(t, b, axe, "reconciliation")
	do(t, b, "run reconciliation",
		chromedp.Click(chromedp.CSS(`#reconcile-run`)),
		chromedp.WaitVisible(chromedp.CSS(`#findings`)),
	)
	if f, err := text(b, "#findings tbody"); err != nil || !strings.Contains(f, "drift") || !strings.Contains(f, "Drifted Name") || !strings.Contains(f, "user1@example.com") {
		t.Errorf("findings = %q, %v, want user1's displayName drift", f, err)
	}
	checkA11y(t, b, axe, "reconciliation (findings)")
	screenshot(t, b, "reconciliation")
	do(t, b, "repair",
		js(`window.confirm = () => true; 1`),
		chromedp.Click(chromedp.CSS(`#reconcile-repair`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	if f, err := text(b, "#findings tbody"); err != nil || !strings.Contains(f, "yes") {
		t.Errorf("findings after repair = %q, %v, want repaired", f, err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		_, body := scim("GET", "/Users/"+targetID, "")
		if strings.Contains(body, `"displayName":"user1@example.com"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Repair the application's user = %s, want displayName user1@example.com back", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A second reconciliation finds nothing to repair.
	do(t, b, "reconcile again", chromedp.Click(chromedp.CSS(`#reconcile-run`)), chromedp.WaitVisible(chromedp.CSS(`#findings`)))
	if _, err := text(b, "#no-findings"); err != nil {
		f, _ := text(b, "#findings tbody")
		t.Errorf("second reconciliation = %q, want no findings", f)
	}
}
