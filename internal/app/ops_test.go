package app

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
)

// TestDataDirPrivate: New tightens an existing data directory to 0700,
// and the SQLite database it creates there is 0600.
func TestDataDirPrivate(t *testing.T) {
	cfg := testConfig(t)
	cfg.DataDir = filepath.Join(cfg.DataDir, "data")
	if err := os.Mkdir(cfg.DataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfg.DataDir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	defer a.Close()
	for _, tc := range []struct {
		name, path string
		want       os.FileMode
	}{
		{"data directory", cfg.DataDir, 0o700},
		{"database", filepath.Join(cfg.DataDir, config.DBFileName), 0o600},
		{"admin token", cfg.AdminTokenPath(), 0o600},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tc.want {
			t.Errorf("%s: mode = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestAdminTokenFileBeforeToken: serve writes admin.token before the
// token counts, so a file that cannot be written leaves no valid admin
// token that nobody has, and the next start makes one that works.
func TestAdminTokenFileBeforeToken(t *testing.T) {
	cfg := testConfig(t)
	// A directory where the file should go: writing it fails even as root.
	if err := os.Mkdir(cfg.AdminTokenPath(), 0o700); err != nil {
		t.Fatal(err)
	}
	if a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "write admin token") {
		if a != nil {
			a.Close()
		}
		t.Fatalf("New() with an unwritable admin.token = %v, want an error about writing it", err)
	}
	st, err := sqlstore.Open(t.Context(), cfg.DSN(), nil)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := st.ListAdminTokens(t.Context())
	st.Close()
	if err != nil || len(toks) != 0 {
		t.Fatalf("admin tokens after the failed start = %+v, %v; want none", toks, err)
	}

	if err := os.Remove(cfg.AdminTokenPath()); err != nil {
		t.Fatal(err)
	}
	a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New() once admin.token can be written = %v", err)
	}
	defer a.Close()
	tok, err := os.ReadFile(cfg.AdminTokenPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.tenants.AuthenticateAdmin(t.Context(), strings.TrimSpace(string(tok))); err != nil {
		t.Errorf("AuthenticateAdmin(token in admin.token) = %v, want nil", err)
	}
}
