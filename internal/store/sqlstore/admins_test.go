package sqlstore

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/storetest"
)

func TestAdminsSQLite(t *testing.T) {
	storetest.RunAdmins(t, func(t *testing.T) store.Directory {
		return openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")).Directory()
	})
}

func TestAdminsPostgres(t *testing.T) {
	base := postgresURL(t)
	storetest.RunAdmins(t, func(t *testing.T) store.Directory { return openPostgres(t, freshSchema(t, base)).Directory() })
}

func TestOIDCClientAdminSQLite(t *testing.T) {
	testOIDCClientAdmin(t, openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")))
}

func TestOIDCClientAdminPostgres(t *testing.T) {
	testOIDCClientAdmin(t, openPostgres(t, freshSchema(t, postgresURL(t))))
}

// testOIDCClientAdmin: post-logout redirect URIs round-trip; a client is
// read and deleted by its application.
func testOIDCClientAdmin(t *testing.T, s *Store) {
	ctx := t.Context()
	o := s.OIDC()
	ca := o.(store.OIDCClientAdmin)
	app, err := s.Directory().CreateApp(ctx, directory.App{Name: "Portal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.OIDCClientOfApp(ctx, app.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCClientOfApp(no client) = %v, want ErrNotFound", err)
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	c := store.OIDCClient{AppID: app.ID, ClientID: "c1", SecretHash: "h", RedirectURIs: []string{"https://a/cb"},
		PostLogoutRedirectURIs: []string{"https://a/bye", "https://b/bye"}, Updated: t0}
	if err := o.PutOIDCClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	for name, get := range map[string]func() (store.OIDCClient, error){
		"OIDCClient":      func() (store.OIDCClient, error) { return o.OIDCClient(ctx, "c1") },
		"OIDCClientOfApp": func() (store.OIDCClient, error) { return ca.OIDCClientOfApp(ctx, app.ID) },
	} {
		got, err := get()
		if err != nil || got.ClientID != "c1" || !slices.Equal(got.PostLogoutRedirectURIs, c.PostLogoutRedirectURIs) {
			t.Errorf("%s = %+v, %v, want %+v", name, got, err, c)
		}
	}
	if got, err := o.OIDCClient(ctx, "c1"); err != nil || got.AssignmentOptional {
		t.Errorf("OIDCClient = %+v, %v, want assignment required (the default)", got, err)
	}
	// "Assignment required" off, then on again (migration 0820).
	for _, optional := range []bool{true, false} {
		c.AssignmentOptional = optional
		if err := o.PutOIDCClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		if got, err := ca.OIDCClientOfApp(ctx, app.ID); err != nil || got.AssignmentOptional != optional {
			t.Errorf("OIDCClientOfApp after AssignmentOptional=%v = %+v, %v", optional, got, err)
		}
	}
	c.PostLogoutRedirectURIs = nil
	if err := o.PutOIDCClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := o.OIDCClient(ctx, "c1"); err != nil || got.PostLogoutRedirectURIs != nil {
		t.Errorf("OIDCClient after clearing = %+v, %v, want no post-logout URIs", got, err)
	}
	if err := ca.DeleteOIDCClient(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := o.OIDCClient(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCClient after delete = %v, want ErrNotFound", err)
	}
	if err := ca.DeleteOIDCClient(ctx, app.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteOIDCClient twice = %v, want ErrNotFound", err)
	}
}
