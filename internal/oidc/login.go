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
type login struct {
	st       *storage
	auth     Authenticator
	callback func(ctx context.Context, id string) string
	secure   bool
}

type loginData struct{ ID, CSRF, Username, Error string }

func (l *login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	switch r.Method {
	case http.MethodGet:
		id := r.URL.Query().Get("id")
		if _, err := l.st.AuthRequestByID(r.Context(), id); err != nil {
			http.Error(w, "unknown or expired sign-in request", http.StatusBadRequest)
			return
		}
		l.render(w, loginData{ID: id}, http.StatusOK)
	case http.MethodPost:
		l.post(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (l *login) post(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(csrfCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 || c.Value == "" {
		http.Error(w, "invalid CSRF token", http.StatusForbidden)
		return
	}
	id, upn := r.PostFormValue("id"), r.PostFormValue("username")
	userID, err := l.auth.Authenticate(r.Context(), upn, r.PostFormValue("password"))
	if err != nil {
		if !errors.Is(err, ErrBadCredentials) {
			slog.ErrorContext(r.Context(), "oidc login: authenticate", "err", err)
		}
		l.render(w, loginData{ID: id, Username: upn, Error: "Wrong user name or password."}, http.StatusUnauthorized)
		return
	}
	if err := l.st.complete(r.Context(), id, userID); err != nil {
		if errors.Is(err, errNotAssigned) {
			l.render(w, loginData{ID: id, Username: upn, Error: "You are not assigned to this application."}, http.StatusForbidden)
			return
		}
		slog.InfoContext(r.Context(), "oidc login: complete", "err", err)
		http.Error(w, "unknown or expired sign-in request", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
}

func (l *login) render(w http.ResponseWriter, d loginData, status int) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	d.CSRF = base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: d.CSRF, Path: "/", HttpOnly: true,
		Secure: l.secure, SameSite: http.SameSiteStrictMode, MaxAge: int(authRequestTTL.Seconds()),
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := loginPage.Execute(w, d); err != nil {
		slog.Error("oidc login: render", "err", err)
	}
}
