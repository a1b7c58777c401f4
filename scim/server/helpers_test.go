package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/backend/memory"
)

// spyBackend records the options the Handler passes to the backend and can
// inject errors.
type spyBackend struct {
	backend.Backend
	mu       sync.Mutex
	gets     []backend.GetOptions
	queries  []backend.Query
	updates  []backend.Change
	failWith error
}

func (s *spyBackend) Get(ctx context.Context, rt *scim.ResourceType, id string, opts backend.GetOptions) (scim.Resource, error) {
	s.mu.Lock()
	s.gets = append(s.gets, opts)
	fail := s.failWith
	s.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	return s.Backend.Get(ctx, rt, id, opts)
}

func (s *spyBackend) List(ctx context.Context, rt *scim.ResourceType, q backend.Query) (backend.Page, error) {
	s.mu.Lock()
	s.queries = append(s.queries, q)
	fail := s.failWith
	s.mu.Unlock()
	if fail != nil {
		return backend.Page{}, fail
	}
	return s.Backend.List(ctx, rt, q)
}

func (s *spyBackend) Update(ctx context.Context, rt *scim.ResourceType, id, ifMatch string, c backend.Change, opts backend.GetOptions) (scim.Resource, error) {
	s.mu.Lock()
	s.updates = append(s.updates, c)
	s.mu.Unlock()
	return s.Backend.Update(ctx, rt, id, ifMatch, c, opts)
}

func (s *spyBackend) lastGet() backend.GetOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets[len(s.gets)-1]
}

func (s *spyBackend) lastQuery() backend.Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[len(s.queries)-1]
}

type fixture struct {
	t    testing.TB
	h    *Handler
	spy  *spyBackend
	logs *bytes.Buffer
}

// newFixture returns a Handler over a fresh memory backend. mod may
// change the Config.
func newFixture(t testing.TB, mod ...func(*Config)) *fixture {
	t.Helper()
	logs := &bytes.Buffer{}
	tick := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { tick = tick.Add(time.Second); return tick } // calls are serialised by the backend's lock
	spy := &spyBackend{Backend: memory.New(memory.WithClock(clock))}
	cfg := Config{
		Registry: scim.NewStandardRegistry(),
		Backend:  spy,
		Logger:   slog.New(slog.NewTextHandler(logs, nil)),
	}
	for _, m := range mod {
		m(&cfg)
	}
	return &fixture{t: t, h: New(cfg), spy: spy, logs: logs}
}

// do sends a request; headers are "Name: value" strings.
func (f *fixture) do(method, path, body string, headers ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, "http://example.com"+path, rd)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

// create POSTs a resource and returns its id, failing the test unless 201.
func (f *fixture) create(endpoint, body string) string {
	f.t.Helper()
	w := f.do("POST", endpoint, body)
	if w.Code != http.StatusCreated {
		f.t.Fatalf("POST %s = %d %s, want 201", endpoint, w.Code, w.Body)
	}
	id, _ := decode(f.t, w)["id"].(string)
	return id
}

func (f *fixture) user(userName string) string {
	return f.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+userName+`","active":true,"name":{"givenName":"G","familyName":"F"},"emails":[{"value":"`+userName+`@example.com","type":"work","primary":true}]}`)
}

func (f *fixture) group(name string, members ...string) string {
	var ms []string
	for _, m := range members {
		ms = append(ms, `{"value":"`+m+`"}`)
	}
	return f.create("/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"`+name+`","members":[`+strings.Join(ms, ",")+`]}`)
}

func decode(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("response body %q is not a JSON object: %v", w.Body, err)
	}
	return m
}

// wantError checks an RFC 7644 §3.12 error response.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, scimType string) map[string]any {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d (body %s), want %d", w.Code, w.Body, status)
	}
	if ct := w.Header().Get("Content-Type"); ct != scim.MediaType {
		t.Errorf("Content-Type = %q, want %q", ct, scim.MediaType)
	}
	m := decode(t, w)
	if m["status"] != itoa(status) {
		t.Errorf("error status = %#v, want %q", m["status"], itoa(status))
	}
	if s, _ := m["scimType"].(string); s != scimType {
		t.Errorf("scimType = %q, want %q (detail %v)", s, scimType, m["detail"])
	}
	if sch, _ := m["schemas"].([]any); len(sch) != 1 || sch[0] != scim.ErrorMessage {
		t.Errorf("schemas = %v, want [%s]", m["schemas"], scim.ErrorMessage)
	}
	return m
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// at returns the value at a JSON pointer (RFC 6901) in v.
func at(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i := -1
			if err := json.Unmarshal([]byte(tok), &i); err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
