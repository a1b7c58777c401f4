package demo

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// services builds the demo's services over a fresh SQLite store; the
// store's OIDC clients are returned too.
func services(t *testing.T, base string) (Services, store.OIDCStore) {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "provisio.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secretbox.New(bytes.Repeat([]byte{7}, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	js, err := jobs.New(jobs.Options{Store: st.Jobs(), Source: st.Directory(), Box: box})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(js.Close)
	return Services{Directory: dirsvc.New(st.Directory(), dirsvc.Options{SSO: st.OIDC()}), Tenants: tenant.NewManager(st, tenant.Options{Box: box}),
		Jobs: js, BaseURL: base, Issuer: base + "/oidc"}, st.OIDC()
}

// checkSSO: the demo tenant signs in through the issuer of s with a
// client of the demo app whose one redirect URI is the tenant's portal
// callback at s.BaseURL; it returns the client id.
func checkSSO(t *testing.T, s Services, r Result, st store.OIDCStore) string {
	t.Helper()
	ctx := t.Context()
	if want := s.BaseURL + "/app/" + r.TenantID + "/"; r.PortalURL != want {
		t.Errorf("PortalURL = %q, want %q", r.PortalURL, want)
	}
	c, err := s.Tenants.SSOClient(ctx, r.TenantID)
	if err != nil || c.Issuer != s.Issuer {
		t.Fatalf("SSOClient(demo tenant) = %+v, %v; want issuer %s", c, err, s.Issuer)
	}
	oc, err := st.OIDCClient(ctx, c.ClientID)
	app, _ := s.Directory.GetApp(ctx, AppName)
	if err != nil || oc.AppID != app.ID || len(oc.RedirectURIs) != 1 || oc.RedirectURIs[0] != r.PortalURL+"callback" ||
		oc.Public || oc.SecretHash != dirsvc.HashClientSecret(c.ClientSecret) {
		t.Errorf("OIDC client %s = %+v, %v; want the demo app's, redirect URI %scallback, the tenant's secret", c.ClientID, oc, err, r.PortalURL)
	}
	if want := s.BaseURL + "/ui/"; r.UIURL != want {
		t.Errorf("UIURL = %q, want %q", r.UIURL, want)
	}
	admin, err := s.Directory.GetUser(ctx, AdminUser)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Directory.IsAdmin(ctx, admin.ObjectID); !ok || err != nil {
		t.Errorf("IsAdmin(%s) = %v, %v; want the demo administrator", AdminUser, ok, err)
	}
	return c.ClientID
}

func TestSeedEmptyDirectory(t *testing.T) {
	ctx := t.Context()
	s, oidcs := services(t, "http://127.0.0.1:8080")
	r, err := Seed(ctx, s)
	if err != nil {
		t.Fatalf("Seed(empty) error = %v", err)
	}
	if !r.Seeded || r.Users != len(people) || r.Groups != len(groups) {
		t.Errorf("Seed(empty) = %+v, want seeded with %d users and %d groups", r, len(people), len(groups))
	}
	if want := "http://127.0.0.1:8080/scim/" + r.TenantID + "/v2"; r.TenantURL != want {
		t.Errorf("Seed(empty).TenantURL = %q, want %q", r.TenantURL, want)
	}
	if _, err := s.Tenants.Authenticate(ctx, r.TenantID, r.Token); err != nil {
		t.Errorf("Seed(empty).Token does not authenticate on the demo tenant: %v", err)
	}

	noah, err := s.Directory.GetUser(ctx, TryUser)
	if err != nil || !noah.AccountEnabled || noah.Department != "Marketing" || noah.JobTitle == "" {
		t.Fatalf("GetUser(%s) = %+v, %v; want an enabled Marketing user with a job title", TryUser, noah, err)
	}
	boss, err := s.Directory.GetUser(ctx, mktDirector)
	if err != nil || noah.Manager != boss.ObjectID {
		t.Errorf("manager of %s = %q, want %s's object id %q (%v)", TryUser, noah.Manager, mktDirector, boss.ObjectID, err)
	}
	disabled := 0
	for _, p := range people {
		if p.disabled {
			disabled++
		}
	}
	if disabled != 1 {
		t.Errorf("seeded people have %d disabled users, want 1", disabled)
	}
	eng, err := s.Directory.GetGroup(ctx, "Engineering")
	platform, err2 := s.Directory.GetGroup(ctx, "Platform Team")
	if err != nil || err2 != nil || !hasMember(eng, platform.ObjectID, directory.KindGroup) {
		t.Errorf("Engineering = %+v (%v, %v), want Platform Team nested in it", eng, err, err2)
	}

	as, err := s.Directory.Assignments(ctx, AppName)
	if err != nil || len(as) != len(assignedUsers)+1 {
		t.Errorf("Assignments(%s) = %v, %v; want %d users and 1 group", AppName, as, err, len(assignedUsers))
	}
	app, _ := s.Directory.GetApp(ctx, AppName)
	job, err := s.Jobs.Get(ctx, app.ID)
	if err != nil || !job.Enabled || job.Interval != Interval || job.TenantURL != r.TenantURL || !job.TokenSet {
		t.Errorf("demo job = %+v, %v; want started, every %s, to %s with a token", job, err, Interval, r.TenantURL)
	}

	checkSSO(t, s, r, oidcs)
	for _, upn := range []string{SignInUser, ceo, TryUser} {
		if _, err := s.Directory.VerifyPassword(ctx, upn, Password); err != nil {
			t.Errorf("VerifyPassword(%s, the demo password) = %v, want it set", upn, err)
		}
	}
	if _, err := s.Directory.VerifyPassword(ctx, upn("Lee", "Gu"), Password); err == nil {
		t.Errorf("VerifyPassword(lee.gu, the demo password) succeeded, want only the guide's users to have it")
	}
}

