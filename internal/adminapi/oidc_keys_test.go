package adminapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/oidckeys"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// TestOIDCKeys: list and rotate the provider's signing keys over a real
// store, every answer checked against openapi.json; an old key is kept
// until its successor has signed for oidckeys.RetireAfter.
func TestOIDCKeys(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "provisio.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secretbox.New(make([]byte, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	mgr := tenant.NewManager(st, tenant.Options{Box: box})
	admin, _, err := mgr.IssueAdminToken(ctx, "initial")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	keys := &oidckeys.Service{St: struct {
		store.OIDCStore
		store.OIDCGrantStore
	}{st.OIDC(), st.OIDCGrants()}, Box: box, Now: clock}
	first, _, err := keys.Generate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(time.Second) // keys are ordered by creation time
	mu.Unlock()
	mux := http.NewServeMux()
	New(Config{Tenants: mgr, Events: mgr, OIDCKeys: keys, Logger: log}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	checkSpec(t, srv)
	f := &fixture{srv: srv, admin: admin, tenants: mgr}

	list := func() []any {
		r := f.call(t, "GET", "/api/v1/oidc/keys", admin, "", "")
		if r.status != http.StatusOK {
			t.Fatalf("GET oidc/keys = %d %s", r.status, r.raw)
		}
		return r.body["keys"].([]any)
	}
	if ks := list(); len(ks) != 1 || ks[0].(map[string]any)["kid"] != first.ID || ks[0].(map[string]any)["signing"] != true {
		t.Errorf("keys = %v, want the first key, signing", ks)
	}
	r := f.call(t, "POST", "/api/v1/oidc/keys/rotate", admin, "", "")
	second, _ := r.body["signing"].(map[string]any)
	if r.status != http.StatusOK || second["kid"] == first.ID || len(r.body["retired"].([]any)) != 0 {
		t.Fatalf("rotate = %d %s, want a new key and none retired (the first key's tokens are still valid)", r.status, r.raw)
	}
	ks := list()
	if len(ks) != 2 || ks[0].(map[string]any)["signing"] != false || ks[0].(map[string]any)["retired"] != nil || ks[1].(map[string]any)["signing"] != true {
		t.Errorf("keys after rotate = %v, want the first published, not signing, and the second signing", ks)
	}
	mu.Lock()
	now = now.Add(oidckeys.RetireAfter + time.Second)
	mu.Unlock()
	r = f.call(t, "POST", "/api/v1/oidc/keys/rotate", admin, "", "")
	if retired := r.body["retired"].([]any); r.status != http.StatusOK || len(retired) != 1 || retired[0] != first.ID {
		t.Errorf("rotate after RetireAfter = %d %s, want the first key retired", r.status, r.raw)
	}
	ks = list()
	if len(ks) != 3 || ks[0].(map[string]any)["retired"] == nil || ks[1].(map[string]any)["retired"] != nil {
		t.Errorf("keys = %v, want the first retired, the second still published", ks)
	}
	if pub, _ := st.OIDC().OIDCKeys(ctx); len(pub) != 2 {
		t.Errorf("published keys = %d, want 2", len(pub))
	}
	if r := f.call(t, "GET", "/api/v1/oidc/keys", "", "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("GET oidc/keys without a token = %d, want 401", r.status)
	}
}
