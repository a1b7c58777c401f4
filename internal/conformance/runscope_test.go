package conformance

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOktaSuiteShape pins what the runner relies on in Okta's file: its
// size, and that every step type, source and comparison in it is one the
// runner implements (a new kind would otherwise fail only at run time).
func TestOktaSuiteShape(t *testing.T) {
	suite, err := LoadTest(suitePath(t, oktaSuite))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{
		CompareEqual: true, CompareEqualNumber: true, CompareNotEmpty: true, CompareHasValue: true,
		CompareContains: true, CompareIsANumber: true, CompareIsLessThan: true,
	}
	sources := map[string]bool{SourceStatus: true, SourceJSON: true, SourceTime: true}
	requests, assertions := 0, 0
	for i, s := range suite.Steps {
		switch s.StepType {
		case StepPause:
			continue
		case StepRequest:
		default:
			t.Errorf("step %d: step type %q, want request or pause", i, s.StepType)
			continue
		}
		requests++
		for _, a := range s.Assertions {
			assertions++
			if !known[a.Comparison] || !sources[a.Source] {
				t.Errorf("step %d: assertion %s uses a kind the runner does not implement", i, a)
			}
		}
		for _, v := range s.Variables {
			if v.Source != SourceJSON {
				t.Errorf("step %d: variable %s from %q, want %q", i, v.Name, v.Source, SourceJSON)
			}
		}
	}
	if requests != 12 || assertions != 52 {
		t.Errorf("Okta suite has %d requests and %d assertions, want 12 and 52", requests, assertions)
	}
}

func TestLoadTestErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"steps": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.json"), bad} {
		if _, err := LoadTest(path); err == nil {
			t.Errorf("LoadTest(%s) = nil error, want one", filepath.Base(path))
		}
	}
}

func TestRunnerSend(t *testing.T) {
	var got struct {
		method, uri, auth, body string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.uri, got.auth, got.body = r.Method, r.RequestURI, r.Header.Get("Authorization"), string(b)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"new-id","emails":[{"value":"a@b.c"}]}`)
	}))
	defer srv.Close()
	r := &Runner{Client: srv.Client(), Vars: Vars{"base": srv.URL, "auth": "Bearer t", "name": "a b"}}
	step := Step{
		StepType: StepRequest, Method: http.MethodPost,
		URL:       `{{base}}/Users?filter=userName eq "{{name}}"`,
		Headers:   map[string][]string{"Authorization": {"{{auth}}"}},
		Body:      `{"userName":"{{name}}"}`,
		Variables: []Variable{{Source: SourceJSON, Name: "id", Property: "id"}},
	}
	resp, err := r.Send(t.Context(), step)
	if err != nil {
		t.Fatalf("Send() = %v", err)
	}
	if resp.Status != http.StatusCreated || resp.Elapsed <= 0 {
		t.Errorf("Send() status %d, elapsed %v; want 201 and a positive time", resp.Status, resp.Elapsed)
	}
	want := `/Users?filter=userName%20eq%20%22a%20b%22`
	if got.method != "POST" || got.uri != want || got.auth != "Bearer t" || got.body != `{"userName":"a b"}` {
		t.Errorf("server saw %s %s auth %q body %s, want POST %s auth \"Bearer t\" body {\"userName\":\"a b\"}", got.method, got.uri, got.auth, got.body, want)
	}
	if id, err := Extract(step.Variables[0], resp); err != nil || id != "new-id" {
		t.Errorf("Extract(id) = %q, %v, want new-id", id, err)
	}
	if v, err := Extract(Variable{Source: SourceJSON, Name: "mail", Property: "emails[0].value"}, resp); err != nil || v != "a@b.c" {
		t.Errorf("Extract(emails[0].value) = %q, %v, want a@b.c", v, err)
	}
	for _, v := range []Variable{
		{Source: SourceJSON, Name: "x", Property: "missing"},
		{Source: "response_headers", Name: "x", Property: "Location"},
	} {
		if _, err := Extract(v, resp); err == nil {
			t.Errorf("Extract(%+v) = nil error, want one", v)
		}
	}

	step.URL = "{{nowhere}}/Users"
	if _, err := r.Send(t.Context(), step); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("Send(undefined variable in URL) = %v, want an error naming it", err)
	}
}

func TestStepHasScripts(t *testing.T) {
	tests := []struct {
		scripts []string
		want    bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"  \n"}, false},
		{[]string{"", "assert(1)"}, true},
	}
	for _, tc := range tests {
		if got := (Step{Scripts: tc.scripts}).HasScripts(); got != tc.want {
			t.Errorf("HasScripts(%q) = %v, want %v", tc.scripts, got, tc.want)
		}
	}
}
