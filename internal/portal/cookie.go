package portal

import (
	"net/http"
	"time"

	"github.com/provisio-dev/provisio/internal/sealedcookie"
)

// Cookie names. The login cookie lives only between the redirect to the
// provider and the callback; the session cookie for the session.
const (
	loginCookie   = "provisio_portal_login"
	sessionCookie = "provisio_portal_session"
)

// loginState is what the callback must find again: state, nonce and the
// PKCE verifier (RFC 7636 §4.1) of one authorization request.
type loginState struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Expires  time.Time `json:"e"`
}

// session names the signed-in SCIM user of one tenant.
type session struct {
	UserID  string    `json:"u"`
	Expires time.Time `json:"e"`
}

// cookies seals values into cookies under the tenant's path, bound to
// their name and tenant, so a cookie of one tenant never opens for another.
type cookies struct{ jar sealedcookie.Jar }

func (c cookies) set(w http.ResponseWriter, r *http.Request, name, tenant string, v any, expires time.Time) error {
	return c.jar.Set(w, r, name, tenantPath(tenant), tenant, v, expires)
}

// get opens the cookie name of tenant into v; v must have an Expires
// field checked by the caller through expiry.
func (c cookies) get(r *http.Request, name, tenant string, v any) error {
	return c.jar.Get(r, name, tenant, v)
}

func (c cookies) clear(w http.ResponseWriter, r *http.Request, name, tenant string) {
	c.jar.Clear(w, r, name, tenantPath(tenant))
}

func tenantPath(tenant string) string { return "/app/" + tenant + "/" }
