package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/scimsvc"
)

// TestWebMappingsWithoutJavaScript drives the mappings, scoping, plan,
// on-demand and staged pages with plain form posts, as a browser without
// JavaScript does: the Evaluate button, a refused expression next to its
// field with the caret, editing (apply on create, default if null),
// removing and restoring the default mappings, MEMBER_OF and refused
// scoping clauses, and the script's evaluate endpoint (CSRF-checked).
func TestWebMappingsWithoutJavaScript(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	alice := webUser(t, a, "alice@example.com", "correct horse battery")
	webUser(t, a, "bob@example.com", "a password of bob")
	a.admins = adminSet{alice.ObjectID: true}
	if _, err := a.dir.CreateGroup(t.Context(), directory.Group{DisplayName: "Sales", MailNickname: "sales"}); err != nil {
		t.Fatal(err)
	}
	ten, token, err := a.tenants.Create(t.Context(), "target", nil)
	if err != nil {
		t.Fatal(err)
	}
	hc, _, body := webSignIn(t, a, "/ui/apps", "alice@example.com", "correct horse battery")
	csrf := csrfField.FindStringSubmatch(body)[1]
	base := a.BaseURL() + "/ui/"
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf", csrf)
		resp, err := hc.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, b := post("apps", url.Values{"name": {"Payroll"}}); st != 200 {
		t.Fatalf("create app = %d: %s", st, b)
	}
	apps, err := a.dir.ListApps(t.Context())
	if err != nil || len(apps) != 1 {
		t.Fatalf("apps = %v, %v", apps, err)
	}
	app := apps[0].ID
	if st, b := post("apps/"+app+"/provisioning/credentials", url.Values{"tenantUrl": {scimsvc.TenantURL(a.BaseURL(), ten.ID)},
		"token": {token}, "action": {"save"}}); st != 200 {
		t.Fatalf("credentials = %d: %s", st, b)
	}
	m := "apps/" + app + "/mappings/user"

	// Evaluate without JavaScript: the page again with the value.
	st, b := post(m, url.Values{"action": {"evaluate"}, "target": {"displayName"}, "mappingType": {"expression"},
		"expression": {`Join("-", [mailNickname], "x")`}, "user": {"bob@example.com"}})
	if st != 200 || !strings.Contains(b, `id="eval-value">&#34;bob-x&#34;</code>`) {
		t.Errorf("evaluate = %d, want the value bob-x: %s", st, b)
	}
	// A syntax error refused on saving: next to the field, with the caret.
	st, b = post(m, url.Values{"target": {"displayName"}, "mappingType": {"expression"}, "expression": {`Join("-", [mailNickname]`}})
	if st != http.StatusBadRequest || !strings.Contains(b, `id="expression-error"`) || !strings.Contains(b, `aria-invalid="true"`) ||
		!strings.Contains(b, "\n                        ^</pre>") {
		t.Errorf("invalid expression = %d, want the error next to the field and a caret under column 24: %s", st, b)
	}
	// The script's endpoint: JSON, CSRF-checked.
	resp, err := hc.PostForm(base+m+"/evaluate", url.Values{"expression": {`ToUpper("a")`}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("evaluate endpoint without csrf = %d, want 403", resp.StatusCode)
	}
	resp, err = hc.PostForm(base+m+"/evaluate", url.Values{"csrf": {csrf}, "expression": {`ToUpper("a"`}})
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		OK       bool
		Error    string
		Line     string
		Caret    string
		Position *int
	}
	err = json.NewDecoder(resp.Body).Decode(&ev)
	resp.Body.Close()
	if err != nil || ev.OK || ev.Error == "" || ev.Line != `ToUpper("a"` || ev.Position == nil || ev.Caret != strings.Repeat(" ", *ev.Position)+"^" {
		t.Errorf("evaluate endpoint = %+v, %v, want the error with its line and caret", ev, err)
	}

	// Edit: a constant applied on create only, with a default.
	if st, b = post(m, url.Values{"target": {"title"}, "mappingType": {"constant"}, "value": {"Staff"}, "apply": {"create"},
		"default": {"Employee"}}); st != 200 || !strings.Contains(b, "Mapping saved.") {
		t.Fatalf("save constant = %d: %s", st, b)
	}
	if _, b = get(m + "?edit=title"); !strings.Contains(b, `id="value" name="value" value="Staff"`) ||
		!strings.Contains(b, `<option value="create" selected>`) || !strings.Contains(b, `value="Employee"`) || !strings.Contains(b, "Save mapping") {
		t.Errorf("edit form not prefilled with the mapping: %s", b)
	}
	// Editing with another target replaces the mapping edited.
	if st, b = post(m, url.Values{"original": {"title"}, "target": {"nickName"}, "mappingType": {"constant"}, "value": {"Staff"},
		"apply": {"always"}}); st != 200 || strings.Contains(b, "<code>title</code>") || !strings.Contains(b, "<code>nickName</code>") {
		t.Errorf("rename title to nickName = %d, want nickName listed instead of title: %s", st, b)
	}
	if st, b = post(m, url.Values{"original": {"nickName"}, "target": {"title"}, "mappingType": {"constant"}, "value": {"Staff"},
		"apply": {"create"}}); st != 200 || strings.Contains(b, "<code>nickName</code>") {
		t.Errorf("rename back = %d: %s", st, b)
	}
	// Remove it, then restore the defaults: the default title mapping is back.
	if st, b = post(m+"/remove", url.Values{"target": {"title"}}); st != 200 || strings.Contains(b, "<code>title</code>") {
		t.Errorf("remove = %d, the title mapping still listed: %s", st, b)
	}
	if st, b = post("apps/"+app+"/restore-defaults", url.Values{}); st != 200 || !strings.Contains(b, "<code>title</code>") ||
		!strings.Contains(b, "Default mappings restored") {
		t.Errorf("restore defaults = %d: %s", st, b)
	}

	// Scoping: a refused clause shown, a MEMBER_OF clause (no attribute)
	// added, removed; then cleared.
	s := "apps/" + app + "/scoping/user"
	if st, b = post(s, url.Values{"attribute1": {"employeeId"}, "operator1": {"Greater_Than"}, "value1": {"many"}}); st != http.StatusBadRequest ||
		!strings.Contains(b, `id="scoping-error"`) {
		t.Errorf("bad clause = %d, want the refusal: %s", st, b)
	}
	if st, b = post(s, url.Values{"attribute1": {""}, "operator1": {"MEMBER_OF"}, "value1": {"Sales"},
		"attribute2": {"department"}, "operator2": {"IS NOT NULL"}, "value2": {"ignored"}}); st != 200 ||
		!strings.Contains(b, "<code>MEMBER_OF Sales</code> <strong>and</strong> <code>department IS NOT NULL</code>") {
		t.Errorf("add filter = %d: %s", st, b)
	}
	if st, b = post(s, url.Values{"attribute1": {"userPrincipalName"}, "operator1": {"ENDS_WITH"}, "value1": {"@example.com"}}); st != 200 {
		t.Errorf("second filter = %d: %s", st, b)
	}
	if st, b = post(s+"/remove", url.Values{"n": {"1"}}); st != 200 || strings.Contains(b, "MEMBER_OF Sales") ||
		!strings.Contains(b, "userPrincipalName ENDS_WITH @example.com") {
		t.Errorf("remove filter 1 = %d: %s", st, b)
	}
	if st, b = post(s+"/clear", url.Values{}); st != 200 || !strings.Contains(b, `<p id="filters">No scoping filter.</p>`) {
		t.Errorf("clear = %d: %s", st, b)
	}

	// The other pages.
	if st, b = get("apps/" + app + "/mappings/group"); st != 200 || !strings.Contains(b, "Attribute mappings (groups)") {
		t.Errorf("group mappings = %d: %s", st, b)
	}
	if st, _ = get("apps/" + app + "/mappings/device"); st != http.StatusNotFound {
		t.Errorf("mappings of an unknown type = %d, want 404", st)
	}
	if st, b = get("apps/" + app + "/plan"); st != 200 || !strings.Contains(b, `id="plan-kind">initial`) {
		t.Errorf("plan = %d: %s", st, b)
	}
	if st, b = get("apps/" + app + "/staged"); st != 200 || !strings.Contains(b, "Nothing is staged.") {
		t.Errorf("staged = %d: %s", st, b)
	}
	if st, b = post("apps/"+app+"/provision-on-demand", url.Values{"user": {"nobody@example.com"}}); st != http.StatusNotFound ||
		!strings.Contains(b, `id="problem"`) {
		t.Errorf("provision an unknown user = %d, want the API's 404 shown: %s", st, b)
	}
}
