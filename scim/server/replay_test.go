package server

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// replayStep is one file under testdata/replay: a request that Microsoft
// Entra ID sends (../shared/reference/entra-provisioning.md sections 1-2,
// cleaned to valid JSON) and what the response must hold. Strings may use
// {{var}} for values saved by earlier steps; json and absent use JSON
// pointers (RFC 6901) into the response body.
type replayStep struct {
	Name    string `json:"name"`
	Source  string `json:"source"`
	Request struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"request"`
	Expect struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		JSON    map[string]any    `json:"json"`
		Absent  []string          `json:"absent"`
	} `json:"expect"`
	Save map[string]string `json:"save"`
}

// TestReplayEntra replays the Entra requests in order against one fresh
// handler mounted at /scim/t1/v2 with the default policy.
func TestReplayEntra(t *testing.T) {
	files, err := filepath.Glob("testdata/replay/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no replay files: %v", err)
	}
	sort.Strings(files)
	f := newFixture(t)
	vars := map[string]string{}
	subst := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{{"+k+"}}", v)
		}
		return s
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var st replayStep
		if err := json.Unmarshal(raw, &st); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			var body string
			if len(st.Request.Body) > 0 {
				body = subst(string(st.Request.Body))
			}
			// The files show query strings as the docs print them; send
			// them as a client would, with spaces and quotes escaped.
			path := strings.NewReplacer(" ", "%20", `"`, "%22").Replace(subst(st.Request.Path))
			r := httptest.NewRequest(st.Request.Method, "http://example.com/scim/t1/v2"+path, strings.NewReader(body))
			for k, v := range st.Request.Headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if w.Code != st.Expect.Status {
				t.Fatalf("%s %s (%s) = %d %s, want %d", st.Request.Method, st.Request.Path, st.Source, w.Code, w.Body, st.Expect.Status)
			}
			for k, v := range st.Expect.Headers {
				if got := w.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			var resp any
			if w.Body.Len() > 0 {
				if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
					t.Fatalf("response is not JSON: %v: %s", err, w.Body)
				}
			}
			for ptr, want := range st.Expect.JSON {
				want = substAny(want, subst)
				got, ok := at(resp, ptr)
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("response %s = %#v (present %v), want %#v\nbody: %s", ptr, got, ok, want, w.Body)
				}
			}
			for _, ptr := range st.Expect.Absent {
				if got, ok := at(resp, ptr); ok {
					t.Errorf("response %s = %#v, want absent", ptr, got)
				}
			}
			for name, ptr := range st.Save {
				v, _ := at(resp, ptr)
				s, ok := v.(string)
				if !ok {
					t.Fatalf("save %s: response %s = %#v, want a string", name, ptr, v)
				}
				vars[name] = s
			}
		})
	}
}

func substAny(v any, subst func(string) string) any {
	switch x := v.(type) {
	case string:
		return subst(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = substAny(e, subst)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = substAny(e, subst)
		}
		return out
	}
	return v
}
