package oidc

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/provisio-dev/provisio/internal/secretbox"
)

// DefaultSessionTTL is how long a provider sign-in session lasts when
// SignIn.SessionTTL is 0.
const DefaultSessionTTL = 8 * time.Hour

const (
	sessionCookie = "provisio_sso"
	sessionAD     = "provisio oidc session v1" // associated data of the sealed cookie
)

// Sealer encrypts and authenticates the session cookie (*secretbox.Box).
type Sealer interface {
	Seal(plaintext, ad []byte) ([]byte, error)
	Open(ciphertext, ad []byte) ([]byte, error)
}

// session is the provider's sign-in session (OpenID Connect Core 1.0
// §3.1.2.3: the OP may skip authentication while the End-User has a valid
// session), sealed in a cookie.
type session struct {
	ID       string    `json:"sid"`
	UserID   string    `json:"sub"`
	AuthTime time.Time `json:"auth_time"` // when the password was checked
	Expires  time.Time `json:"exp"`       // AuthTime + TTL: absolute, never extended
}

// sessions issues, reads and ends sign-in sessions. The cookie is
// HttpOnly, SameSite=Lax (it must ride the top-level redirect from the
// relying party to /authorize), Secure on an https issuer, scoped to the
// issuer's path. Ended sessions are remembered in memory, per node, until
// they would have expired; the cookie is cleared in the browser too.
type sessions struct {
	box    Sealer
	ttl    time.Duration
	path   string
	secure bool
	now    func() time.Time

	mu    sync.Mutex
	ended map[string]time.Time // session id -> its expiry
}

func newSessions(box Sealer, ttl time.Duration, path string, secure bool, now func() time.Time) *sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &sessions{box: box, ttl: ttl, path: path, secure: secure, now: now, ended: map[string]time.Time{}}
}

// newSealer is the fallback Sealer: AES-256-GCM under key.
func newSealer(key [32]byte) Sealer {
	b, err := secretbox.New(key[:])
	if err != nil {
		panic(err) // a 32-byte key never fails
	}
	return b
}

// start issues a session for userID authenticated now.
func (s *sessions) start(w http.ResponseWriter, userID string) error {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	now := s.now()
	ss := session{ID: base64.RawURLEncoding.EncodeToString(b), UserID: userID, AuthTime: now.Truncate(time.Second), Expires: now.Add(s.ttl)}
	js, err := json.Marshal(ss)
	if err != nil {
		return err
	}
	sealed, err := s.box.Seal(js, []byte(sessionAD))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: s.path,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(s.ttl.Seconds()),
	})
	return nil
}

// read returns the request's session if it opens, has not expired and was
// not ended.
func (s *sessions) read(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return session{}, false
	}
	js, err := s.box.Open(sealed, []byte(sessionAD))
	if err != nil {
		return session{}, false
	}
	var ss session
	if err := json.Unmarshal(js, &ss); err != nil || ss.ID == "" || ss.UserID == "" {
		return session{}, false
	}
	now := s.now()
	if !now.Before(ss.Expires) {
		return session{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ended := s.ended[ss.ID]; ended {
		return session{}, false
	}
	return ss, true
}

// end ends the request's session, if any, and clears the cookie.
func (s *sessions) end(w http.ResponseWriter, r *http.Request) {
	if ss, ok := s.read(r); ok {
		now := s.now()
		s.mu.Lock()
		for id, exp := range s.ended {
			if !now.Before(exp) {
				delete(s.ended, id)
			}
		}
		s.ended[ss.ID] = ss.Expires
		s.mu.Unlock()
	}
	s.clear(w)
}

func (s *sessions) clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: s.path, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
