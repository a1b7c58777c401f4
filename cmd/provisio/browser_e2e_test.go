package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provisio-dev/provisio/internal/browsertest"
)

// newBrowser starts a headless chromium (internal/browsertest: never
// skipped; a missing chromium fails the test with the fix, run
// scripts/ensure-chromium.sh) and returns a context for chromedp.Run,
// bounded by timeout.
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	return browsertest.New(t, timeout)
}

// Selectors of the provider's login page (internal/oidc/login.go) and of
// the portal's page (internal/portal).
const (
	loginUser     = chromedp.CSS(`input[name="username"]`)
	loginPassword = chromedp.CSS(`input[name="password"]`)
	loginSubmit   = chromedp.CSS(`button[type="submit"]`)
	loginAlert    = chromedp.CSS(`p[role="alert"]`)
	portalUser    = chromedp.CSS(`#userName`)
	portalName    = chromedp.CSS(`#name`)
	portalMessage = chromedp.CSS(`#message`)
)

// signIn fills the provider's login page and submits it.
func signIn(user, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(loginUser),
		chromedp.SendKeys(loginUser, user),
		chromedp.SendKeys(loginPassword, password),
		fresh(chromedp.Click(loginSubmit)),
	)
}

// fresh runs a, which navigates, and returns once a new document has
// replaced the current one (see browsertest.Fresh).
func fresh(a chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return browsertest.Fresh(a)
}

// Any page the loop can land on: the provider's login page, the portal's
// profile or its message.
const anyPage = chromedp.CSS(`input[name="username"], #userName, #message`)

// page is what the browser shows after some steps.
type page struct {
	url  string
	text string // the body's text
	find func(chromedp.CSS) string
}

// browse runs steps, waits for any page of the loop and returns it; find
// reads an element's text ("" when there is none).
func browse(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) (page, error) {
	if err := chromedp.Do(ctx, append(steps, chromedp.WaitVisible(anyPage))...); err != nil {
		return page{}, err
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return page{}, err
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		return page{}, err
	}
	return page{url: loc, text: body, find: func(sel chromedp.CSS) string {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(sel, chromedp.AtLeast(0)))
		if err != nil || len(nodes) == 0 {
			return ""
		}
		v, _ := chromedp.Run(ctx, chromedp.Text(sel))
		return strings.TrimSpace(v)
	}}, nil
}

// logTail is the end of the server's log for a failure message.
func logTail(s *serveProc) string {
	l := s.stderr.String()
	return l[max(0, len(l)-3000):]
}

// TestBrowserSSOLoop is issue 13's loop in a real browser, over a real
// server (serve on 127.0.0.1) set up with the CLI as an administrator
// would: a directory user with a password; an application with an OIDC
// client at the server's own provider whose job provisions into a SCIM
// tenant of the same server; the tenant's portal signs in through that
// provider (`tenant sso`). Assign → a cycle provisions the user → in
// chromium the portal sends them to the provider's login page, they sign
// in and see their profile → unassign → the next cycle disables them →
// the reloaded portal refuses them and their session is gone → a fresh
// sign-in is refused by the provider (no longer assigned).
func TestBrowserSSOLoop(t *testing.T) {
	const upn, password = "adele.vance@contoso.com", "correct horse battery staple"
	ctx := newBrowser(t, 60*time.Second) // chromium first: a missing browser fails before any setup
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Portal app", "--policy", "entra")
	portal := s.base + "/app/" + ten.ID + "/"

	var u map[string]any
	s.cliJSON(t, &u, "user", "create", upn, "--set", "displayName=Adele Vance", "--set", "givenName=Adele",
		"--set", "surname=Vance", "--set", "mail="+upn)
	if _, err := s.cliStdin(t, password+"\n", "user", "set-password", upn); err != nil {
		t.Fatalf("user set-password: %v", err)
	}
	var app map[string]any
	s.cliJSON(t, &app, "app", "create", "Portal")
	var client struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Issuer       string `json:"issuer"`
	}
	s.cliJSON(t, &client, "app", "sso", "Portal", "--redirect-uri", portal+"callback")
	dir := t.TempDir()
	secretFile, tokenFile := filepath.Join(dir, "client-secret"), filepath.Join(dir, "token")
	for f, v := range map[string]string{secretFile: client.ClientSecret, tokenFile: ten.Token} {
		if err := os.WriteFile(f, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var sso map[string]any
	s.cliJSON(t, &sso, "tenant", "sso", ten.ID, "--issuer", client.Issuer, "--client-id", client.ClientID, "--client-secret-file", secretFile)
	var job map[string]any
	s.cliJSON(t, &job, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile)

	// assign → provisioned
	var as map[string]any
	s.cliJSON(t, &as, "app", "assign", "Portal", "--user", upn)
	if cyc := s.runCycle(t, "Portal"); cyc.Stats.Created != 1 || cyc.Error != "" {
		t.Fatalf("cycle after assign = %+v, want 1 created", cyc)
	}

	// sign in through the provider's login page → the profile
	login, err := browse(ctx, chromedp.Navigate(portal))
	if err != nil {
		t.Fatalf("open %s: %v\n%s", portal, err, logTail(s))
	}
	if !strings.HasPrefix(login.url, client.Issuer+"/") || login.find(chromedp.CSS("h1")) != "Sign in" {
		t.Fatalf("the portal sent the browser to %s showing %q, want the provider's login page under %s", login.url, login.text, client.Issuer)
	}
	home, err := browse(ctx, signIn(upn, password))
	if err != nil {
		t.Fatalf("sign in as %s: %v\n%s", upn, err, logTail(s))
	}
	if home.url != portal || home.find(portalUser) != upn || home.find(portalName) != "Adele Vance" {
		t.Fatalf("after sign-in: %s showing %q; want %s with the profile of %s (Adele Vance)", home.url, home.text, portal, upn)
	}

	// unassign → the next cycle disables the user in the application
	if _, err := s.cliIn(t, nil, "app", "unassign", "Portal", "--user", upn); err != nil {
		t.Fatalf("app unassign: %v", err)
	}
	if cyc := s.runCycle(t, "Portal"); cyc.Stats.Disabled != 1 || cyc.Error != "" {
		t.Fatalf("cycle after unassign = %+v, want 1 disabled", cyc)
	}

	// the reloaded portal refuses, and the session is gone: the next
	// visit goes back to the provider, which refuses a fresh sign-in
	const ended = "Your access to this application has ended."
	if p, err := browse(ctx, fresh(chromedp.Reload())); err != nil || p.find(portalMessage) != ended {
		t.Errorf("the reloaded portal shows %q (%v), want %q", p.text, err, ended)
	}
	again, err := browse(ctx, fresh(chromedp.Navigate(portal)))
	if err != nil || !strings.HasPrefix(again.url, client.Issuer+"/") {
		t.Fatalf("after the refusal the portal sent the browser to %s showing %q (%v), want the provider's login page (no session left)", again.url, again.text, err)
	}
	const notAssigned = "You are not assigned to this application."
	if p, err := browse(ctx, signIn(upn, password)); err != nil || p.find(loginAlert) != notAssigned {
		t.Errorf("a fresh sign-in after unassign shows %q (%v), want the provider's %q", p.text, err, notAssigned)
	}
}
