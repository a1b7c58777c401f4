package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestSafeNext: only paths of the UI survive as the post-sign-in
// destination (no open redirect).
func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/ui/apps/x/provisioning?done=1": "/ui/apps/x/provisioning?done=1",
		"":                               "/ui/",
		"https://evil.example/ui/":       "/ui/",
		"//evil.example/ui/":             "/ui/",
		"/ui/\\evil":                     "/ui/",
		"/api/v1/apps":                   "/ui/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHandlerTransport: a request is served by the handler in-process,
// with its context, and answers status, headers and body.
func TestHandlerTransport(t *testing.T) {
	type key struct{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen", r.Context().Value(key{}).(string)+" "+r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "body")
	})
	hc := &http.Client{Transport: HandlerTransport(h)}
	req, _ := http.NewRequestWithContext(context.WithValue(context.Background(), key{}, "ctx"), "POST", inProcessBase+"/a/b", strings.NewReader("x"))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTeapot || string(b) != "body" || resp.Header.Get("X-Seen") != "ctx POST /a/b" {
		t.Errorf("answer = %d %q %q, want 418 body, ctx POST /a/b", resp.StatusCode, b, resp.Header.Get("X-Seen"))
	}
}

// TestLive: the live status says running, done or neither, and shows the
// quarantine banner only for a quarantined job.
func TestLive(t *testing.T) {
	l := liveOf(apitypes.JobStatus{State: "idle", Enabled: true})
	if l.Running || l.Done || !l.Hidden["quarantine"] || l.Text["st-phase"] != "No cycle has run yet." {
		t.Errorf("fresh job: %+v", l)
	}
	l = liveOf(apitypes.JobStatus{State: "running", Enabled: true, Progress: &apitypes.Progress{Kind: "initial", Processed: 7,
		Counts: apitypes.Stats{Created: 5}}, Quarantine: &apitypes.Quarantine{Reason: "too many failures"}})
	if !l.Running || l.Text["n-created"] != "5" || !strings.Contains(l.Text["st-phase"], "7 objects processed") ||
		l.Hidden["quarantine"] || l.Text["q-reason"] != "too many failures" || l.Text["st-state"] != "Quarantined" {
		t.Errorf("running quarantined job: %+v", l)
	}
}

// TestPagesParse: every page template parses with the layout and
// defines its title and content.
func TestPagesParse(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"apps", "provisioning", "message", "signedout"} {
		p, ok := pages[name]
		if !ok || p.Lookup("title") == nil || p.Lookup("content") == nil {
			t.Errorf("page %s missing or without title/content", name)
		}
	}
}
