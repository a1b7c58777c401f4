package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// The SCIM tenants pages: the tenants, each one's secret tokens (a new
// one shown once, in the answer to its creation, never again), its
// compatibility policy, its change feed and its single sign-on settings
// (the client secret is write-only).
func init() {
	handle("GET", "tenants", (*UI).tenants)
	handle("POST", "tenants", (*UI).createTenant)
	handle("GET", "tenants/{id}", (*UI).tenant)
	handle("POST", "tenants/{id}/tokens", (*UI).createToken)
	handle("POST", "tenants/{id}/tokens/{token}/revoke", (*UI).revokeToken)
	handle("POST", "tenants/{id}/policy", (*UI).setPolicy)
	handle("POST", "tenants/{id}/sso", (*UI).setTenantSSO)
	handle("POST", "tenants/{id}/delete", (*UI).deleteTenant)
	for k, v := range map[string]string{
		"tenant-deleted": "Tenant deleted.",
		"token-revoked":  "Token revoked: requests presenting it are refused from now on.",
		"policy":         "Compatibility policy saved.",
		"sso":            "Single sign-on settings saved.",
	} {
		notices[k] = v
	}
}

// tenantsView is the tenants list; Created is the tenant just created,
// with its Tenant URL and first Secret Token, shown this once.
type tenantsView struct {
	Tenants []apitypes.Tenant
	Created *apitypes.Tenant
}

func (u *UI) tenants(req *request) error { return u.renderTenants(req, http.StatusOK, "", nil) }

func (u *UI) renderTenants(req *request, status int, problem string, created *apitypes.Tenant) error {
	list, err := req.API.Tenants(req.Ctx)
	if err != nil {
		return err
	}
	u.render(req.W, req.S, status, "tenants", view{Title: "SCIM tenants", Nav: "tenants", Data: tenantsView{list, created},
		Problem: problem, Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

// createTenant creates a tenant with a policy preset and shows its
// Tenant URL and Secret Token in this answer only (no redirect: the
// token is not kept anywhere to show again).
func (u *UI) createTenant(req *request) error {
	in := apitypes.CreateTenant{Name: strings.TrimSpace(req.R.PostFormValue("name"))}
	if p := req.R.PostFormValue("policy"); p != "" {
		b, _ := json.Marshal(p)
		in.Policy = b
	}
	t, err := req.API.CreateTenant(req.Ctx, in)
	if ae, ok := refused(err); ok {
		return u.renderTenants(req, ae.Status, ae.Message, nil)
	}
	if err != nil {
		return err
	}
	return u.renderTenants(req, http.StatusOK, "", &t)
}

// tenantView is a tenant's page. NewToken is a token just created (its
// secret shown this once).
type tenantView struct {
	Tenant   apitypes.Tenant
	Tokens   []apitypes.Token
	NewToken *apitypes.Token
	Policy   string // indented JSON
	Events   apitypes.EventPage
	After    int64 // the events page's after
}

// findTenant reads the tenant {id} from the list (the API has no GET of
// one tenant).
func findTenant(req *request) (apitypes.Tenant, error) {
	id := req.R.PathValue("id")
	list, err := req.API.Tenants(req.Ctx)
	if err != nil {
		return apitypes.Tenant{}, err
	}
	for _, t := range list {
		if t.ID == id {
			return t, nil
		}
	}
	return apitypes.Tenant{}, notFound("no tenant " + id)
}

func (u *UI) renderTenant(req *request, status int, problem string, newToken *apitypes.Token, policy string) error {
	t, err := findTenant(req)
	if err != nil {
		return err
	}
	v := tenantView{Tenant: t, NewToken: newToken, Policy: policy}
	if v.Tokens, err = req.API.TenantTokens(t.ID).List(req.Ctx); err != nil {
		return err
	}
	if policy == "" {
		raw, err := req.API.Policy(req.Ctx, t.ID)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if json.Indent(&buf, raw, "", "  ") == nil {
			v.Policy = buf.String()
		} else {
			v.Policy = string(raw)
		}
	}
	v.After, _ = strconv.ParseInt(req.R.URL.Query().Get("after"), 10, 64)
	if v.After < 0 {
		v.After = 0
	}
	if v.Events, err = req.API.Events(req.Ctx, t.ID, v.After, pageSize); err != nil {
		return err
	}
	u.render(req.W, req.S, status, "tenant", view{Title: t.Name + " · SCIM tenants", Nav: "tenants", Data: v,
		Problem: problem, Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

func (u *UI) tenant(req *request) error { return u.renderTenant(req, http.StatusOK, "", nil, "") }

// tenantDone redirects to the tenant's page with a notice.
func tenantDone(req *request, done string) error {
	return req.redirect("tenants/" + url.PathEscape(req.R.PathValue("id")) + "?done=" + done)
}

// createToken issues a token and shows its secret in this answer only.
func (u *UI) createToken(req *request) error {
	tok, err := req.API.TenantTokens(req.R.PathValue("id")).Create(req.Ctx, strings.TrimSpace(req.R.PostFormValue("name")))
	if ae, ok := refused(err); ok {
		return u.renderTenant(req, ae.Status, ae.Message, nil, "")
	}
	if err != nil {
		return err
	}
	return u.renderTenant(req, http.StatusOK, "", &tok, "")
}

func (u *UI) revokeToken(req *request) error {
	err := req.API.TenantTokens(req.R.PathValue("id")).Revoke(req.Ctx, req.R.PathValue("token"))
	if ae, ok := refused(err); ok {
		return u.renderTenant(req, ae.Status, ae.Message, nil, "")
	}
	if err != nil {
		return err
	}
	return tenantDone(req, "token-revoked")
}

// setPolicy replaces the policy with the JSON object entered (fields it
// omits take the default preset's values).
func (u *UI) setPolicy(req *request) error {
	text := req.R.PostFormValue("policy")
	if !json.Valid([]byte(text)) {
		return u.renderTenant(req, http.StatusBadRequest, "Compatibility policy: enter a JSON object.", nil, text)
	}
	_, err := req.API.SetPolicy(req.Ctx, req.R.PathValue("id"), json.RawMessage(text))
	if ae, ok := refused(err); ok {
		return u.renderTenant(req, ae.Status, ae.Message, nil, text)
	}
	if err != nil {
		return err
	}
	return tenantDone(req, "policy")
}

// setTenantSSO saves the OpenID provider settings; the client secret is
// write-only (the page shows only the issuer and client id).
func (u *UI) setTenantSSO(req *request) error {
	f := func(k string) string { return strings.TrimSpace(req.R.PostFormValue(k)) }
	_, err := req.API.SetTenantSSO(req.Ctx, req.R.PathValue("id"), apitypes.SetTenantSSO{Issuer: f("issuer"),
		ClientID: f("clientId"), ClientSecret: f("clientSecret")})
	if ae, ok := refused(err); ok {
		return u.renderTenant(req, ae.Status, ae.Message, nil, "")
	}
	if err != nil {
		return err
	}
	return tenantDone(req, "sso")
}

func (u *UI) deleteTenant(req *request) error {
	err := req.API.DeleteTenant(req.Ctx, req.R.PathValue("id"))
	if ae, ok := refused(err); ok {
		return u.renderTenant(req, ae.Status, ae.Message, nil, "")
	}
	if err != nil {
		return err
	}
	return req.redirect("tenants?done=tenant-deleted")
}

// notFound is a 404 shown with msg, like the API's.
func notFound(msg string) error {
	return &apiclient.Error{Status: http.StatusNotFound, Code: apitypes.CodeNotFound, Message: msg}
}
