package portal

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/provisio-dev/provisio/internal/secretbox"
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

// errCookie is any cookie that is missing, does not open or has expired.
var errCookie = errors.New("portal: no valid cookie")

// cookies seals values into cookies bound to their name and tenant (the
// associated data), so a cookie of one tenant never opens for another.
type cookies struct {
	box    *secretbox.Box
	now    func() time.Time
	secure bool // the public URL is https
}

func (c cookies) set(w http.ResponseWriter, r *http.Request, name, tenant string, v any, expires time.Time) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode cookie %s: %w", name, err)
	}
	sealed, err := c.box.Seal(raw, []byte(name+"\x00"+tenant))
	if err != nil {
		return fmt.Errorf("seal cookie %s: %w", name, err)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    base64.RawURLEncoding.EncodeToString(sealed),
		Path:     tenantPath(tenant),
		Expires:  expires,
		MaxAge:   int(expires.Sub(c.now()).Seconds()),
		HttpOnly: true,
		Secure:   c.isSecure(r),
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// get opens the cookie name of tenant into v; v must have an Expires
// field checked by the caller through expiry.
func (c cookies) get(r *http.Request, name, tenant string, v any) error {
	ck, err := r.Cookie(name)
	if err != nil {
		return errCookie
	}
	sealed, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return errCookie
	}
	raw, err := c.box.Open(sealed, []byte(name+"\x00"+tenant))
	if err != nil {
		return errCookie
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errCookie
	}
	return nil
}

func (c cookies) clear(w http.ResponseWriter, r *http.Request, name, tenant string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: tenantPath(tenant), MaxAge: -1,
		HttpOnly: true, Secure: c.isSecure(r), SameSite: http.SameSiteLaxMode,
	})
}

func tenantPath(tenant string) string { return "/app/" + tenant + "/" }

// isSecure reports whether cookies must be Secure: the public URL is
// https (whatever proxy terminates TLS in front), or the request itself
// came over TLS. A client's X-Forwarded-Proto is not believed: it is any
// peer's to send (serve --trusted-proxies vouches for addresses only).
func (c cookies) isSecure(r *http.Request) bool {
	return c.secure || r.TLS != nil
}
