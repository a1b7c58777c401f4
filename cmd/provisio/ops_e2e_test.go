package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/testdb"
)

// TestAdminTokenReset: a lost admin.token is recovered with `admin-token
// reset` on the server's machine, without a token, on every database:
// the new token works at once on the running server, and every older
// admin token is revoked (refused after a restart, whose token cache
// starts empty). A data directory without a database is refused.
func TestAdminTokenReset(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			dsn := db.DSN(t)
			s := startServe(t, t.TempDir(), dsn)
			path := filepath.Join(s.dataDir, "admin.token")
			status := func(base, token string) int { return scimDo(t, "GET", base+"/api/v1/tenants", token, "").status }
			initial, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var ci apitypes.Token
			s.cliJSON(t, &ci, "admin-token", "create", "--name", "ci")

			if err := os.Remove(path); err != nil { // the administrator loses the file
				t.Fatal(err)
			}
			args := []string{"admin-token", "reset", "--data-dir", s.dataDir, "--json"}
			if dsn != "" {
				args = append(args, "--db", dsn)
			}
			stdout, err := cli(t, nil, args...)
			if err != nil {
				t.Fatalf("provisio %s: %v", strings.Join(args, " "), err)
			}
			var out struct {
				ID      string   `json:"id"`
				Name    string   `json:"name"`
				File    string   `json:"file"`
				Revoked []string `json:"revoked"`
			}
			if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Name != "reset" || out.File != path || len(out.Revoked) != 2 || !slices.Contains(out.Revoked, ci.ID) {
				t.Fatalf("admin-token reset printed %s (%v), want the new token named reset, its file and 2 revoked", stdout, err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("admin.token after reset: %v", err)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Errorf("admin.token after reset has mode %v, want 0600", fi.Mode().Perm())
			}
			reset := strings.TrimSpace(string(b))
			if strings.Contains(stdout, reset) {
				t.Errorf("admin-token reset printed the token; want it only in the file")
			}
			if got := status(s.base, reset); got != http.StatusOK {
				t.Errorf("the reset token on the running server: GET /api/v1/tenants = %d, want 200", got)
			}

			s.shutdown(t)
			s2 := startServe(t, s.dataDir, dsn)
			for _, tc := range []struct {
				name, token string
				want        int
			}{
				{"the reset token", reset, http.StatusOK},
				{"the lost initial token", strings.TrimSpace(string(initial)), http.StatusUnauthorized},
				{"another admin token", ci.Token, http.StatusUnauthorized},
			} {
				if got := status(s2.base, tc.token); got != tc.want {
					t.Errorf("%s after a restart: GET /api/v1/tenants = %d, want %d", tc.name, got, tc.want)
				}
			}
			var page apitypes.AuditPage
			s2.cliJSON(t, &page, "audit")
			if len(page.Entries) == 0 || page.Entries[0].Actor != "admin-token reset" || page.Entries[0].ObjectID != out.ID {
				t.Errorf("audit after the reset = %+v, want the reset of %s first", page.Entries, out.ID)
			}
			if strings.Contains(s2.stderr.String(), "file is missing") {
				t.Errorf("serve after the reset warns of a missing admin.token:\n%s", s2.stderr)
			}
		})
	}

	t.Run("no database", func(t *testing.T) {
		dir := t.TempDir()
		_, err := cli(t, nil, "admin-token", "reset", "--data-dir", dir)
		if err == nil || !strings.Contains(err.Error(), "no database") {
			t.Errorf("admin-token reset in an empty directory: error = %v, want one about no database", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "provisio.db")); err == nil {
			t.Errorf("admin-token reset in an empty directory created a database")
		}
	})
}
