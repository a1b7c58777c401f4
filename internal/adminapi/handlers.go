package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim/server"
)

func (a *API) createTenant(w http.ResponseWriter, r *http.Request) error {
	var req apitypes.CreateTenant
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	pol, err := parsePolicy(req.Policy)
	if err != nil {
		return err
	}
	polJSON, err := json.Marshal(pol)
	if err != nil {
		return err
	}
	t, secret, err := a.cfg.Tenants.Create(r.Context(), req.Name, polJSON)
	if err != nil {
		return err
	}
	v := a.tenantWire(t)
	v.Token = secret
	w.Header().Set("Location", "/api/v1/tenants/"+t.ID)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// parsePolicy reads the policy field of a create request: a preset name
// ("default", "entra", "okta", "rfc") or a whole policy object; absent
// means "default".
func parsePolicy(raw json.RawMessage) (server.Policy, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return server.DefaultPolicy, nil
	}
	if raw[0] == '"' {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return server.Policy{}, badRequest("field \"policy\": %s", err.Error())
		}
		p, ok := server.PolicyByName(name)
		if !ok {
			return server.Policy{}, badRequest("field \"policy\": unknown preset %q; want default, entra, okta or rfc", name)
		}
		return p, nil
	}
	return decodePolicyObject(raw)
}

// decodePolicyObject parses a whole policy: fields it omits keep
// DefaultPolicy's values; unknown fields and invalid values are a 400.
func decodePolicyObject(raw []byte) (server.Policy, error) {
	p := server.DefaultPolicy
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return server.Policy{}, jsonError(err)
	}
	if err := p.Validate(); err != nil {
		return server.Policy{}, badRequest("%s", err.Error())
	}
	return p, nil
}

func (a *API) listTenants(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.cfg.Tenants.List(r.Context())
	if err != nil {
		return err
	}
	sso, err := a.cfg.Tenants.ListSSO(r.Context())
	if err != nil {
		return err
	}
	out := wireList(ts, a.tenantWire)
	for i := range out {
		if s, ok := sso[out[i].ID]; ok {
			out[i].SSO = ssoWire(s)
		}
	}
	writeJSON(w, http.StatusOK, apitypes.TenantList{Tenants: out})
	return nil
}

// getTenantOr404 loads the tenant named in the path.
func (a *API) getTenantOr404(r *http.Request) (tenant.Tenant, error) {
	t, err := a.cfg.Tenants.Get(r.Context(), r.PathValue("id"))
	if isNotFound(err) {
		return tenant.Tenant{}, notFound("tenant")
	}
	return t, err
}

func (a *API) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := a.getTenantOr404(r)
	if err != nil {
		return err
	}
	out := a.tenantWire(t)
	s, err := a.cfg.Tenants.SSO(r.Context(), t.ID)
	switch {
	case err == nil:
		out.SSO = ssoWire(s)
	case !isNotFound(err):
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, a.cfg.Tenants.Delete(r.Context(), r.PathValue("id")), "tenant")
}

func (a *API) getPolicy(w http.ResponseWriter, r *http.Request) error {
	t, err := a.getTenantOr404(r)
	if err != nil {
		return err
	}
	p, err := scimsvc.DecodePolicy(t.Policy)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) putPolicy(w http.ResponseWriter, r *http.Request) error {
	var raw json.RawMessage
	if err := decodeBody(w, r, a.cfg.MaxBody, &raw, false); err != nil {
		return err
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return badRequest("request body must be a JSON policy object")
	}
	p, err := decodePolicyObject(raw)
	if err != nil {
		return err
	}
	polJSON, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = a.cfg.Tenants.SetPolicy(r.Context(), r.PathValue("id"), polJSON)
	if isNotFound(err) {
		return notFound("tenant")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	var req apitypes.CreateToken
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, true); err != nil {
		return err
	}
	id := r.PathValue("id")
	secret, tok, err := a.cfg.Tenants.IssueToken(r.Context(), id, req.Name)
	if isNotFound(err) {
		return notFound("tenant")
	}
	if err != nil {
		return err
	}
	writeNewToken(w, "/api/v1/tenants/"+id+"/tokens/", secret, tok)
	return nil
}

