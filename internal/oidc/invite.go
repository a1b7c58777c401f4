package oidc

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/internal/dirsvc"
)

const inviteCSRFCookie = "provisio_invite_csrf"

var invitePage = template.Must(template.New("invite").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Set your password</title></head>
<body><h1>Set your password</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<p>At least {{.Min}} characters.</p>
<label>New password <input name="password" type="password" autocomplete="new-password" minlength="{{.Min}}" maxlength="{{.Max}}" required></label>
<label>Repeat it <input name="confirm" type="password" autocomplete="new-password" minlength="{{.Min}}" maxlength="{{.Max}}" required></label>
<button type="submit">Set password</button>
</form></body></html>
`))

type inviteData struct {
	CSRF, Error string
	Min, Max    int
}

// invite serves an invite link, <issuer>/invite/<token> (what `provisio
// user invite` prints): a form asking for a new password twice
// (double-submit CSRF token), which redeems the invite once, before it
// expires, under the set-password length policy (dirsvc).
type invite struct {
	inv    Invites
	secure bool
	path   string // the issuer's path: the CSRF cookie's scope
}

func (v *invite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	token := strings.TrimPrefix(r.URL.Path, invitePath)
	if token == "" || strings.Contains(token, "/") {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		v.render(w, "", http.StatusOK)
	case http.MethodPost:
		v.post(w, r, token)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (v *invite) post(w http.ResponseWriter, r *http.Request, token string) {
	if !csrfOK(r, inviteCSRFCookie) {
		http.Error(w, "invalid CSRF token", http.StatusForbidden)
		return
	}
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	if pw != confirm {
		v.render(w, "The two passwords differ.", http.StatusBadRequest)
		return
	}
	if n := utf8.RuneCountInString(pw); n < dirsvc.MinPasswordLength || n > dirsvc.MaxPasswordLength {
		v.render(w, fmt.Sprintf("The password must be %d to %d characters long.", dirsvc.MinPasswordLength, dirsvc.MaxPasswordLength), http.StatusBadRequest)
		return
	}
	err := v.inv.RedeemInvite(r.Context(), token, pw)
	switch {
	case err == nil:
		renderPage(w, http.StatusOK, messagePage, message{Title: "Password set", Text: "Your password is set: you can sign in."})
	case errors.Is(err, ErrInvalidInvite):
		renderPage(w, http.StatusGone, messagePage, message{Title: "Invalid link", Text: "This invite link is invalid, already used or expired. Ask your administrator for a new one."})
	case errors.Is(err, ErrWeakPassword):
		v.render(w, "The password does not meet the policy.", http.StatusBadRequest)
	default:
		slog.ErrorContext(r.Context(), "oidc invite: redeem", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (v *invite) render(w http.ResponseWriter, msg string, status int) {
	d := inviteData{Error: msg, Min: dirsvc.MinPasswordLength, Max: dirsvc.MaxPasswordLength}
	d.CSRF = newCSRF(w, inviteCSRFCookie, v.path, v.secure)
	renderPage(w, status, invitePage, d)
}
