package adminapi

import (
	"context"
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
)

// SSOAdmin is what the API needs of the directory service to read and
// delete applications' OIDC clients and to keep the administrator role
// (*dirsvc.Service implements it); an optional capability of
// Config.Directory, by type assertion.
type SSOAdmin interface {
	GetSSOClient(ctx context.Context, appRef string) (dirsvc.SSOClient, error)
	DeleteSSOClient(ctx context.Context, appRef string) error
	SetSSOAssignmentRequired(ctx context.Context, appRef string, required bool) (dirsvc.SSOClient, error)
	SetAdmin(ctx context.Context, ref string, admin bool) (directory.User, error)
	HasAdminRole(ctx context.Context, userID string) (bool, error)
}

func (a *API) ssoAdminRoutes() []route {
	return []route{
		{"GET", "/api/v1/apps/{app}/sso", a.getSSOClient},
		{"DELETE", "/api/v1/apps/{app}/sso", a.deleteSSOClient},
		{"PATCH", "/api/v1/apps/{app}/sso", a.updateSSOClient},
		{"PUT", "/api/v1/users/{user}/admin", a.setAdmin},
	}
}

func (a *API) ssoAdmin() (SSOAdmin, error) {
	s, ok := a.cfg.Directory.(SSOAdmin)
	if !ok {
		return nil, errUnavailable("the directory's single sign-on settings")
	}
	return s, nil
}

// getSSOClient shows an application's OIDC client, without its secret.
func (a *API) getSSOClient(w http.ResponseWriter, r *http.Request) error {
	s, err := a.ssoAdmin()
	if err != nil {
		return err
	}
	c, err := s.GetSSOClient(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.ssoClientInfo(c))
	return nil
}

func (a *API) ssoClientInfo(c dirsvc.SSOClient) apitypes.SSOClientInfo {
	return apitypes.SSOClientInfo{ClientID: c.ClientID, Issuer: a.cfg.BaseURL + IssuerPath, Public: c.Public,
		HasSecret: c.HasSecret, RedirectURIs: nonNil(c.RedirectURIs), PostLogoutRedirectURIs: nonNil(c.PostLogoutRedirectURIs),
		AssignmentRequired: c.AssignmentRequired, Updated: c.Updated.UTC()}
}

// updateSSOClient changes an application's OIDC client settings
// ("assignment required"), keeping its client id and secret, and
// answers the client as GET does.
func (a *API) updateSSOClient(w http.ResponseWriter, r *http.Request) error {
	s, err := a.ssoAdmin()
	if err != nil {
		return err
	}
	var req apitypes.UpdateSSOClient
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	if req.AssignmentRequired == nil {
		return badRequest("field \"assignment_required\": want true or false")
	}
	c, err := s.SetSSOAssignmentRequired(r.Context(), r.PathValue("app"), *req.AssignmentRequired)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.ssoClientInfo(c))
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// deleteSSOClient deletes an application's OIDC client (204).
func (a *API) deleteSSOClient(w http.ResponseWriter, r *http.Request) error {
	s, err := a.ssoAdmin()
	if err != nil {
		return err
	}
	if err := s.DeleteSSOClient(r.Context(), r.PathValue("app")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setAdmin grants or revokes a user's administrator role and answers the
// user with "admin".
func (a *API) setAdmin(w http.ResponseWriter, r *http.Request) error {
	s, err := a.ssoAdmin()
	if err != nil {
		return err
	}
	var req apitypes.SetAdmin
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	if req.Admin == nil {
		return badRequest("field \"admin\": want true or false")
	}
	u, err := s.SetAdmin(r.Context(), r.PathValue("user"), *req.Admin)
	if err != nil {
		return err
	}
	wire := userWire(u)
	wire.Admin = req.Admin
	writeJSON(w, http.StatusOK, wire)
	return nil
}

// withAdminRole adds "admin" to a user's wire form when the directory
// keeps the role.
func (a *API) withAdminRole(ctx context.Context, u apitypes.User) (apitypes.User, error) {
	s, ok := a.cfg.Directory.(SSOAdmin)
	if !ok {
		return u, nil
	}
	admin, err := s.HasAdminRole(ctx, u.ObjectID)
	if err != nil {
		return u, err
	}
	u.Admin = &admin
	return u, nil
}
