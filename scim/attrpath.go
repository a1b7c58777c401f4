package scim

import (
	"fmt"
	"strings"
)

// AttrPath names an attribute, optionally qualified by a schema URI and
// optionally narrowed to a sub-attribute (RFC 7644 §3.10):
//
//	userName                  -> {Name: "userName"}
//	name.givenName            -> {Name: "name", Sub: "givenName"}
//	urn:...:enterprise:2.0:User:manager.value
//	                          -> {URI: "urn:...:enterprise:2.0:User", Name: "manager", Sub: "value"}
//
// A path with a URI and an empty Name names a whole schema; only
// [ResourceType.ParseAttributeList] returns such paths.
//
// Paths as parsed keep the client's spelling; [ResourceType.Resolve] returns
// the canonical spelling with URI filled in.
type AttrPath struct {
	URI  string // schema URI; empty means "the resource's core schema, or any extension that has Name"
	Name string // top-level attribute name
	Sub  string // sub-attribute name, empty if none
}

// String renders the path in RFC 7644 §3.10 form. A path with only a URI
// (a whole schema, as in attributes=urn:...:enterprise:2.0:User) renders
// as the URI.
func (p AttrPath) String() string {
	if p.Name == "" {
		return p.URI
	}
	var b strings.Builder
	if p.URI != "" {
		b.WriteString(p.URI)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
	return b.String()
}

// ParseAttrPath parses an attribute path without value filters
// (RFC 7644 §3.10 attrPath = [URI ":"] ATTRNAME *1subAttr).
// A schema URI is recognised by its "urn:" prefix; the attribute name is the
// part after the URI's last colon.
func ParseAttrPath(s string) (AttrPath, error) {
	var p AttrPath
	rest := s
	if len(s) >= 4 && strings.EqualFold(s[:4], "urn:") {
		i := strings.LastIndexByte(s, ':')
		p.URI, rest = s[:i], s[i+1:]
		if p.URI == "" || rest == "" {
			return AttrPath{}, fmt.Errorf("attribute path %q: missing attribute name after schema URI", s)
		}
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	if hasSub && sub == "" {
		return AttrPath{}, fmt.Errorf("attribute path %q: empty sub-attribute", s)
	}
	if !validAttrName(name) || (hasSub && !validAttrName(sub)) {
		return AttrPath{}, fmt.Errorf("attribute path %q: invalid attribute name", s)
	}
	p.Name, p.Sub = name, sub
	return p, nil
}

// validAttrName reports whether s matches RFC 7643 §2.1 ATTRNAME
// (ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA), also allowing a
// leading "$" for "$ref".
func validAttrName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_'):
		case i == 0 && c == '$':
		default:
			return false
		}
	}
	return true
}
