package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/testdb"
)

// cliStdin runs a CLI command against s with stdin as its standard input.
func (s *serveProc) cliStdin(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(&env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, readFile: os.ReadFile,
		transport: adminTransport(t)})
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append(args, "--server", s.base, "--data-dir", s.dataDir))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// TestUserPasswordAndInvite: `user set-password` reads the password from
// standard input and the directory then verifies it; `user invite` prints
// a one-time link whose token sets a password once, and not after it
// expired; on every database.
func TestUserPasswordAndInvite(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			dataDir, dsn := t.TempDir(), db.DSN(t)
			s := startServe(t, dataDir, dsn)
			var u apitypes.User
			s.cliJSON(t, &u, "user", "create", "alice@contoso.com")

			if _, err := s.cliStdin(t, "short\n", "user", "set-password", "alice@contoso.com"); err == nil || !strings.Contains(err.Error(), "12") {
				t.Errorf("user set-password (short) = %v, want an error naming the minimum of 12", err)
			}
			out, err := s.cliStdin(t, "correct horse battery\n", "user", "set-password", "alice@contoso.com")
			if err != nil || !strings.Contains(out, "alice@contoso.com") {
				t.Fatalf("user set-password = %q, %v, want it set", out, err)
			}
			out, err = s.cliStdin(t, "", "user", "invite", "alice@contoso.com", "--valid", "1h")
			token, ok := strings.CutPrefix(strings.SplitN(out, "\n", 2)[0], s.base+"/oidc/invite/")
			if err != nil || !ok || len(token) != 43 {
				t.Fatalf("user invite = %q, %v, want %s/oidc/invite/<token> on the first line", out, err, s.base)
			}
			var expiring apitypes.Invite
			s.cliJSON(t, &expiring, "user", "invite", "alice@contoso.com", "--valid", "1m")
			expToken := expiring.URL[strings.LastIndex(expiring.URL, "/")+1:]
			if _, err := s.cliStdin(t, "", "user", "invite", "alice@contoso.com", "--valid", "0s"); err == nil || !strings.Contains(err.Error(), "valid") {
				t.Errorf("user invite --valid 0s = %v, want an error about valid", err)
			}
			var dflt apitypes.Invite
			s.cliJSON(t, &dflt, "user", "invite", "alice@contoso.com")
			if d := time.Until(dflt.Expires); d < 71*time.Hour || d > 72*time.Hour {
				t.Errorf("user invite (no --valid) expires in %s, want 72h", d)
			}

			dsnOpen := dsn
			if dsnOpen == "" {
				dsnOpen = filepath.Join(dataDir, "provisio.db")
			}
			st, err := sqlstore.Open(context.Background(), dsnOpen, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatalf("open store: %v", err)
			}
			defer st.Close()
			ctx := context.Background()
			dir := dirsvc.New(st.Directory(), dirsvc.Options{})
			if got, err := dir.VerifyPassword(ctx, "alice@contoso.com", "correct horse battery"); err != nil || got.ObjectID != u.ObjectID {
				t.Errorf("VerifyPassword(set by the CLI) = %q, %v, want alice", got.ObjectID, err)
			}
			if _, err := dir.RedeemInvite(ctx, token, "a brand new password"); err != nil {
				t.Fatalf("RedeemInvite(printed link) = %v", err)
			}
			if _, err := dir.VerifyPassword(ctx, "alice@contoso.com", "a brand new password"); err != nil {
				t.Errorf("VerifyPassword(redeemed) = %v", err)
			}
			if _, err := dir.RedeemInvite(ctx, token, "yet another password"); !errors.Is(err, dirsvc.ErrNotFound) {
				t.Errorf("RedeemInvite(used link) = %v, want ErrNotFound", err)
			}
			if logs := s.stderr.String(); strings.Contains(logs, "correct horse battery") || strings.Contains(logs, token) {
				t.Errorf("serve's log holds a password or an invite token:\n%s", logs)
			}
			later := dirsvc.New(st.Directory(), dirsvc.Options{Now: func() time.Time { return time.Now().Add(2 * time.Minute) }})
			if _, err := later.RedeemInvite(ctx, expToken, "yet another password"); !errors.Is(err, dirsvc.ErrNotFound) {
				t.Errorf("RedeemInvite(expired link) = %v, want ErrNotFound", err)
			}
		})
	}
}
