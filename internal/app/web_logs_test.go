package app

import (
	"fmt"
	"html"
	"io"
	"regexp"
	"testing"

	"github.com/provisio-dev/provisio/internal/scimsvc"
)

var (
	logRowKey = regexp.MustCompile(`entry=([^"#&]+)#detail`)
	olderLink = regexp.MustCompile(`href="(/ui/logs\?[^"]+)" id="page-next"`)
)

// TestWebLogsAllApplicationsPaging: the logs of all applications are
// merged newest first and paged with a cursor per application: two
// applications with 31 creates each (62 entries) read in pages of 50
// give every entry exactly once, then no older page.
func TestWebLogsAllApplicationsPaging(t *testing.T) {
	a, admin := serveApp(t, testConfig(t))
	ctx := t.Context()
	alice := webUser(t, a, "alice@example.com", "correct horse battery")
	a.admins = adminSet{alice.ObjectID: true}
	for i := range 30 {
		webUser(t, a, fmt.Sprintf("user%02d@example.com", i), "a long enough password")
	}
	for _, app := range []string{"One", "Two"} {
		ten, token, err := a.tenants.Create(ctx, app, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/api/v1/apps", `{"name":"` + app + `"}`},
			{"PUT", "/api/v1/apps/" + app + "/job", `{"tenantUrl":"` + scimsvc.TenantURL(a.BaseURL(), ten.ID) + `","token":"` + token + `","scope":"all"}`},
			{"POST", "/api/v1/apps/" + app + "/job/runs?wait=true", ""},
		} {
			if code, out := adminCall(t, a, admin, c.method, c.path, c.body); code >= 300 {
				t.Fatalf("%s %s = %d %v", c.method, c.path, code, out)
			}
		}
	}
	hc, resp, body := webSignIn(t, a, "/ui/logs", "alice@example.com", "correct horse battery")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /ui/logs = %d", resp.StatusCode)
	}
	seen := map[string]bool{}
	var pages []int
	for range 5 {
		keys := logRowKey.FindAllStringSubmatch(body, -1)
		pages = append(pages, len(keys))
		for _, k := range keys {
			if seen[k[1]] {
				t.Errorf("entry %s shown twice", k[1])
			}
			seen[k[1]] = true
		}
		m := olderLink.FindStringSubmatch(body)
		if m == nil {
			break
		}
		r, err := hc.Get(a.BaseURL() + html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		body = string(b)
	}
	if len(seen) != 62 || len(pages) != 2 || pages[0] != 50 || pages[1] != 12 {
		t.Errorf("pages of all applications = %v, %d distinct entries; want [50 12], 62", pages, len(seen))
	}
}
