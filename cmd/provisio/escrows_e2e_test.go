package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestJobEscrowsCLI: a job whose token the application refuses leaves its
// user in escrow (job escrows, text and --json); once the token is right,
// job retry --wait provisions it at once, without waiting for the escrow's
// next retry.
func TestJobEscrowsCLI(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Escrow tenant")
	var obj map[string]any
	s.cliJSON(t, &obj, "user", "create", "dana@contoso.com", "--set", "displayName=Dana Holm")
	s.cliJSON(t, &obj, "app", "create", "Shop")
	s.cliJSON(t, &obj, "app", "assign", "Shop", "--user", "dana@contoso.com")
	env := map[string]string{JobTokenEnv: "pvt_" + strings.Repeat("y", 43)}
	if _, err := s.cliIn(t, env, "job", "configure", "Shop", "--tenant-url", ten.TenantURL); err != nil {
		t.Fatalf("job configure: %v", err)
	}
	if _, err := s.cliIn(t, nil, "job", "run", "Shop", "--wait"); err == nil || !strings.Contains(err.Error(), "1 objects failed") {
		t.Fatalf("job run with a refused token: error = %v, want 1 object failed", err)
	}
	var list apitypes.EscrowList
	s.cliJSON(t, &list, "job", "escrows", "Shop")
	if len(list.Escrows) != 1 || list.Escrows[0].SourceName != "dana@contoso.com" || list.Escrows[0].Action != "create" ||
		list.Escrows[0].Attempts != 1 || !strings.Contains(list.Escrows[0].LastError, "401") {
		t.Fatalf("job escrows --json = %+v, want dana's create failed once with a 401", list)
	}
	out, err := s.cliIn(t, nil, "job", "escrows", "Shop")
	if err != nil || !strings.Contains(out, "dana@contoso.com") || !strings.Contains(out, "create") || !strings.Contains(out, "NEXT RETRY") {
		t.Errorf("job escrows = %q, %v; want a table row for dana", out, err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.cliIn(t, nil, "job", "configure", "Shop", "--token-file", tokenFile); err != nil {
		t.Fatalf("job configure --token-file: %v", err)
	}
	if _, err := s.cliIn(t, nil, "job", "retry", "Shop", "--object", "nobody@contoso.com"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("job retry --object nobody: error = %v, want a 404", err)
	}
	out, err = s.cliIn(t, nil, "job", "retry", "Shop", "--object", "dana@contoso.com", "--wait")
	if err != nil || !strings.Contains(out, "created") {
		t.Fatalf("job retry --wait = %q, %v; want the cycle's statistics", out, err)
	}
	if scimUser(t, ten, "dana@contoso.com") == nil {
		t.Errorf("dana not provisioned after job retry")
	}
	if out, err := s.cliIn(t, nil, "job", "escrows", "Shop"); err != nil || !strings.Contains(out, "No object of Shop is in escrow") {
		t.Errorf("job escrows after the retry = %q, %v; want none", out, err)
	}
}
