// Package demo owns `provisio serve --demo`: it seeds an empty directory
// with a small company (users with departments, job titles and managers,
// one of them disabled; groups, one nested in another), a SCIM tenant on
// the same server (RFC 7644 service provider, Entra policy) and the app
// "Demo App" whose provisioning job targets that tenant every few seconds
// with some users and a group assigned, and it prints the commands that
// show the provisioning loop: assign → provisioned, change → synchronized,
// unassign → disabled, delete → deleted. Single sign-on is set up too
// (sso.go): the demo tenant's portal signs users in through the server's
// own OpenID provider, and a few users have a demo password.
//
// Seeding happens once. On a later start the demo is found by its app and
// left as it is, except that the job is pointed at the tenant's current
// Tenant URL (the server may listen elsewhere now), and single sign-on at
// the current issuer and portal callback. A directory that holds
// users but no demo app is never touched.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/portal"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/internal/web"
	"github.com/provisio-dev/provisio/scim/server"
)

// Names of what the demo creates.
const (
	AppName    = "Demo App"
	TenantName = "Demo App (local SCIM)"
	// TryUser is enabled and not assigned to the app: the guide walks it
	// through the loop.
	TryUser = "noah.fischer@contoso.com"
	// Interval is the demo job's cycle interval.
	Interval = 10 * time.Second
	// guideTokenName labels the tenant token the guide shows; the one of
	// an earlier start is revoked when a new one is issued.
	guideTokenName = "demo guide"
)

// Services are the parts of the server the demo seeds through.
type Services struct {
	Directory *dirsvc.Service
	Tenants   *tenant.Manager
	Jobs      *jobs.Service
	BaseURL   string       // the server's external base URL
	Issuer    string       // the server's OpenID provider: BaseURL + "/oidc"
	Logger    *slog.Logger // nil: discard
}

// Result describes the demo for the guide.
type Result struct {
	// Seeded is true when this call created the demo, false when an
	// earlier start had.
	Seeded    bool
	Users     int // users seeded (0 when not Seeded)
	Groups    int // groups seeded (0 when not Seeded)
	TenantID  string
	TenantURL string
	// Token is a fresh secret token of the demo tenant for the guide's
	// curl example (the job holds its own).
	Token string
	// PortalURL is the demo tenant's portal page, where SignInUser signs
	// in with Password; "" when single sign-on could not be set up (the
	// base URL is plain http on a host other than loopback).
	PortalURL string
	// UIURL is the admin web UI, where AdminUser signs in with Password;
	// "" when single sign-on could not be set up.
	UIURL string
}

// ErrNotEmpty means the directory has users but no demo app: seeding
// would mix the demo into someone's data, so it is not done.
var ErrNotEmpty = errors.New("the directory already has users and no " + `"` + AppName + `"` + " app: not seeding the demo (use an empty --data-dir or database)")

