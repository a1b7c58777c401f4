package app

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/provisio-dev/provisio/internal/config"
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
