package server

import (
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
	"github.com/provisio-dev/provisio/scim/patch"
)

// This file maps a Policy onto the options of the protocol library
// (scim, scim/filter, scim/patch): the only place where policy points turn
// into behaviour.

func normalizeOptions(pol Policy) scim.NormalizeOptions {
	return scim.NormalizeOptions{RejectUnknown: pol.UnknownAttributes == UnknownReject}
}

func patchOptions(pol Policy) patch.Options {
	return patch.Options{
		Filter:          filter.Options{Lenient: pol.LenientFilters},
		ValuePathUpsert: pol.ValuePathUpsert,
		Normalize:       normalizeOptions(pol),
	}
}

// normalize validates a client's resource (POST, PUT) against rt.
func normalize(rt *scim.ResourceType, doc scim.Resource, pol Policy) (scim.Resource, error) {
	return rt.Normalize(doc, normalizeOptions(pol))
}

// replaceDoc computes the result of a PUT (RFC 7644 §3.5.1) of incoming
// over current.
func replaceDoc(rt *scim.ResourceType, current, incoming scim.Resource, pol Policy) (scim.Resource, error) {
	return rt.Replace(current, incoming, normalizeOptions(pol))
}

func applyPatch(rt *scim.ResourceType, current scim.Resource, ops []scim.PatchOperation, pol Policy) (scim.Resource, error) {
	return patch.Apply(current, rt, ops, patchOptions(pol))
}

func extractMembers(rt *scim.ResourceType, ops []scim.PatchOperation, pol Policy) ([]scim.PatchOperation, *patch.MembersChange, error) {
	return patch.ExtractMembers(rt, ops, patchOptions(pol))
}

// parseFilter parses and compiles a filter against rt; every failure,
// including a filter over the limits of filter.Parse, is 400 invalidFilter
// (RFC 7644 §3.4.2.2) with the parser's message, which names the position
// or the limit. The backend receives the compiled expression (canonical
// attribute spelling, typed values).
func parseFilter(rt *scim.ResourceType, s string, pol Policy) (filter.Expr, error) {
	e, err := filter.Parse(s, filter.Options{Lenient: pol.LenientFilters})
	if err != nil {
		return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidFilter, "filter %s: %v", quoteStart(s), err)
	}
	m, err := filter.Compile(e, rt)
	if err != nil {
		return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidFilter, "filter %s: %v", quoteStart(s), err)
	}
	return m.Expr(), nil
}

// quoteStart quotes s for an error detail, cut to its first 100 bytes (at
// a character boundary): a large filter is not echoed back whole.
func quoteStart(s string) string {
	const limit = 100
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	n := limit
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "..."
}
