package server

import (
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// projection is a parsed attributes / excludedAttributes pair (RFC 7644
// §3.9, §3.4.2.5).
type projection struct {
	attrs    []scim.AttrPath
	excluded []scim.AttrPath
}

// projection reads attributes and excludedAttributes from the query string.
func (q *request) projection(rt *scim.ResourceType) (projection, error) {
	v := q.r.URL.Query()
	var attrs, excl []string
	if s := param(v, "attributes"); s != "" {
		attrs = []string{s}
	}
	if s := param(v, "excludedAttributes"); s != "" {
		excl = []string{s}
	}
	return parseProjection(rt, attrs, excl)
}

// parseProjection parses attribute lists (RFC 7644 §3.9); each string may
// itself be a comma-separated list (query parameters) or one element of a
// JSON array (SearchRequest). Paths naming no attribute are ignored.
func parseProjection(rt *scim.ResourceType, attrs, excluded []string) (projection, error) {
	var p projection
	var err error
	if len(attrs) > 0 {
		if p.attrs, err = rt.ParseAttributeList(attrs...); err != nil {
			return p, err
		}
	}
	if len(excluded) > 0 {
		if p.excluded, err = rt.ParseAttributeList(excluded...); err != nil {
			return p, err
		}
	}
	return p, nil
}

// isMembers reports whether a canonical path names rt's core "members"
// attribute or one of its sub-attributes; whole reports whether it names
// the core schema as a whole.
func isMembers(rt *scim.ResourceType, path scim.AttrPath) (members, whole bool) {
	if !strings.EqualFold(path.URI, rt.Schema) {
		return false, false
	}
	if path.Name == "" {
		return false, true
	}
	return strings.EqualFold(path.Name, "members"), false
}

// members reports whether the response needs group members, so that the
// backend loads them only then (Entra sends excludedAttributes=members on
// every group query; groups may have 100,000 members).
func (p projection) members(rt *scim.ResourceType) bool {
	if !rt.HasMembers() {
		return false
	}
	for _, e := range p.excluded {
		if m, whole := isMembers(rt, e); (m && e.Sub == "") || whole {
			return false
		}
	}
	if len(p.attrs) == 0 {
		return true
	}
	for _, a := range p.attrs {
		if m, whole := isMembers(rt, a); m || whole {
			return true
		}
	}
	return false
}

// passthrough reports whether p returns stored documents of rt as they
// are: no attributes, and excludedAttributes at most members, which
// backends keep apart from the document anyway (Entra sends
// excludedAttributes=members on every group query).
func (p projection) passthrough(rt *scim.ResourceType) bool {
	if len(p.attrs) > 0 {
		return false
	}
	for _, e := range p.excluded {
		if m, _ := isMembers(rt, e); !m || e.Sub != "" {
			return false
		}
	}
	return true
}

// apply projects a canonical resource for the response.
func (p projection) apply(rt *scim.ResourceType, res scim.Resource) scim.Resource {
	return rt.Project(res, p.attrs, p.excluded)
}
