package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestOIDCKeysCLI: `oidc keys` lists the first key as signing;
// `oidc rotate-keys` makes a new one that the running server publishes
// next to the old one (kept until its tokens expire).
func TestOIDCKeysCLI(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	type key struct {
		Kid     string `json:"kid"`
		Retired string `json:"retired"`
		Signing bool   `json:"signing"`
	}
	var ks struct{ Keys []key }
	s.cliJSON(t, &ks, "oidc", "keys")
	if len(ks.Keys) != 1 || !ks.Keys[0].Signing || ks.Keys[0].Retired != "" {
		t.Fatalf("oidc keys --json = %+v, want one signing key", ks)
	}
	var rot struct {
		Signing key      `json:"signing"`
		Retired []string `json:"retired"`
	}
	s.cliJSON(t, &rot, "oidc", "rotate-keys")
	if rot.Signing.Kid == "" || rot.Signing.Kid == ks.Keys[0].Kid || !rot.Signing.Signing || len(rot.Retired) != 0 {
		t.Fatalf("oidc rotate-keys --json = %+v, want a new signing key and none retired", rot)
	}
	s.cliJSON(t, &ks, "oidc", "keys")
	if len(ks.Keys) != 2 || ks.Keys[0].Signing || !ks.Keys[1].Signing || ks.Keys[1].Kid != rot.Signing.Kid {
		t.Errorf("oidc keys after rotate = %+v, want the old key published and the new one signing", ks)
	}
	out, err := s.cliIn(t, nil, "oidc", "keys")
	if err != nil || !strings.Contains(out, "SIGNING") || !strings.Contains(out, rot.Signing.Kid) {
		t.Errorf("oidc keys = %q, %v, want a table with the new kid", out, err)
	}
	// The JWKS of the running server is re-read from the store (at most
	// 30 s later); its first read after the start already happened, so
	// only check the old key is still published.
	resp, err := http.Get(s.base + "/oidc/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct{ Keys []struct{ Kid string } }
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(jwks.Keys, func(k struct{ Kid string }) bool { return k.Kid == ks.Keys[0].Kid }) {
		t.Errorf("JWKS = %+v, want the old key %s still published", jwks.Keys, ks.Keys[0].Kid)
	}
}
