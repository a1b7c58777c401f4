package adminapi

import (
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// putSSO sets the tenant's OpenID provider for the app portal; the answer
// never holds the client secret.
func (a *API) putSSO(w http.ResponseWriter, r *http.Request) error {
	var in apitypes.SetTenantSSO
	if err := decodeBody(w, r, a.cfg.MaxBody, &in, false); err != nil {
		return err
	}
	id := r.PathValue("id")
	err := a.cfg.Tenants.SetSSO(r.Context(), id, in.Issuer, in.ClientID, in.ClientSecret)
	if isNotFound(err) {
		return notFound("tenant")
	}
	if err != nil {
		return err
	}
	s, err := a.cfg.Tenants.SSO(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ssoWire(s))
	return nil
}

func ssoWire(s tenant.SSO) *apitypes.TenantSSO {
	return &apitypes.TenantSSO{Issuer: s.Issuer, ClientID: s.ClientID, Updated: s.Updated}
}
