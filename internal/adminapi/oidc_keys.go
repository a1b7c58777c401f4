package adminapi

import (
	"context"
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/oidckeys"
)

// OIDCKeys is what the API needs of the signing-key service
// (*oidckeys.Service implements it).
type OIDCKeys interface {
	List(ctx context.Context) ([]oidckeys.Key, error)
	Rotate(ctx context.Context) (oidckeys.Key, []string, error)
}

func (a *API) oidcKeyRoutes() []route {
	return []route{
		{"GET", "/api/v1/oidc/keys", a.listOIDCKeys},
		{"POST", "/api/v1/oidc/keys/rotate", a.rotateOIDCKeys},
	}
}

func (a *API) oidcKeys() (OIDCKeys, error) {
	if a.cfg.OIDCKeys == nil {
		return nil, errUnavailable("the OpenID provider")
	}
	return a.cfg.OIDCKeys, nil
}

func oidcKeyWire(k oidckeys.Key) apitypes.OIDCKey {
	return apitypes.OIDCKey{ID: k.ID, Created: k.Created, Retired: k.Retired, Signing: k.Signing}
}

// listOIDCKeys lists the provider's signing keys, retired ones too.
func (a *API) listOIDCKeys(w http.ResponseWriter, r *http.Request) error {
	ks, err := a.oidcKeys()
	if err != nil {
		return err
	}
	keys, err := ks.List(r.Context())
	if err != nil {
		return err
	}
	out := apitypes.OIDCKeys{Keys: []apitypes.OIDCKey{}}
	for _, k := range keys {
		out.Keys = append(out.Keys, oidcKeyWire(k))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// rotateOIDCKeys adds a new signing key (every node signs with it within
// 30 seconds) and retires the keys whose tokens have all expired.
func (a *API) rotateOIDCKeys(w http.ResponseWriter, r *http.Request) error {
	ks, err := a.oidcKeys()
	if err != nil {
		return err
	}
	k, retired, err := ks.Rotate(r.Context())
	if err != nil {
		return err
	}
	if retired == nil {
		retired = []string{}
	}
	writeJSON(w, http.StatusOK, apitypes.RotatedOIDCKeys{Signing: oidcKeyWire(k), Retired: retired})
	return nil
}