func hasMember(g directory.Group, id string, kind directory.Kind) bool {
	for _, m := range g.Members {
		if m.ID == id && m.Kind == kind {
			return true
		}
	}
	return false
}

// TestSeedAgain: a second Seed creates nothing, revokes the previous
// guide token and points the job and single sign-on at the new base URL
// (a new client: the redirect URI changed), leaving passwords alone; a
// third on the same base URL keeps the client.
func TestSeedAgain(t *testing.T) {
	ctx := t.Context()
	s, oidcs := services(t, "http://127.0.0.1:8080")
	first, err := Seed(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	firstClient := checkSSO(t, s, first, oidcs)
	const changed = "changed by her in the meantime"
	if err := s.Directory.SetPassword(ctx, SignInUser, changed); err != nil {
		t.Fatal(err)
	}
	s.BaseURL, s.Issuer = "http://127.0.0.1:9090", "http://127.0.0.1:9090/oidc"
	again, err := Seed(ctx, s)
	if err != nil {
		t.Fatalf("Seed(seeded) error = %v", err)
	}
	if again.Seeded || again.TenantID != first.TenantID || again.Users != 0 {
		t.Errorf("Seed(seeded) = %+v, want the same tenant %s, nothing seeded", again, first.TenantID)
	}
	users, err := s.Directory.ListUsers(ctx, store.UserQuery{Limit: 1000})
	if err != nil || len(users) != len(people) {
		t.Errorf("users after a second Seed = %d (%v), want %d", len(users), err, len(people))
	}
	tenants, err := s.Tenants.List(ctx)
	if err != nil || len(tenants) != 1 {
		t.Errorf("tenants after a second Seed = %d (%v), want 1", len(tenants), err)
	}
	if _, err := s.Tenants.Authenticate(ctx, first.TenantID, first.Token); !errors.Is(err, tenant.ErrUnauthorized) {
		t.Errorf("the first guide token after a second Seed: error = %v, want ErrUnauthorized (revoked)", err)
	}
	if _, err := s.Tenants.Authenticate(ctx, again.TenantID, again.Token); err != nil {
		t.Errorf("the new guide token: %v", err)
	}
	app, _ := s.Directory.GetApp(ctx, AppName)
	job, err := s.Jobs.Get(ctx, app.ID)
	if want := "http://127.0.0.1:9090/scim/" + first.TenantID + "/v2"; err != nil || job.TenantURL != want || again.TenantURL != want {
		t.Errorf("job tenant URL after Seed on a new address = %q (result %q, %v), want %q", job.TenantURL, again.TenantURL, err, want)
	}
	moved := checkSSO(t, s, again, oidcs)
	if moved == firstClient {
		t.Errorf("OIDC client after Seed on a new address = %s, want a new one (new redirect URI)", moved)
	}
	if _, err := oidcs.OIDCClient(ctx, firstClient); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the first OIDC client after Seed on a new address: error = %v, want not found (replaced)", err)
	}
	if _, err := s.Directory.VerifyPassword(ctx, SignInUser, changed); err != nil {
		t.Errorf("%s's own password after a second Seed: %v, want kept", SignInUser, err)
	}
	third, err := Seed(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if kept := checkSSO(t, s, third, oidcs); kept != moved {
		t.Errorf("OIDC client after Seed on the same address = %s, want %s kept", kept, moved)
	}
}

// TestSeedWithoutSSO: on a base URL the provider cannot serve sign-in on
// (plain http, not loopback) the demo is seeded without single sign-on;
// a later start on a loopback address sets it up, passwords included.
func TestSeedWithoutSSO(t *testing.T) {
	ctx := t.Context()
	s, oidcs := services(t, "http://provisio.example.com:8080")
	r, err := Seed(ctx, s)
	if err != nil {
		t.Fatalf("Seed(plain http base) error = %v", err)
	}
	if _, err := s.Tenants.SSO(ctx, r.TenantID); r.PortalURL != "" || !errors.Is(err, tenant.ErrNotFound) {
		t.Errorf("Seed(plain http base): PortalURL %q, tenant SSO error %v; want none", r.PortalURL, err)
	}
	var b strings.Builder
	if err := WriteGuide(&b, r, GuideOptions{}); err != nil || strings.Contains(b.String(), "Single sign-on") {
		t.Errorf("guide without single sign-on mentions it (%v):\n%s", err, b.String())
	}
	s.BaseURL, s.Issuer = "http://127.0.0.1:8080", "http://127.0.0.1:8080/oidc"
	r, err = Seed(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	checkSSO(t, s, r, oidcs)
	if _, err := s.Directory.VerifyPassword(ctx, SignInUser, Password); err != nil {
		t.Errorf("VerifyPassword(%s, the demo password) after single sign-on was set up late = %v", SignInUser, err)
	}
}

func TestSeedLeavesOtherDirectoriesAlone(t *testing.T) {
	ctx := t.Context()
	s, _ := services(t, "http://127.0.0.1:8080")
	if _, err := s.Directory.CreateUser(ctx, directory.User{UserPrincipalName: "someone@fabrikam.com", AccountEnabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(ctx, s); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Seed(directory with a user) error = %v, want ErrNotEmpty", err)
	}
	if _, err := s.Directory.GetApp(ctx, AppName); !errors.Is(err, dirsvc.ErrNotFound) {
		t.Errorf("GetApp(%s) after a refused Seed: error = %v, want not found", AppName, err)
	}
	if ts, _ := s.Tenants.List(ctx); len(ts) != 0 {
		t.Errorf("tenants after a refused Seed = %d, want 0", len(ts))
	}
}

// TestSeedDataIsConsistent: every manager and group member names a seeded
// person (or group), and managers come before their reports.
func TestSeedDataIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range people {
		u := p.user()
		if p.manager != "" && !seen[p.manager] {
			t.Errorf("%s: manager %s is not seeded before it", u.UserPrincipalName, p.manager)
		}
		if seen[u.UserPrincipalName] {
			t.Errorf("%s is seeded twice", u.UserPrincipalName)
		}
		seen[u.UserPrincipalName] = true
	}
	for _, g := range groups {
		for _, m := range g.members {
			if !seen[m] {
				t.Errorf("group %s: member %s is not a seeded user or an earlier group", g.name, m)
			}
		}
		seen[g.name] = true
	}
	for _, u := range append([]string{TryUser, assignedGroup}, assignedUsers...) {
		if !seen[u] {
			t.Errorf("%s is not seeded", u)
		}
	}
}

func TestWriteGuide(t *testing.T) {
	r := Result{Seeded: true, Users: 36, Groups: 4, TenantID: "t1", TenantURL: "http://h/scim/t1/v2", Token: "pvt_x",
		PortalURL: "http://h/app/t1/"}
	tests := []struct {
		name    string
		r       Result
		o       GuideOptions
		want    []string
		notWant []string
	}{
		{
			name: "defaults need no exports",
			r:    r,
			o:    GuideOptions{Server: "http://127.0.0.1:8080", DataDir: "./provisio-data"},
			want: []string{"seeded 36 users and 4 groups", `provisio app assign "Demo App" --user ` + TryUser,
				"export URL=http://h/scim/t1/v2 TOKEN=pvt_x", "provisio user purge " + TryUser, "provisio tenant events t1",
				"# assign -> provisioned", "# change -> synchronized", "# unassign -> disabled", "# delete -> deleted",
				"open http://h/app/t1/", "sign in as " + SignInUser + ", password " + Password, "# unassign -> signed out",
				"provisio group remove-member Engineering " + SignInUser, "reload the portal: refused"},
			notWant: []string{"PROVISIO_SERVER", "PROVISIO_DATA_DIR"},
		},
		{
			name: "other server and data dir",
			r:    Result{TenantID: "t1", TenantURL: "http://h/scim/t1/v2", Token: "pvt_x"},
			o:    GuideOptions{Prog: "./bin/provisio", Server: "http://127.0.0.1:9000", DataDir: "/var/lib/my data"},
			want: []string{"seeded on an earlier start", "export PROVISIO_SERVER=http://127.0.0.1:9000",
				"export PROVISIO_DATA_DIR='/var/lib/my data'", `./bin/provisio job run "Demo App" --wait`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteGuide(&b, tt.r, tt.o); err != nil {
				t.Fatalf("WriteGuide() error = %v", err)
			}
			out := b.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("WriteGuide() does not contain %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("WriteGuide() contains %q:\n%s", w, out)
				}
			}
			if lines := strings.Count(out, "\n"); lines > 30 {
				t.Errorf("WriteGuide() is %d lines, want one screen (at most 30)", lines)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain path", "/var/lib/provisio", "/var/lib/provisio"},
		{"space", "/tmp/my data", "'/tmp/my data'"},
		{"single quote", "/tmp/it's", `'/tmp/it'\''s'`},
		{"dollar", "/tmp/$HOME", "'/tmp/$HOME'"},
		{"empty", "", "''"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shellQuote(tt.in); got != tt.want {
				t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
