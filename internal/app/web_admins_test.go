package app

import (
	"net/http"
	"strings"
	"testing"
)

// TestWebDirectoryAdministrators: without a test override, the UI's
// administrators are the directory's (dirsvc.IsAdmin): a user given the
// role with SetAdmin signs in, and once the role is taken away the same
// session is refused at its next request.
func TestWebDirectoryAdministrators(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	carol := webUser(t, a, "carol@example.com", "correct horse battery")

	_, resp, body := webSignIn(t, a, "/ui/apps", "carol@example.com", "correct horse battery")
	if resp.Request.URL.Path == "/ui/apps" && resp.StatusCode == http.StatusOK {
		t.Fatalf("a user without the administrator role got into the UI: %s", body)
	}

	if _, err := a.dir.SetAdmin(t.Context(), carol.ObjectID, true); err != nil {
		t.Fatal(err)
	}
	hc, resp, body := webSignIn(t, a, "/ui/apps", "carol@example.com", "correct horse battery")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/ui/apps" || !strings.Contains(body, "<h1>Applications</h1>") {
		t.Fatalf("administrator sign-in landed on %d %s, want 200 /ui/apps: %s", resp.StatusCode, resp.Request.URL, body)
	}

	if _, err := a.dir.SetAdmin(t.Context(), carol.ObjectID, false); err != nil {
		t.Fatal(err)
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(a.BaseURL() + "/ui/apps")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("GET /ui/apps after the role was taken away = 200, want the session refused")
	}
}
