package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestAppSSO: `provisio app sso --json` prints the client, a secret shown
// once and the issuer, whose discovery document the server serves.
func TestAppSSO(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	var out map[string]any
	s.cliJSON(t, &out, "app", "create", "Portal")
	var c struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Issuer       string `json:"issuer"`
	}
	s.cliJSON(t, &c, "app", "sso", "Portal", "--redirect-uri", "https://portal.example.com/callback", "--json")
	if c.ClientID == "" || !strings.HasPrefix(c.ClientSecret, "pvc_") || !strings.HasSuffix(c.Issuer, "/oidc") {
		t.Fatalf("app sso --json = %+v, want client_id, a pvc_ secret and an issuer ending /oidc", c)
	}
	resp, err := http.Get(c.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s discovery = %d, want 200", c.Issuer, resp.StatusCode)
	}
	if _, err := s.cliIn(t, nil, "app", "sso", "Portal", "--redirect-uri", "http://portal.example.com/callback"); err == nil {
		t.Error("app sso with an http redirect URI succeeded, want refused")
	}
}
