package adminapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/audit"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// TestInProcess: the in-process handler runs a request as the actor of
// WithActor (the audit log names them) and refuses one without an actor;
// the network handler ignores WithActor and still wants the bearer token.
func TestInProcess(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "provisio.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mgr := tenant.NewManager(st, tenant.Options{})
	al := audit.New(st.Audit(), audit.Options{Logger: log})
	api := New(Config{Tenants: mgr, Events: mgr, Directory: dirsvc.New(st.Directory(), dirsvc.Options{Logger: log}),
		Audit: al, BaseURL: "http://x", Logger: log})
	call := func(h http.Handler, ctx context.Context, name string) int {
		r := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/apps", strings.NewReader(`{"name":"`+name+`"}`))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	as := WithActor(ctx, "alice@example.com", "oid-alice")
	if got := call(api.InProcess(), ctx, "NoActor"); got != http.StatusUnauthorized {
		t.Errorf("in-process without an actor = %d, want 401", got)
	}
	if got := call(api, as, "Network"); got != http.StatusUnauthorized {
		t.Errorf("network handler with WithActor and no token = %d, want 401", got)
	}
	if got := call(api.InProcess(), as, "Payroll"); got != http.StatusCreated {
		t.Fatalf("in-process as alice = %d, want 201", got)
	}
	entries, err := al.List(ctx, time.Time{}, 10, 0)
	if err != nil || len(entries) != 1 || entries[0].Actor != "alice@example.com" || entries[0].ActorID != "oid-alice" {
		t.Errorf("audit = %+v, %v, want one change by alice@example.com (oid-alice)", entries, err)
	}
}