// writeNewToken answers 201 with a token record and, this once, its secret.
func writeNewToken(w http.ResponseWriter, collection, secret string, tok tenant.Token) {
	v := tokenWire(tok)
	v.Token = secret
	w.Header().Set("Location", collection+tok.ID)
	writeJSON(w, http.StatusCreated, v)
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	toks, err := a.cfg.Tenants.Tokens(r.Context(), r.PathValue("id"))
	if isNotFound(err) {
		return notFound("tenant")
	}
	if err != nil {
		return err
	}
	writeTokens(w, toks)
	return nil
}

// writeTokens answers with token records, never their secrets.
func writeTokens(w http.ResponseWriter, toks []tenant.Token) {
	writeJSON(w, http.StatusOK, apitypes.TokenList{Tokens: wireList(toks, tokenWire)})
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, a.cfg.Tenants.RevokeToken(r.Context(), r.PathValue("id"), r.PathValue("tokenId")), "token")
}

// noContent answers a call that returns nothing: 204, or 404 naming what
// if it found nothing, or the error.
func noContent(w http.ResponseWriter, err error, what string) error {
	if isNotFound(err) {
		return notFound(what)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// adminTokens is the collection of admin API tokens.
const adminTokens = "/api/v1/admin/tokens/"

func (a *API) createAdminToken(w http.ResponseWriter, r *http.Request) error {
	var req apitypes.CreateToken
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, true); err != nil {
		return err
	}
	secret, tok, err := a.cfg.Tenants.IssueAdminToken(r.Context(), req.Name)
	if err != nil {
		return err
	}
	writeNewToken(w, adminTokens, secret, tok)
	return nil
}

func (a *API) listAdminTokens(w http.ResponseWriter, r *http.Request) error {
	toks, err := a.cfg.Tenants.AdminTokens(r.Context())
	if err != nil {
		return err
	}
	writeTokens(w, toks)
	return nil
}

func (a *API) revokeAdminToken(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, a.cfg.Tenants.RevokeAdminToken(r.Context(), r.PathValue("tokenId")), "token")
}

// rotateAdminToken issues a new admin token and revokes the one that
// authenticated this request.
func (a *API) rotateAdminToken(w http.ResponseWriter, r *http.Request) error {
	var req apitypes.CreateToken
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, true); err != nil {
		return err
	}
	secret, tok, err := a.cfg.Tenants.RotateAdminToken(r.Context(), bearerToken(r), req.Name)
	if err != nil {
		return err
	}
	writeNewToken(w, adminTokens, secret, tok)
	return nil
}

func (a *API) listEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	after, err := intParam(q.Get("after"), "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := intParam(q.Get("limit"), "limit", tenant.DefaultEventLimit, 1, tenant.MaxEventLimit)
	if err != nil {
		return err
	}
	evs, err := a.cfg.Events.Events(r.Context(), r.PathValue("id"), after, int(limit))
	if isNotFound(err) {
		return notFound("tenant")
	}
	var pruned *tenant.EventsPrunedError
	if errors.As(err, &pruned) {
		return &apiError{http.StatusGone, "events_pruned", fmt.Sprintf(
			"events after %d up to %d were deleted by the retention (serve --event-retention): read the tenant's resources again over SCIM, then continue with after=%d",
			after, pruned.Through, pruned.Through)}
	}
	if err != nil {
		return err
	}
	out := apitypes.EventPage{Events: wireList(evs, eventWire), NextAfter: after}
	if len(evs) > 0 {
		out.NextAfter = evs[len(evs)-1].Seq
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// intParam parses an integer query parameter in [lo, hi]; "" is def.
// timeParam parses an RFC 3339 query parameter ("" is the zero time).
func timeParam(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badRequest("query parameter %q must be an RFC 3339 time such as 2026-01-02T15:04:05Z", name)
	}
	return t, nil
}

func intParam(s, name string, def, lo, hi int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("query parameter %q must be an integer from %d to %d", name, lo, hi)
	}
	return n, nil
}
