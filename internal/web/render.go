package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// navItems are the layout's navigation: label and path under Prefix. Pages
// not built yet answer 404 until their file is added.
var navItems = []struct{ Label, Path string }{
	{"Applications", "apps"},
	{"Provisioning logs", "logs"},
	{"Directory", "directory"},
	{"SCIM tenants", "tenants"},
	{"Audit", "audit"},
}

// view is what the layout renders: the page's data is Data.
type view struct {
	Title   string
	Nav     string // the current navigation item's path
	User    string // the signed-in administrator's UPN; "" on public pages
	CSRF    string
	Notice  string // a confirmation after a change (role=status)
	Problem string // an error to show (role=alert)
	Data    any
	NavList any
}

var funcs = template.FuncMap{
	"subf": func(a, b float64) float64 { return a - b },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"ago": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return time.Since(t).Round(time.Second).String() + " ago"
	},
}

// parsePages parses templates/layout.html once per page template: each
// page's set renders "layout", which calls the page's "title" and
// "content".
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes page with status; v.User and v.CSRF come from the session.
func (u *UI) render(w http.ResponseWriter, s *session, status int, page string, v view) {
	t, ok := u.pages[page]
	if !ok {
		panic("web: no template " + page)
	}
	if s != nil {
		v.User, v.CSRF = s.UPN, s.CSRF
	}
	v.NavList = navItems
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		u.log.Error("web: render", "page", page, "err", err)
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows msg on the message page.
func (u *UI) renderError(w http.ResponseWriter, _ *http.Request, s *session, status int, msg string) {
	u.render(w, s, status, "message", view{Title: http.StatusText(status), Problem: msg})
}

// page renders one of the request's pages with status 200.
func (req *request) render(u *UI, page string, v view) {
	u.render(req.W, req.S, http.StatusOK, page, v)
}

// redirect answers 303 See Other to path under Prefix (POST-redirect-GET).
func (req *request) redirect(p string) error {
	http.Redirect(req.W, req.R, Prefix+p, http.StatusSeeOther)
	return nil
}
