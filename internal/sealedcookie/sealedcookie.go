// Package sealedcookie keeps small values in encrypted cookies
// (secretbox: XChaCha20-Poly1305), HttpOnly and SameSite=Lax, as the web
// UI's and the tenant portal's sign-in state and sessions.
//
// A cookie is sealed with its name, and an optional binding (a tenant),
// as associated data, so one cookie never opens as another nor for
// another binding. Cookies are Secure when the public URL is https
// (whatever proxy terminates TLS in front) or the request itself came
// over TLS; a client's X-Forwarded-Proto is not believed, as any peer may
// send it (serve --trusted-proxies vouches for addresses only).
package sealedcookie

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/provisio-dev/provisio/internal/secretbox"
)

// ErrInvalid is any cookie that is missing or does not open.
var ErrInvalid = errors.New("no valid cookie")

// Jar seals and opens cookies with Box. Secure is whether the public URL
// is https; Now is the clock of Max-Age.
type Jar struct {
	Box    *secretbox.Box
	Now    func() time.Time
	Secure bool
}

func aad(name, bind string) []byte {
	if bind == "" {
		return []byte(name)
	}
	return []byte(name + "\x00" + bind)
}

func (j Jar) secure(r *http.Request) bool { return j.Secure || r.TLS != nil }

// Set stores v (as JSON) sealed in cookie name under path, bound to bind,
// until expires.
func (j Jar) Set(w http.ResponseWriter, r *http.Request, name, path, bind string, v any, expires time.Time) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode cookie %s: %w", name, err)
	}
	sealed, err := j.Box.Seal(raw, aad(name, bind))
	if err != nil {
		return fmt.Errorf("seal cookie %s: %w", name, err)
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: path,
		Expires: expires, MaxAge: int(expires.Sub(j.Now()).Seconds()),
		HttpOnly: true, Secure: j.secure(r), SameSite: http.SameSiteLaxMode})
	return nil
}

// Get opens cookie name, bound to bind, into v; any failure is ErrInvalid.
// Expiry inside v is the caller's to check.
func (j Jar) Get(r *http.Request, name, bind string, v any) error {
	ck, err := r.Cookie(name)
	if err != nil {
		return ErrInvalid
	}
	sealed, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return ErrInvalid
	}
	raw, err := j.Box.Open(sealed, aad(name, bind))
	if err != nil || json.Unmarshal(raw, v) != nil {
		return ErrInvalid
	}
	return nil
}

// Clear removes cookie name under path.
func (j Jar) Clear(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: j.secure(r), SameSite: http.SameSiteLaxMode})
}
