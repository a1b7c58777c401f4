package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/provisio-dev/provisio/internal/adminapi"
	"github.com/provisio-dev/provisio/internal/sealedcookie"
)

// Cookie names: the login cookie lives between the redirect to the
// provider and the callback; the session cookie for the session.
const (
	loginCookie   = "provisio_ui_login"
	sessionCookie = "provisio_ui_session"
)

// session is a signed-in administrator: the directory object id and UPN,
// the CSRF token of their forms, and when the session ends.
type session struct {
	UserID  string    `json:"u"`
	UPN     string    `json:"n"`
	CSRF    string    `json:"c"`
	Expires time.Time `json:"e"`
}

// loginState is what the callback must find again: state, nonce and the
// PKCE verifier (RFC 7636 §4.1) of one authorization request, and where
// to go after.
type loginState struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Next     string    `json:"x"`
	Expires  time.Time `json:"e"`
}

// cookies seals values into cookies under Prefix, bound to their name.
type cookies struct{ jar sealedcookie.Jar }

func (c cookies) set(w http.ResponseWriter, r *http.Request, name string, v any, expires time.Time) error {
	return c.jar.Set(w, r, name, Prefix, "", v, expires)
}

func (c cookies) get(r *http.Request, name string, v any) error { return c.jar.Get(r, name, "", v) }

func (c cookies) clear(w http.ResponseWriter, r *http.Request, name string) {
	c.jar.Clear(w, r, name, Prefix)
}

// session returns the request's live session of an administrator who is
// still one (checked on every request, so a revoked administrator is out
// at once); otherwise it answers (a redirect to sign in for a GET) and
// reports false.
func (u *UI) session(w http.ResponseWriter, r *http.Request) (*session, bool) {
	var s session
	if err := u.cookies.get(r, sessionCookie, &s); err != nil || !u.cfg.Now().Before(s.Expires) {
		if r.Method == http.MethodGet && r.Header.Get("Accept") != "text/event-stream" {
			http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		} else {
			u.renderError(w, r, nil, http.StatusUnauthorized, "Your session has ended. Sign in again.")
		}
		return nil, false
	}
	ok, err := u.cfg.Admins.IsAdmin(r.Context(), s.UserID)
	if err != nil {
		u.fail(w, r, nil, fmt.Errorf("is %s an administrator: %w", s.UserID, err))
		return nil, false
	}
	if !ok {
		u.cookies.clear(w, r, sessionCookie)
		u.renderError(w, r, nil, http.StatusForbidden, "You are not an administrator of Provisio.")
		return nil, false
	}
	return &s, true
}

// withActor makes the admin API see the session's administrator.
func withActor(ctx context.Context, s *session) context.Context {
	return adminapi.WithActor(ctx, s.UPN, s.UserID)
}
