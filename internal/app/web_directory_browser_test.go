package app

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebBrowserDirectory drives the Directory, SCIM tenants and Audit
// pages in chromium: an administrator creates a user, sets its password
// (never shown back), disables and enables it, creates a group with the
// user as member, assigns the group to an application with a role,
// creates a SCIM tenant (its Secret Token shown once, then never again),
// creates and revokes a token, and finds all of it in the audit log under
// the administrator's UPN, filtered by actor and by object. Every page
// passes axe-core.
func TestWebBrowserDirectory(t *testing.T) {
	a, _, _ := webAdminApp(t)
	axe := axeSource(t)
	b := browser(t)
	base := a.BaseURL()
	html := func() string { return pageHTML(t, b) }
	confirmAll := js(`window.confirm = () => true; 1`)

	signInAlice(t, b, base+"/ui/directory", "#nu-upn")
	checkA11y(t, b, axe, "directory (users)")

	// Create a user: its page opens.
	do(t, b, "create user",
		chromedp.SendKeys(chromedp.CSS(`#nu-upn`), "bob@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#nu-displayName`), "Bob Builder"),
		chromedp.SendKeys(chromedp.CSS(`#nu-department`), "Sales"),
		chromedp.Click(chromedp.CSS(`#create-user`)),
		chromedp.WaitVisible(chromedp.CSS(`#set-password`)),
	)
	if got, _ := text(b, "#account"); got != "Enabled" {
		t.Errorf("new user's account = %q, want Enabled", got)
	}
	checkA11y(t, b, axe, "user")

	// Set a password: confirmed, never rendered back.
	const password = "a long secret password 42"
	do(t, b, "set password",
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`#set-password`)),
		noticeIs("Password set."),
	)
	if got, _ := text(b, "p.notice"); got != "Password set." {
		t.Errorf("after set password: notice %q", got)
	}
	if strings.Contains(html(), password) {
		t.Error("the page renders the password back")
	}
	if _, err := a.dir.VerifyPassword(t.Context(), "bob@example.com", password); err != nil {
		t.Errorf("bob cannot sign in with the password set on the page: %v", err)
	}

	// Disable, then enable.
	do(t, b, "disable", chromedp.Click(chromedp.CSS(`#disable`)), chromedp.WaitVisible(chromedp.CSS(`#enable`)))
	if got, _ := text(b, "#account"); got != "Disabled" {
		t.Errorf("after disable: account = %q", got)
	}
	do(t, b, "enable", chromedp.Click(chromedp.CSS(`#enable`)), chromedp.WaitVisible(chromedp.CSS(`#disable`)))
	if got, _ := text(b, "#account"); got != "Enabled" {
		t.Errorf("after enable: account = %q", got)
	}

	// The list shows the user.
	do(t, b, "users list", chromedp.Navigate(base+"/ui/directory"), chromedp.WaitVisible(chromedp.CSS(`#users`)))
	if got, _ := text(b, "#users tbody"); !strings.Contains(got, "bob@example.com") || !strings.Contains(got, "Bob Builder") {
		t.Errorf("users list = %q, want bob", got)
	}
	screenshot(t, b, "users")

	// A group with bob as member.
	do(t, b, "create group",
		chromedp.Navigate(base+"/ui/directory/groups"),
		chromedp.WaitVisible(chromedp.CSS(`#ng-name`)),
	)
	checkA11y(t, b, axe, "groups")
	do(t, b, "create group",
		chromedp.SendKeys(chromedp.CSS(`#ng-name`), "Sales team"),
		chromedp.Click(chromedp.CSS(`#create-group`)),
		chromedp.WaitVisible(chromedp.CSS(`#add-member`)),
		chromedp.SendKeys(chromedp.CSS(`#add-member`), "bob@example.com"),
		chromedp.Click(chromedp.CSS(`#add`)),
		noticeIs("Members changed."),
	)
	if got, _ := text(b, "#members tbody"); !strings.Contains(got, "bob@example.com") {
		t.Errorf("members = %q, want bob", got)
	}
	checkA11y(t, b, axe, "group")

	// Assign the group to an application with a role.
	do(t, b, "create application",
		chromedp.Navigate(base+"/ui/apps"),
		chromedp.WaitVisible(chromedp.CSS(`#app-name`)),
		chromedp.SendKeys(chromedp.CSS(`#app-name`), "CRM"),
		chromedp.Submit(chromedp.CSS(`#app-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#tenantUrl`)),
		chromedp.Navigate(base+"/ui/directory"),
		chromedp.WaitVisible(chromedp.CSS(`#assignment-apps a`)),
		chromedp.Click(chromedp.CSS(`#assignment-apps a`)),
		chromedp.WaitVisible(chromedp.CSS(`#principal`)),
		chromedp.SetValue(chromedp.CSS(`#kind`), "group"),
		chromedp.SendKeys(chromedp.CSS(`#principal`), "Sales team"),
		chromedp.SendKeys(chromedp.CSS(`#role`), "sales-rep"),
		chromedp.Click(chromedp.CSS(`#assign`)),
		noticeIs("Assigned."),
	)
	if got, _ := text(b, "#assignments tbody"); !strings.Contains(got, "Sales team") || !strings.Contains(got, "sales-rep") || !strings.Contains(got, "group") {
		t.Errorf("assignments = %q, want Sales team as group with role sales-rep", got)
	}
	checkA11y(t, b, axe, "assignments")

	// A SCIM tenant: its Secret Token is shown once.
	do(t, b, "create tenant",
		chromedp.Navigate(base+"/ui/tenants"),
		chromedp.WaitVisible(chromedp.CSS(`#tenant-name`)),
	)
	checkA11y(t, b, axe, "tenants (empty)")
	do(t, b, "create tenant",
		chromedp.SendKeys(chromedp.CSS(`#tenant-name`), "Acme"),
		chromedp.SetValue(chromedp.CSS(`#tenant-policy`), "entra"),
		chromedp.Click(chromedp.CSS(`#create-tenant`)),
		chromedp.WaitVisible(chromedp.CSS(`#created-token`)),
	)
	first := textSoon(t, b, "#created-token")
	tenantURL := textSoon(t, b, "#created-url")
	if len(first) < 20 || !strings.Contains(tenantURL, "/scim/") {
		t.Fatalf("created: token %q, tenant URL %q", first, tenantURL)
	}
	checkA11y(t, b, axe, "tenants (created)")
	do(t, b, "tenants again", chromedp.Navigate(base+"/ui/tenants"), chromedp.WaitVisible(chromedp.CSS(`#tenants`)))
	if strings.Contains(html(), first) {
		t.Error("the tenants page shows the Secret Token again")
	}
	screenshot(t, b, "tenants")
	do(t, b, "open tenant",
		chromedp.Click(chromedp.CSS(`#tenants tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`#create-token`)),
	)
	if strings.Contains(html(), first) {
		t.Error("the tenant's page shows the Secret Token again")
	}
	if got, _ := text(b, "#tenant-url"); got != tenantURL {
		t.Errorf("tenant URL = %q, want %q", got, tenantURL)
	}
	checkA11y(t, b, axe, "tenant")

	// A second token: shown once; revoked from the page.
	do(t, b, "create token",
		chromedp.SendKeys(chromedp.CSS(`#token-name`), "okta"),
		chromedp.Click(chromedp.CSS(`#create-token`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-token-secret`)),
	)
	second := textSoon(t, b, "#new-token-secret")
	if len(second) < 20 || second == first {
		t.Fatalf("new token = %q", second)
	}
	rows, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("#tokens button").length`))
	if err != nil || rows != 2 {
		t.Fatalf("revoke buttons = %d, %v, want 2", rows, err)
	}
	do(t, b, "revoke token",
		confirmAll,
		chromedp.Click(chromedp.CSS(`#tokens tbody tr:last-child button`)),
		noticeIs("Token revoked: requests presenting it are refused from now on."),
	)
	if strings.Contains(html(), second) || strings.Contains(html(), first) {
		t.Error("a token's secret is shown after the revocation")
	}
	if got, _ := text(b, "#tokens tbody"); strings.Count(got, "Revoked") != 1 {
		t.Errorf("tokens after revoke = %q, want one revoked", got)
	}
	if got, _ := text(b, "#events tbody"); !strings.Contains(got, "No change") {
		t.Errorf("change feed of a new tenant = %q", got)
	}

	// The audit log lists these changes under alice's UPN.
	do(t, b, "audit", chromedp.Navigate(base+"/ui/audit?actor=alice@example.com"), chromedp.WaitVisible(chromedp.CSS(`#audit`)))
	log, _ := text(b, "#audit tbody")
	for _, want := range []string{"POST /api/v1/users", "/password", "/disable", "/enable", "POST /api/v1/groups",
		"/members", "/assignments", "POST /api/v1/tenants", "/tokens", "DELETE /api/v1/tenants/"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q:\n%s", want, log)
		}
	}
	if n := strings.Count(log, "alice@example.com"); n < 10 {
		t.Errorf("audit log names alice %d times, want every change:\n%s", n, log)
	}
	checkA11y(t, b, axe, "audit")
	screenshot(t, b, "audit")
	// Filtered by object kind: only the tenant's creation.
	do(t, b, "audit by object",
		chromedp.Clear(chromedp.CSS(`#actor`)),
		chromedp.SendKeys(chromedp.CSS(`#object`), "tenant"),
		chromedp.Click(chromedp.CSS(`#filter`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit`)),
	)
	onlyTenants := func(s string) bool {
		return strings.Contains(s, "POST /api/v1/tenants") && !strings.Contains(s, "/api/v1/users")
	}
	if got := waitUntil(t, b, "#audit tbody", onlyTenants); !onlyTenants(got) {
		t.Errorf("audit filtered by object tenant = %q", got)
	}
	// Another actor: nothing.
	do(t, b, "audit by another actor", chromedp.Navigate(base+"/ui/audit?actor=mallory@example.com"), chromedp.WaitVisible(chromedp.CSS(`#audit`)))
	if got, _ := text(b, "#audit tbody"); got != "No entry." {
		t.Errorf("audit of another actor = %q, want none", got)
	}
	// By time (the form's datetime-local values, UTC): until the past
	// finds nothing, from the past everything; a bad time is refused.
	do(t, b, "audit until 2000", chromedp.Navigate(base+"/ui/audit?until=2000-01-01T00:00"), chromedp.WaitVisible(chromedp.CSS(`#audit`)))
	if got, _ := text(b, "#audit tbody"); got != "No entry." {
		t.Errorf("audit until 2000 = %q, want none", got)
	}
	do(t, b, "audit since 2000", chromedp.Navigate(base+"/ui/audit?since=2000-01-01T00:00&object=user"), chromedp.WaitVisible(chromedp.CSS(`#audit`)))
	if got, _ := text(b, "#audit tbody"); !strings.Contains(got, "POST /api/v1/users") || strings.Contains(got, "tenants") {
		t.Errorf("audit of users since 2000 = %q", got)
	}
	do(t, b, "audit bad time", chromedp.Navigate(base+"/ui/audit?since=yesterday"), chromedp.WaitVisible(chromedp.CSS(`#problem`)))
}

// textSoon is the text of sel once it reads non-empty (the page may still
// be settling after a form's answer), within 5 seconds.
func textSoon(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := text(ctx, sel)
		if err == nil && s != "" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("text of %s = %q, %v", sel, s, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWebBrowserDirectoryEdges covers the rest of the pages in chromium:
// a refused create shows the API's message, an invite link shown once,
// the administrator role, delete and restore of a user and of a group,
// unassign, a tenant's SSO settings (the client secret never rendered),
// its policy (invalid JSON refused, a valid one saved) and its change
// feed after a SCIM client created a user.
func TestWebBrowserDirectoryEdges(t *testing.T) {
	a, _, _ := webAdminApp(t)
	ctx := t.Context()
	carol := webUser(t, a, "carol@example.com", "carol's long password")
	ten, tenantURL, token := targetTenant(t, a, "feed")
	b := browser(t)
	base := a.BaseURL()
	html := func() string { return pageHTML(t, b) }
	confirmAll := js(`window.confirm = () => true; 1`)
	signInAlice(t, b, base+"/ui/directory", "#nu-upn")
	// A user that exists already: the API's refusal on the page.
	do(t, b, "create a duplicate",
		chromedp.SendKeys(chromedp.CSS(`#nu-upn`), "carol@example.com"),
		chromedp.Click(chromedp.CSS(`#create-user`)),
		chromedp.WaitVisible(chromedp.CSS(`#problem`)),
	)
	if got, _ := text(b, "#problem"); got == "" {
		t.Error("duplicate user: no problem shown")
	}
	// Find opens the user.
	do(t, b, "find carol",
		chromedp.SendKeys(chromedp.CSS(`#find`), "carol@example.com"),
		chromedp.Submit(chromedp.CSS(`#find`)),
		chromedp.WaitVisible(chromedp.CSS(`#invite-button`)),
	)
	// An invite link: shown in the answer, not after a reload.
	do(t, b, "invite", chromedp.Click(chromedp.CSS(`#invite-button`)), chromedp.WaitVisible(chromedp.CSS(`#invite-url`)))
	link, err := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#invite-url`)))
	if err != nil || !strings.Contains(link, "/oidc/invite/") {
		t.Fatalf("invite link = %q, %v", link, err)
	}
	do(t, b, "reload", chromedp.Navigate(base+"/ui/directory/users/"+carol.ObjectID), chromedp.WaitVisible(chromedp.CSS(`#invite-button`)))
	if strings.Contains(html(), link) {
		t.Error("the invite link is shown again")
	}
	// The administrator role, granted then revoked.
	do(t, b, "grant admin", chromedp.Click(chromedp.CSS(`#grant-admin`)), chromedp.WaitVisible(chromedp.CSS(`#revoke-admin`)))
	if got, _ := text(b, "#admin"); got != "Yes" {
		t.Errorf("after grant: administrator = %q", got)
	}
	do(t, b, "revoke admin", chromedp.Click(chromedp.CSS(`#revoke-admin`)), chromedp.WaitVisible(chromedp.CSS(`#grant-admin`)))
	// Edit an attribute.
	do(t, b, "edit",
		chromedp.Clear(chromedp.CSS(`#u-jobTitle`)),
		chromedp.SendKeys(chromedp.CSS(`#u-jobTitle`), "Buyer"),
		chromedp.Click(chromedp.CSS(`#save-user`)),
		noticeIs("Attributes saved."),
	)
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#u-jobTitle`))); v != "Buyer" {
		t.Errorf("job title after save = %q", v)
	}
	// Delete (soft), in the recycle bin, restore.
	do(t, b, "delete user", confirmAll, chromedp.Click(chromedp.CSS(`#delete`)), chromedp.WaitVisible(chromedp.CSS(`#restore`)))
	do(t, b, "recycle bin", chromedp.Navigate(base+"/ui/directory?deleted=true"), chromedp.WaitVisible(chromedp.CSS(`#users`)))
	if got, _ := text(b, "#users tbody"); !strings.Contains(got, "carol@example.com") {
		t.Errorf("recycle bin = %q, want carol", got)
	}
	do(t, b, "restore user",
		chromedp.Click(chromedp.CSS(`#users tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`#restore`)),
		chromedp.Click(chromedp.CSS(`#restore`)),
		chromedp.WaitVisible(chromedp.CSS(`#disable`)),
	)
	// A group deleted and restored; a user assigned then unassigned.
	do(t, b, "group",
		chromedp.Navigate(base+"/ui/directory/groups"),
		chromedp.WaitVisible(chromedp.CSS(`#ng-name`)),
		chromedp.SendKeys(chromedp.CSS(`#ng-name`), "Buyers"),
		chromedp.Click(chromedp.CSS(`#create-group`)),
		chromedp.WaitVisible(chromedp.CSS(`#delete`)),
		confirmAll,
		chromedp.Click(chromedp.CSS(`#delete`)),
		chromedp.WaitVisible(chromedp.CSS(`#restore`)),
		chromedp.Click(chromedp.CSS(`#restore`)),
		chromedp.WaitVisible(chromedp.CSS(`#delete`)),
	)
	if got, _ := text(b, "#group-state"); got != "Active" {
		t.Errorf("group after restore = %q", got)
	}
	app, err := a.dir.CreateApp(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	do(t, b, "assign and unassign",
		chromedp.Navigate(base+"/ui/directory/apps/"+app.ID+"/assignments"),
		chromedp.WaitVisible(chromedp.CSS(`#principal`)),
		chromedp.SendKeys(chromedp.CSS(`#principal`), "carol@example.com"),
		chromedp.Click(chromedp.CSS(`#assign`)),
		chromedp.WaitVisible(chromedp.CSS(`#assignments tbody button`)),
		confirmAll,
		chromedp.Click(chromedp.CSS(`#assignments tbody button`)),
		noticeIs("Assignment removed."),
	)
	if got, _ := text(b, "#assignments tbody"); got != "Nobody is assigned." {
		t.Errorf("after unassign: %q", got)
	}

	// A SCIM client creates a user in the tenant: the change feed shows it.
	req, _ := http.NewRequest("POST", tenantURL+"/Users", strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dave@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("SCIM create: %v %v", resp, err)
	}
	resp.Body.Close()
	do(t, b, "tenant", chromedp.Navigate(base+"/ui/tenants/"+ten.ID), chromedp.WaitVisible(chromedp.CSS(`#events`)))
	if got, _ := text(b, "#events tbody"); !strings.Contains(got, "User") {
		t.Errorf("change feed = %q, want the user created", got)
	}
	// SSO: the secret is write-only.
	const secret = "sso-client-secret-xyz"
	do(t, b, "sso",
		chromedp.SendKeys(chromedp.CSS(`#issuer`), "https://idp.example.com"),
		chromedp.SendKeys(chromedp.CSS(`#clientId`), "portal"),
		chromedp.SendKeys(chromedp.CSS(`#clientSecret`), secret),
		chromedp.Click(chromedp.CSS(`#save-sso`)),
		noticeIs("Single sign-on settings saved."),
	)
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#issuer`))); v != "https://idp.example.com" {
		t.Errorf("issuer after save = %q", v)
	}
	if strings.Contains(html(), secret) {
		t.Error("the page renders the SSO client secret back")
	}
	// Policy: not JSON is refused, JSON is saved.
	do(t, b, "bad policy",
		chromedp.SetValue(chromedp.CSS(`#policy`), "{not json"),
		chromedp.Click(chromedp.CSS(`#save-policy`)),
		chromedp.WaitVisible(chromedp.CSS(`#problem`)),
	)
	do(t, b, "policy",
		chromedp.SetValue(chromedp.CSS(`#policy`), "{}"),
		chromedp.Click(chromedp.CSS(`#save-policy`)),
		noticeIs("Compatibility policy saved."),
	)
	// Delete the tenant.
	do(t, b, "delete tenant", confirmAll, chromedp.Click(chromedp.CSS(`#delete-tenant`)), chromedp.WaitVisible(chromedp.CSS(`#tenant-name`)))
	if got, _ := text(b, "#tenants tbody"); got != "No tenant yet." {
		t.Errorf("tenants after delete = %q", got)
	}
}

// noticeIs waits until the page's notice reads want: after a form's
// POST-redirect-GET the previous page may still show an older notice.
func noticeIs(want string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		q, _ := json.Marshal(want)
		for {
			ok, err := chromedp.Evaluate[bool](`(document.querySelector("p.notice") || {}).textContent === `+string(q))(ctx, t)
			if err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}
