package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/provisio-dev/provisio/internal/clientip"
)

const (
	loginPath  = "/login"
	csrfCookie = "provisio_oidc_csrf"
)

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><h1>Sign in</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post">
<input type="hidden" name="id" value="{{.ID}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label>User name <input name="username" autocomplete="username" value="{{.Username}}" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></body></html>
`))

// login serves the sign-in form for an auth request and, on a good
// password of an assigned user, redirects to the provider's callback.
// CSRF: double-submit token in a SameSite=Strict cookie and the form.
// Failed attempts are throttled per account and per client address
// (throttle.go; the address behind trusted proxies, internal/clientip). A good password starts a sign-in session (session.go):
// while it lasts, the next authorize skips the form, unless the request
// says prompt=login or a max_age the session is older than; the user
// must still be enabled and assigned every time.
type login struct {
	st       *storage
	auth     Authenticator
	dir      Directory
	callback func(ctx context.Context, id string) string
	secure   bool
	path     string // the issuer's path, for cookies
	now      func() time.Time
	throttle *throttle
	proxies  clientip.Proxies // whose X-Forwarded-For is believed
	sessions *sessions
	// fail answers the auth request's redirect URI with an OAuth error.
	fail func(w http.ResponseWriter, r *http.Request, a op.AuthRequest, err error)
}

type loginData struct{ ID, CSRF, Username, Error string }

func (l *login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	switch r.Method {
	case http.MethodGet:
		l.get(w, r)
	case http.MethodPost:
		l.post(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// get answers from the sign-in session when it can, else shows the form;
// with prompt=none and no usable session it answers login_required
// (OpenID Connect Core 1.0 §3.1.2.6).
func (l *login) get(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	a, err := l.st.AuthRequestByID(r.Context(), id)
	if err != nil {
		http.Error(w, "unknown or expired sign-in request", http.StatusBadRequest)
		return
	}
	if ss, ok := l.sessions.read(r); ok && sessionUsable(a, ss.AuthTime, l.now()) {
		if l.resume(w, r, a, ss) {
			return
		}
	}
	if prompt, _ := promptOf(a); slices.Contains(prompt, oidc.PromptNone) {
		l.fail(w, r, a, oidc.ErrLoginRequired())
		return
	}
	l.render(w, loginData{ID: id}, http.StatusOK)
}

// resume completes the request a from the session ss; false when the form
// must be shown instead (the session's user is gone or disabled: the
// session is ended).
func (l *login) resume(w http.ResponseWriter, r *http.Request, a op.AuthRequest, ss session) bool {
	ctx, id := r.Context(), a.GetID()
	u, err := l.dir.User(ctx, ss.UserID)
	if err != nil || !u.Enabled {
		if err != nil && !errors.Is(err, ErrNotFound) {
			slog.ErrorContext(ctx, "oidc login: session user", "err", err)
		}
		l.sessions.end(w, r)
		return false
	}
	if err := l.st.completeAt(ctx, id, ss.UserID, ss.AuthTime); err != nil {
		if prompt, _ := promptOf(a); errors.Is(err, errNotAssigned) && slices.Contains(prompt, oidc.PromptNone) {
			// No page may be shown (OpenID Connect Core 1.0 §3.1.2.1).
			l.fail(w, r, a, oidc.ErrAccessDenied().WithDescription("not assigned to this application"))
			return true
		}
		l.completeFailed(w, r, id, "", err) // the form stays empty: another account may sign in
		return true
	}
	http.Redirect(w, r, l.callback(ctx, id), http.StatusFound)
	return true
}

func (l *login) completeFailed(w http.ResponseWriter, r *http.Request, id, upn string, err error) {
	if errors.Is(err, errNotAssigned) {
		l.render(w, loginData{ID: id, Username: upn, Error: "You are not assigned to this application."}, http.StatusForbidden)
		return
	}
	slog.InfoContext(r.Context(), "oidc login: complete", "err", err)
	http.Error(w, "unknown or expired sign-in request", http.StatusBadRequest)
}

var throttledPage = template.Must(template.New("throttled").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Too many attempts</title></head>
<body><h1>Too many attempts</h1><p role="alert">Too many attempts, try again in {{.}}.</p></body></html>
`))

func (l *login) post(w http.ResponseWriter, r *http.Request) {
	if !csrfOK(r, csrfCookie) {
		http.Error(w, "invalid CSRF token", http.StatusForbidden)
		return
	}
	ctx := r.Context()
	id, upn, addr := r.PostFormValue("id"), r.PostFormValue("username"), l.proxies.Address(r)
	if wait := l.throttle.wait(upn, addr, l.now()); wait > 0 {
		slog.WarnContext(ctx, "oidc login: throttled", "address", addr, "retry_after", wait.Round(time.Second))
		s := retryAfter(wait)
		w.Header().Set("Retry-After", strconv.Itoa(s))
		renderPage(w, http.StatusTooManyRequests, throttledPage, (time.Duration(s) * time.Second).String())
		return
	}
	userID, err := l.auth.Authenticate(ctx, upn, r.PostFormValue("password"))
	if err != nil {
		if !errors.Is(err, ErrBadCredentials) {
			slog.ErrorContext(ctx, "oidc login: authenticate", "err", err)
		} else {
			l.throttle.fail(upn, addr, l.now())
		}
		l.render(w, loginData{ID: id, Username: upn, Error: "Wrong user name or password."}, http.StatusUnauthorized)
		return
	}
	l.throttle.succeed(upn)
	if err := l.sessions.start(w, userID); err != nil {
		slog.ErrorContext(ctx, "oidc login: start session", "err", err)
	}
	if err := l.st.complete(ctx, id, userID); err != nil {
		l.completeFailed(w, r, id, upn, err)
		return
	}
	http.Redirect(w, r, l.callback(ctx, id), http.StatusFound)
}

func (l *login) render(w http.ResponseWriter, d loginData, status int) {
	d.CSRF = newCSRF(w, csrfCookie, "/", l.secure)
	renderPage(w, status, loginPage, d)
}

// newCSRF returns a fresh double-submit token and sets it as a
// SameSite=Strict cookie.
func newCSRF(w http.ResponseWriter, name, path string, secure bool) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: v, Path: path, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: int(authRequestTTL.Seconds()),
	})
	return v
}

// csrfOK checks the double-submit token of a form post.
func csrfOK(r *http.Request, name string) bool {
	c, err := r.Cookie(name)
	return err == nil && c.Value != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) == 1
}
