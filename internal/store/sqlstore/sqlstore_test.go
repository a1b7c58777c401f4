package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/storetest"
	"github.com/provisio-dev/provisio/scim"
)

// postgresEnv names the PostgreSQL URL the PostgreSQL tests run against.
const postgresEnv = "PROVISIO_TEST_POSTGRES"

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")) })
}

func TestPostgres(t *testing.T) {
	base := postgresURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openPostgres(t, freshSchema(t, base)) })
}

func openSQLite(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatalf("Open(postgres) = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func postgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(postgresEnv)
	if u == "" {
		t.Skip(postgresEnv + " is not set")
	}
	return u
}

// freshSchema creates an empty schema t_<random>, dropped after the test,
// and returns base with search_path set to it, so parallel test packages
// never share tables.
func freshSchema(t testing.TB, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", postgresEnv, err)
	}
	defer db.Close()
	schema := "t_" + strings.ToLower(rand.Text()[:16])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestMigrationsIdempotent reopens a database: nothing is applied twice and
// the data survives.
func TestMigrationsIdempotent(t *testing.T) {
	dsns := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "p.db") },
		"postgres": func(t *testing.T) string { return freshSchema(t, postgresURL(t)) },
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			d := dsn(t)
			s, err := Open(context.Background(), d, nil)
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			if _, err := s.CreateTenant(context.Background(), "kept", nil); err != nil {
				t.Fatalf("CreateTenant = %v", err)
			}
			s.Close()
			for i := range 2 {
				s, err := Open(context.Background(), d, nil)
				if err != nil {
					t.Fatalf("reopen %d: Open = %v", i, err)
				}
				want, err := loadMigrations(migrationsFS, "migrations/"+s.d.name)
				if err != nil {
					t.Fatal(err)
				}
				var n int
				if err := s.r.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != len(want) {
					t.Errorf("reopen %d: schema_migrations has %d rows, %v, want %d (one per migration)", i, n, err, len(want))
				}
				if _, err := s.GetTenantByName(context.Background(), "kept"); err != nil {
					t.Errorf("reopen %d: GetTenantByName(kept) = %v", i, err)
				}
				s.Close()
			}
		})
	}
}

// TestConcurrentOpen starts several "nodes" on one database at once.
func TestConcurrentOpen(t *testing.T) {
	dsns := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "p.db") },
		"postgres": func(t *testing.T) string { return freshSchema(t, postgresURL(t)) },
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			d := dsn(t)
			errs := make(chan error, 4)
			for range 4 {
				go func() {
					s, err := Open(context.Background(), d, nil)
					if err == nil {
						s.Close()
					}
					errs <- err
				}()
			}
			for range 4 {
				if err := <-errs; err != nil {
					t.Errorf("concurrent Open = %v", err)
				}
			}
		})
	}
}

func TestOpenRejectsInMemory(t *testing.T) {
	for _, dsn := range []string{"", ":memory:", "file::memory:?cache=shared"} {
		if s, err := Open(context.Background(), dsn, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q) = nil error, want in-memory rejected", dsn)
		}
	}
}

func TestRebind(t *testing.T) {
	tests := []struct {
		name string
		d    dialect
		in   string
		want string
	}{
		{"sqlite keeps ?", sqliteDialect, "a = ? AND b = ?", "a = ? AND b = ?"},
		{"postgres numbers", postgresDialect, "a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"no placeholders", postgresDialect, "SELECT 1", "SELECT 1"},
	}
	for _, tc := range tests {
		if got := tc.d.rebind(tc.in); got != tc.want {
			t.Errorf("%s: rebind(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestMatchesETag(t *testing.T) {
	tests := []struct {
		ifMatch string
		version int64
		want    bool
	}{
		{"", 3, true},
		{"*", 3, true},
		{`W/"3"`, 3, true},
		{`"3"`, 3, true},
		{`W/"2", W/"3"`, 3, true},
		{`W/"2"`, 3, false},
		{`W/"33"`, 3, false},
	}
	for _, tc := range tests {
		if got := matchesETag(tc.ifMatch, tc.version); got != tc.want {
			t.Errorf("matchesETag(%q, %d) = %v, want %v", tc.ifMatch, tc.version, got, tc.want)
		}
	}
}

// TestDeleteTenantLeavesNoRows checks the cascade below the interface: no
// row of a deleted tenant survives in any table.
func TestDeleteTenantLeavesNoRows(t *testing.T) {
	dsns := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "p.db") },
		"postgres": func(t *testing.T) string { return freshSchema(t, postgresURL(t)) },
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			s, err := Open(context.Background(), dsn(t), nil)
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			defer s.Close()
			ctx := context.Background()
			ten, _ := s.CreateTenant(ctx, "doomed", nil)
			if _, err := s.CreateToken(ctx, store.Token{TenantID: ten.ID, Hash: []byte("h")}); err != nil {
				t.Fatalf("CreateToken = %v", err)
			}
			users, groups := standardTypes()
			tctx := store.WithTenant(ctx, ten.ID)
			u, err := s.Backend().Create(tctx, users, scim.Resource{"userName": "a"})
			if err != nil {
				t.Fatalf("Create user = %v", err)
			}
			if _, err := s.Backend().Create(tctx, groups, scim.Resource{"displayName": "g", "members": []any{map[string]any{"value": u["id"]}}}); err != nil {
				t.Fatalf("Create group = %v", err)
			}
			if err := s.DeleteTenant(ctx, ten.ID); err != nil {
				t.Fatalf("DeleteTenant = %v", err)
			}
			for _, table := range []string{"tenant_tokens", "resources", "members", "events"} {
				var n int
				if err := s.r.QueryRow(s.d.rebind("SELECT COUNT(*) FROM "+table+" WHERE tenant_id = ?"), ten.ID).Scan(&n); err != nil || n != 0 {
					t.Errorf("%s rows of the deleted tenant = %d, %v, want 0", table, n, err)
				}
			}
		})
	}
}

func standardTypes() (users, groups *scim.ResourceType) {
	reg := scim.NewStandardRegistry()
	users, _ = reg.ResourceType("User")
	groups, _ = reg.ResourceType("Group")
	return users, groups
}

// TestSQLiteFilesPrivateAndDurable: a new database and its -wal and -shm
// files are readable by their owner only, and the writer commits with
// synchronous=FULL, so an acknowledged write survives a power failure.
func TestSQLiteFilesPrivateAndDurable(t *testing.T) {
	for _, tc := range []struct {
		name string
		dsn  func(path string) string
	}{
		{"path", func(p string) string { return p }},
		{"file URL", func(p string) string { return "file:" + p + "?cache=private" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "provisio.db")
			s := openSQLite(t, tc.dsn(path))
			if _, err := s.CreateTenant(context.Background(), "acme", nil); err != nil {
				t.Fatalf("CreateTenant = %v", err)
			}
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(f)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o600 {
					t.Errorf("mode of %s = %v, want -rw-------", filepath.Base(f), got)
				}
			}
			var sync int
			if err := s.w.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
				t.Fatal(err)
			}
			if sync != 2 {
				t.Errorf("PRAGMA synchronous on the writer = %d, want 2 (FULL)", sync)
			}
			var temp int
			if err := s.w.QueryRow("PRAGMA temp_store").Scan(&temp); err != nil {
				t.Fatal(err)
			}
			if temp != 2 {
				t.Errorf("PRAGMA temp_store on the writer = %d, want 2 (MEMORY)", temp)
			}
		})
	}
}
