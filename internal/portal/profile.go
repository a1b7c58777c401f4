package portal

import (
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// ProfileOf reads a SCIM User (RFC 7643 §4.1) into a Profile: name is
// name.formatted, else displayName, else givenName familyName; emails and
// roles are their values; active is false unless true (a string form is
// read with scim.ParseBool).
func ProfileOf(u scim.Resource) Profile {
	p := Profile{ID: str(u["id"]), UserName: str(u["userName"])}
	name, _ := u["name"].(map[string]any)
	p.DisplayName = str(name["formatted"])
	if p.DisplayName == "" {
		p.DisplayName = str(u["displayName"])
	}
	if p.DisplayName == "" {
		p.DisplayName = strings.TrimSpace(str(name["givenName"]) + " " + str(name["familyName"]))
	}
	p.Emails = values(u["emails"])
	p.Roles = values(u["roles"])
	switch a := u["active"].(type) {
	case bool:
		p.Active = a
	case string:
		p.Active, _ = scim.ParseBool(a)
	}
	return p
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// values returns the "value" of each element of a multi-valued attribute
// (or the element itself when it is a plain string).
func values(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		switch e := e.(type) {
		case string:
			out = append(out, e)
		case map[string]any:
			if s := str(e["value"]); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
