package adminapi

import (
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// IssuerPath is where the OpenID provider is mounted: its issuer is the
// base URL and this path.
const IssuerPath = "/oidc"

// setSSOClient creates the application's OIDC client or rotates it.
func (a *API) setSSOClient(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	var req apitypes.SetSSOClient
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	c, secret, err := d.SetSSOClient(r.Context(), r.PathValue("app"), req.RedirectURIs, req.Public, req.PostLogoutRedirectURIs...)
	if err != nil {
		return err
	}
	if req.AssignmentRequired != nil {
		s, err := a.ssoAdmin()
		if err != nil {
			return err
		}
		if _, err := s.SetSSOAssignmentRequired(r.Context(), c.AppID, *req.AssignmentRequired); err != nil {
			return err
		}
	}
	w.Header().Set("Cache-Control", "no-store") // the secret (RFC 6749 §5.1)
	writeJSON(w, http.StatusOK, apitypes.SSOClient{ClientID: c.ClientID, ClientSecret: secret, Issuer: a.cfg.BaseURL + IssuerPath})
	return nil
}
