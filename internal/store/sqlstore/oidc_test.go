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

func TestOIDCSQLite(t *testing.T) {
	testOIDC(t, openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")))
}

func TestOIDCPostgres(t *testing.T) {
	testOIDC(t, openPostgres(t, freshSchema(t, postgresURL(t))))
}

func testOIDC(t *testing.T, s *Store) {
	ctx := t.Context()
	o := s.OIDC()
	t0 := time.UnixMilli(1_700_000_000_000)
	for i, id := range []string{"k1", "k2"} {
		if err := o.AddOIDCKey(ctx, store.OIDCKey{ID: id, Private: []byte("sealed-" + id), Created: t0.Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.RetireOIDCKey(ctx, "k1", t0); err != nil {
		t.Fatal(err)
	}
	keys, err := o.OIDCKeys(ctx)
	if err != nil || len(keys) != 1 || keys[0].ID != "k2" || string(keys[0].Private) != "sealed-k2" || !keys[0].Created.Equal(t0.Add(time.Hour)) {
		t.Errorf("OIDCKeys() after RetireOIDCKey(k1) = %+v, %v, want only k2", keys, err)
	}
	if err := o.RetireOIDCKey(ctx, "nope", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RetireOIDCKey(nope) = %v, want ErrNotFound", err)
	}

	app, err := s.Directory().CreateApp(ctx, directory.App{Name: "Portal"})
	if err != nil {
		t.Fatal(err)
	}
	c := store.OIDCClient{AppID: app.ID, ClientID: "c1", SecretHash: "h1", RedirectURIs: []string{"https://a/cb", "https://b/cb"}, Updated: t0}
	if err := o.PutOIDCClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.ClientID, c.SecretHash, c.Public = "c2", "", true // rotation replaces the app's client
	if err := o.PutOIDCClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := o.OIDCClient(ctx, "c2")
	if err != nil || got.AppID != app.ID || !got.Public || got.SecretHash != "" || !slices.Equal(got.RedirectURIs, c.RedirectURIs) || !got.Updated.Equal(t0) {
		t.Errorf("OIDCClient(c2) = %+v, %v, want %+v", got, err, c)
	}
	if _, err := o.OIDCClient(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCClient(c1) after rotation = %v, want ErrNotFound", err)
	}
	if err := o.PutOIDCClient(ctx, store.OIDCClient{AppID: "nope", ClientID: "c3"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutOIDCClient(unknown app) = %v, want ErrNotFound", err)
	}
	if err := s.Directory().DeleteApp(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := o.OIDCClient(ctx, "c2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCClient(c2) after DeleteApp = %v, want ErrNotFound (goes with the app)", err)
	}
}

func TestOIDCGrantsSQLite(t *testing.T) {
	storetest.RunOIDCGrants(t, func(t *testing.T) store.OIDCGrantStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")).OIDCGrants()
	})
}

func TestOIDCGrantsPostgres(t *testing.T) {
	base := postgresURL(t)
	storetest.RunOIDCGrants(t, func(t *testing.T) store.OIDCGrantStore { return openPostgres(t, freshSchema(t, base)).OIDCGrants() })
}
