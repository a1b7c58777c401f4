package adminapi

import (
	"context"
	"net/http"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/dirsvc"
)

// Passwords is what the API needs of the directory service for users'
// passwords and invite links (*dirsvc.Service implements it); an optional
// capability of Config.Directory, by type assertion.
type Passwords interface {
	SetPassword(ctx context.Context, ref, pw string) error
	CreateInvite(ctx context.Context, ref string, ttl time.Duration) (dirsvc.Invite, error)
}

// InvitePath is where the OpenID provider serves invite links, under
// Config.BaseURL: <public-url>/oidc/invite/<token>.
const InvitePath = "/oidc/invite/"

func (a *API) passwordRoutes() []route {
	return []route{
		{"PUT", "/api/v1/users/{user}/password", a.setPassword},
		{"POST", "/api/v1/users/{user}/invite", a.invite},
	}
}

// passwords returns the directory's password operations, or a 503.
func (a *API) passwords() (Passwords, error) {
	p, ok := a.cfg.Directory.(Passwords)
	if !ok {
		return nil, errUnavailable("the directory's passwords")
	}
	return p, nil
}

// setPassword sets a user's password (write-only: 204, no body). The
// audit log records that it was set, never the value.
func (a *API) setPassword(w http.ResponseWriter, r *http.Request) error {
	p, err := a.passwords()
	if err != nil {
		return err
	}
	var req apitypes.PasswordSet
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	if err := p.SetPassword(r.Context(), r.PathValue("user"), req.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// invite creates a one-time invite link of a user.
func (a *API) invite(w http.ResponseWriter, r *http.Request) error {
	p, err := a.passwords()
	if err != nil {
		return err
	}
	var req apitypes.InviteRequest
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, true); err != nil {
		return err
	}
	var ttl time.Duration
	if req.Valid != "" {
		if ttl, err = time.ParseDuration(req.Valid); err != nil || ttl <= 0 {
			return badRequest("field \"valid\": %q is not a positive duration such as 72h", req.Valid)
		}
	}
	inv, err := p.CreateInvite(r.Context(), r.PathValue("user"), ttl)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apitypes.Invite{URL: a.cfg.BaseURL + InvitePath + inv.Token, Expires: inv.Expires.UTC()})
	return nil
}
