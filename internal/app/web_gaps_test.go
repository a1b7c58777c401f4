package app

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/scimsvc"
)

// TestWebTestBeforeSaveAndUserSearch drives, with plain form posts, Test
// Connection before saving (the form's values are tested, nothing is
// stored, the token is never rendered back; Save stores) and the users
// search of the Directory page.
func TestWebTestBeforeSaveAndUserSearch(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	alice := webUser(t, a, "alice@example.com", "correct horse battery")
	for _, upn := range []string{"anna@example.com", "Annie@example.com", "bob@example.com"} {
		webUser(t, a, upn, "a long enough password")
	}
	a.admins = adminSet{alice.ObjectID: true}
	ten, token, err := a.tenants.Create(t.Context(), "target", nil)
	if err != nil {
		t.Fatal(err)
	}
	tenantURL := scimsvc.TenantURL(a.BaseURL(), ten.ID)
	hc, _, body := webSignIn(t, a, "/ui/apps", "alice@example.com", "correct horse battery")
	csrf := csrfField.FindStringSubmatch(body)[1]
	base := a.BaseURL() + "/ui/"
	read := func(resp *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf", csrf)
		return read(hc.PostForm(base+path, form))
	}
	if st, b := post("apps", url.Values{"name": {"Payroll"}}); st != 200 {
		t.Fatalf("create app = %d: %s", st, b)
	}
	apps, err := a.dir.ListApps(t.Context())
	if err != nil || len(apps) != 1 {
		t.Fatalf("apps = %v, %v", apps, err)
	}
	app := apps[0].ID
	cred := "apps/" + app + "/provisioning/credentials"

	// Test with a wrong token, then the right one: diagnosed, not saved.
	st, b := post(cred, url.Values{"tenantUrl": {tenantURL}, "token": {"pvt_wrong"}, "action": {"test"}})
	if st != 200 || !strings.Contains(b, "Test Connection failed</strong> (credentials)") {
		t.Errorf("test with a wrong token = %d, want the credentials diagnosis: %s", st, b)
	}
	st, b = post(cred, url.Values{"tenantUrl": {tenantURL}, "token": {token}, "action": {"test"}})
	if st != 200 || !strings.Contains(b, `id="test-result">Connection OK`) || !strings.Contains(b, "not saved yet") || strings.Contains(b, token) {
		t.Errorf("test with the right token = %d, want Connection OK, not saved, no token: %s", st, b)
	}
	if _, err := a.jobs.Get(t.Context(), app); err == nil {
		t.Fatal("Test Connection stored a job: it must test without saving")
	}
	// Save stores them; a test with the token left blank tests the stored one.
	if st, b := post(cred, url.Values{"tenantUrl": {tenantURL}, "token": {token}, "action": {"save"}}); st != 200 || !strings.Contains(b, "notice") {
		t.Fatalf("save credentials = %d: %s", st, b)
	}
	if j, err := a.jobs.Get(t.Context(), app); err != nil || !j.TokenSet || j.TenantURL != tenantURL {
		t.Fatalf("job after Save = %+v, %v, want the tenant URL and a token", j, err)
	}
	st, b = post(cred, url.Values{"tenantUrl": {tenantURL}, "token": {""}, "action": {"test"}})
	if st != 200 || !strings.Contains(b, `id="test-result">Connection OK`) || strings.Contains(b, "not saved yet") {
		t.Errorf("test of the stored credentials = %d, want Connection OK: %s", st, b)
	}
	// Another URL without a token: refused, the stored token is not sent.
	st, b = post(cred, url.Values{"tenantUrl": {"http://127.0.0.1:1/scim"}, "token": {""}, "action": {"test"}})
	if st != http.StatusBadRequest || !strings.Contains(b, "send the secret token again") {
		t.Errorf("test of another URL with the stored token = %d, want 400 refused: %s", st, b)
	}
	if j, _ := a.jobs.Get(t.Context(), app); j.TenantURL != tenantURL {
		t.Errorf("tenant URL after a refused test = %q, want the saved one", j.TenantURL)
	}

	// Users search: a prefix lists, case-insensitively; a whole UPN opens.
	st, b = read(hc.Get(base + "directory?find=ANN"))
	if st != 200 || !strings.Contains(b, "anna@example.com") || !strings.Contains(b, "Annie@example.com") || strings.Contains(b, "bob@example.com") ||
		!strings.Contains(b, "starting with") {
		t.Errorf("search ANN = %d, want anna and Annie only: %s", st, b)
	}
	st, b = read(hc.Get(base + "directory?find=zed"))
	if st != 200 || !strings.Contains(b, "No user starting with") {
		t.Errorf("search zed = %d, want no user: %s", st, b)
	}
	resp, err := hc.Get(base + "directory?find=bob@example.com")
	st, b = read(resp, err)
	if st != 200 || !strings.Contains(resp.Request.URL.Path, "/ui/directory/users/") || !strings.Contains(b, "bob@example.com") {
		t.Errorf("find bob@example.com = %d %s, want bob's page", st, resp.Request.URL)
	}
}
