package adminapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// checkRequest holds a request's path and query to the string limits of
// identifiers (scim.CheckIdentifier: no control characters, valid UTF-8,
// at most scim.MaxIdentifierLength characters), before any service or
// store sees them: every path segment names a tenant, token, user, group
// or app, so one that breaks them names nothing and is 404; every query
// parameter is a number, a keyword, an id or a name, so one that breaks
// them is 400. (PostgreSQL refused NUL and invalid UTF-8 with errors that
// became 500s; SQLite took them.)
func checkRequest(r *http.Request) error {
	for _, seg := range strings.Split(r.URL.EscapedPath(), "/") {
		s, err := url.PathUnescape(seg)
		if err != nil || scim.CheckIdentifier("", s) != nil {
			return notFound("resource")
		}
	}
	for name, values := range r.URL.Query() {
		for _, v := range values {
			if err := scim.CheckIdentifier(fmt.Sprintf("query parameter %q", name), v); err != nil {
				return badRequest("%v", err)
			}
		}
	}
	return nil
}