// Seed creates the demo when the directory is empty, or finds the one an
// earlier start created (see the package documentation). It returns
// ErrNotEmpty for a directory with users of its own.
func Seed(ctx context.Context, s Services) (Result, error) {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	app, err := s.Directory.GetApp(ctx, AppName)
	switch {
	case err == nil:
		return existing(ctx, s, app)
	case !errors.Is(err, dirsvc.ErrNotFound):
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	users, err := s.Directory.ListUsers(ctx, store.UserQuery{Limit: 1})
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if len(users) > 0 {
		return Result{}, ErrNotEmpty
	}
	r, err := seed(ctx, s)
	if err != nil {
		return Result{}, fmt.Errorf("demo: seed: %w", err)
	}
	s.Logger.Info("seeded the demo", "users", r.Users, "groups", r.Groups, "app", AppName, "tenant", r.TenantID)
	return r, nil
}

// seed creates everything: users and groups, the tenant, the app and its
// job, the assignments, and starts provisioning.
func seed(ctx context.Context, s Services) (Result, error) {
	r := Result{Seeded: true}
	for _, p := range people {
		if _, err := s.Directory.CreateUser(ctx, p.user()); err != nil {
			return r, err
		}
		r.Users++
	}
	for _, g := range groups {
		if _, err := s.Directory.CreateGroup(ctx, directory.Group{DisplayName: g.name, Description: g.description}); err != nil {
			return r, err
		}
		if _, err := s.Directory.AddMembers(ctx, g.name, g.members); err != nil {
			return r, err
		}
		r.Groups++
	}
	policy, err := json.Marshal(server.PolicyEntra)
	if err != nil {
		return r, err
	}
	ten, jobToken, err := s.Tenants.Create(ctx, TenantName, policy)
	if err != nil {
		return r, fmt.Errorf("create tenant: %w", err)
	}
	r.TenantID, r.TenantURL = ten.ID, scimsvc.TenantURL(s.BaseURL, ten.ID)
	app, err := s.Directory.CreateApp(ctx, AppName)
	if err != nil {
		return r, err
	}
	if _, err := s.Jobs.Configure(ctx, app.ID, jobs.Config{TenantURL: r.TenantURL, SecretToken: jobToken,
		Scope: provisioning.ScopeAssigned, Interval: Interval}); err != nil {
		return r, err
	}
	for _, upn := range assignedUsers {
		if _, err := s.Directory.AssignUser(ctx, app.ID, upn, ""); err != nil {
			return r, err
		}
	}
	if _, err := s.Directory.AssignGroup(ctx, app.ID, assignedGroup, ""); err != nil {
		return r, err
	}
	if _, err := s.Jobs.Start(ctx, app.ID); err != nil {
		return r, err
	}
	st, err := ensureSSO(ctx, s, app.ID, ten.ID)
	if err != nil {
		return r, err
	}
	r.setSSO(s, st)
	r.Token, err = guideToken(ctx, s.Tenants, ten.ID)
	return r, err
}

// setSSO records the outcome of ensureSSO.
func (r *Result) setSSO(s Services, st ssoState) {
	if st != ssoOff {
		r.PortalURL = portal.HomeURL(s.BaseURL, r.TenantID)
		r.UIURL = strings.TrimRight(s.BaseURL, "/") + web.Prefix
	}
}

// existing finds the demo an earlier start seeded and points its job at
// the tenant's current Tenant URL.
func existing(ctx context.Context, s Services, app directory.App) (Result, error) {
	ten, err := findTenant(ctx, s.Tenants)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	r := Result{TenantID: ten.ID, TenantURL: scimsvc.TenantURL(s.BaseURL, ten.ID)}
	job, err := s.Jobs.Get(ctx, app.ID)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if job.TenantURL != r.TenantURL {
		tok, _, err := s.Tenants.IssueToken(ctx, ten.ID, "demo app job")
		if err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		if _, err := s.Jobs.Configure(ctx, app.ID, jobs.Config{TenantURL: r.TenantURL, SecretToken: tok}); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
		s.Logger.Info("pointed the demo job at the server's current Tenant URL", "tenant_url", r.TenantURL)
	}
	st, err := ensureSSO(ctx, s, app.ID, ten.ID)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	switch st {
	case ssoCreated:
		s.Logger.Info("set up single sign-on for the demo tenant's portal", "issuer", s.Issuer)
	case ssoMoved:
		s.Logger.Info("pointed the demo's single sign-on at the server's current issuer", "issuer", s.Issuer)
	}
	r.setSSO(s, st)
	if r.Token, err = guideToken(ctx, s.Tenants, ten.ID); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	return r, nil
}

// findTenant returns the demo tenant.
func findTenant(ctx context.Context, tenants *tenant.Manager) (store.Tenant, error) {
	all, err := tenants.List(ctx)
	if err != nil {
		return store.Tenant{}, err
	}
	for _, t := range all {
		if t.Name == TenantName {
			return t, nil
		}
	}
	return store.Tenant{}, fmt.Errorf("the %q app exists but its tenant %q is gone: %w", AppName, TenantName, store.ErrNotFound)
}

// guideToken issues the token the guide shows and revokes the one an
// earlier start issued, so restarts do not pile up valid tokens.
func guideToken(ctx context.Context, tenants *tenant.Manager, tenantID string) (string, error) {
	old, err := tenants.Tokens(ctx, tenantID)
	if err != nil {
		return "", err
	}
	for _, t := range old {
		if t.Name == guideTokenName && t.Revoked.IsZero() {
			if err := tenants.RevokeToken(ctx, tenantID, t.ID); err != nil {
				return "", err
			}
		}
	}
	tok, _, err := tenants.IssueToken(ctx, tenantID, guideTokenName)
	return tok, err
}

// person is one seeded user; manager is the manager's userPrincipalName.
type person struct {
	given, surname, department, title, manager, mobile string
	disabled                                           bool
}

const domain = "contoso.com"

func upn(given, surname string) string {
	return strings.ToLower(given+"."+surname) + "@" + domain
}

func (p person) user() directory.User {
	nick := strings.ToLower(p.given + "." + p.surname)
	return directory.User{
		UserPrincipalName: nick + "@" + domain,
		Mail:              nick + "@" + domain,
		MailNickname:      nick,
		DisplayName:       p.given + " " + p.surname,
		GivenName:         p.given,
		Surname:           p.surname,
		JobTitle:          p.title,
		Department:        p.department,
		Mobile:            p.mobile,
		TelephoneNumber:   "+1 425 555 0100",
		StreetAddress:     "1 Harbor Way",
		PostalCode:        "98101",
		Manager:           p.manager,
		AccountEnabled:    !p.disabled,
	}
}

// Managers come before their reports: a manager is named by UPN and must
// exist when the report is created.
var (
	ceo         = upn("Megan", "Bowen")
	vpEng       = upn("Adele", "Vance")
	engManager  = upn("Lee", "Gu")
	vpSales     = upn("Alex", "Wilber")
	mktDirector = upn("Joni", "Sherman")
	cfo         = upn("Irvin", "Sayers")
	hrDirector  = upn("Christie", "Cline")
	supportLead = upn("Debra", "Berger")
	counsel     = upn("Fatima", "Haddad")
)

var people = []person{
	{given: "Megan", surname: "Bowen", department: "Executive", title: "Chief Executive Officer", mobile: "+1 425 555 0101"},
	{given: "Adele", surname: "Vance", department: "Engineering", title: "VP Engineering", manager: ceo, mobile: "+1 425 555 0102"},
	{given: "Lee", surname: "Gu", department: "Engineering", title: "Engineering Manager", manager: vpEng},
	{given: "Miriam", surname: "Graham", department: "Engineering", title: "Senior Software Engineer", manager: engManager},
	{given: "Johanna", surname: "Lorenz", department: "Engineering", title: "Software Engineer", manager: engManager},
	{given: "Pradeep", surname: "Gupta", department: "Engineering", title: "Site Reliability Engineer", manager: engManager},
	{given: "Grady", surname: "Archie", department: "Engineering", title: "Platform Engineer", manager: engManager},
	{given: "Lynne", surname: "Robbins", department: "Engineering", title: "QA Engineer", manager: engManager},
	{given: "Henrietta", surname: "Mueller", department: "Engineering", title: "Software Engineer", manager: engManager, disabled: true},
	{given: "Ravi", surname: "Iyer", department: "Engineering", title: "Software Engineer", manager: engManager},
	{given: "Hannah", surname: "Schmidt", department: "Engineering", title: "Data Engineer", manager: engManager},
	{given: "Wei", surname: "Chen", department: "Engineering", title: "Security Engineer", manager: engManager},
	{given: "Alex", surname: "Wilber", department: "Sales", title: "VP Sales", manager: ceo, mobile: "+1 425 555 0103"},
	{given: "Diego", surname: "Siciliani", department: "Sales", title: "Account Executive", manager: vpSales},
	{given: "Isaiah", surname: "Langer", department: "Sales", title: "Account Executive", manager: vpSales},
	{given: "Daniel", surname: "Rossi", department: "Sales", title: "Account Executive", manager: vpSales},
	{given: "Nestor", surname: "Wilke", department: "Sales", title: "Sales Engineer", manager: vpSales},
	{given: "Patti", surname: "Fernandez", department: "Sales", title: "Sales Operations Analyst", manager: vpSales},
	{given: "Joni", surname: "Sherman", department: "Marketing", title: "Marketing Director", manager: ceo, mobile: "+1 425 555 0104"},
	{given: "Noah", surname: "Fischer", department: "Marketing", title: "Content Strategist", manager: mktDirector},
	{given: "Sofia", surname: "Ramos", department: "Marketing", title: "Product Marketing Manager", manager: mktDirector},
	{given: "Kenji", surname: "Watanabe", department: "Marketing", title: "Designer", manager: mktDirector},
	{given: "Irvin", surname: "Sayers", department: "Finance", title: "Chief Financial Officer", manager: ceo, mobile: "+1 425 555 0105"},
	{given: "Amara", surname: "Okafor", department: "Finance", title: "Financial Analyst", manager: cfo},
	{given: "Tomasz", surname: "Nowak", department: "Finance", title: "Accountant", manager: cfo},
	{given: "Christie", surname: "Cline", department: "Human Resources", title: "HR Director", manager: ceo},
	{given: "Priya", surname: "Raman", department: "Human Resources", title: "Recruiter", manager: hrDirector},
	{given: "Lukas", surname: "Becker", department: "Human Resources", title: "HR Generalist", manager: hrDirector},
	{given: "Debra", surname: "Berger", department: "Customer Support", title: "Support Manager", manager: ceo},
	{given: "Mateo", surname: "Alvarez", department: "Customer Support", title: "Support Engineer", manager: supportLead},
	{given: "Aisha", surname: "Khan", department: "Customer Support", title: "Support Engineer", manager: supportLead},
	{given: "Oliver", surname: "Smith", department: "Customer Support", title: "Support Specialist", manager: supportLead},
	{given: "Emma", surname: "Johansson", department: "Customer Support", title: "Support Specialist", manager: supportLead},
	{given: "Fatima", surname: "Haddad", department: "Legal", title: "General Counsel", manager: ceo},
	{given: "Samuel", surname: "Osei", department: "Legal", title: "Paralegal", manager: counsel},
	{given: "Grace", surname: "Kim", department: "Engineering", title: "Engineering Intern", manager: engManager},
}

// group is one seeded group; members are UPNs or group names.
type group struct {
	name, description string
	members           []string
}

// Platform Team is nested in Engineering: assigning Engineering brings its
// members into scope too.
var groups = []group{
	{"Platform Team", "Runs the infrastructure", []string{upn("Pradeep", "Gupta"), upn("Grady", "Archie"), upn("Wei", "Chen")}},
	{"Engineering", "Everyone who builds the product", []string{vpEng, engManager, upn("Miriam", "Graham"), upn("Johanna", "Lorenz"),
		upn("Lynne", "Robbins"), upn("Henrietta", "Mueller"), upn("Ravi", "Iyer"), upn("Hannah", "Schmidt"), upn("Grace", "Kim"), "Platform Team"}},
	{"Sales", "Account executives and sales engineering", []string{vpSales, upn("Diego", "Siciliani"), upn("Isaiah", "Langer"),
		upn("Daniel", "Rossi"), upn("Nestor", "Wilke"), upn("Patti", "Fernandez")}},
	{"Leadership", "The leadership team", []string{ceo, vpEng, vpSales, mktDirector, cfo, hrDirector, supportLead, counsel}},
}

// What the demo app starts with: the Engineering group (with the nested
// Platform Team) and a few users; TryUser is not among them.
var (
	assignedGroup = "Engineering"
	assignedUsers = []string{ceo, vpSales, mktDirector, supportLead}
)
