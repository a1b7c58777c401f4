package provisioning

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// matcher finds the target object of a source object that has no link,
// by its matching attributes in precedence order (Entra: "evaluated in
// matching precedence order; stops at the first match").
//
// With few objects to match it queries the target per object and
// attribute (GET ?filter=attr eq "value", as Entra does). With many (an
// initial cycle) it reads the target once, page by page, and matches in
// memory: 10,000 creates cost one listing instead of 10,000 queries.
type matcher struct {
	t  *target
	m  *compiledMapping
	ix map[string]map[string][]scim.Resource // target path → lower-cased value → resources; nil: query mode
	// reserved holds the unique values (SelectUniqueValue) given in this
	// stage: target path and value, lower-cased.
	reserved sync.Map
}

// load switches to listing mode: one paged read of the whole endpoint.
func (mt *matcher) load(ctx context.Context) error {
	mt.ix = map[string]map[string][]scim.Resource{}
	if err := mt.t.listAll(ctx, mt.m.Endpoint, mt.attributes(), mt.index); err != nil {
		return fmt.Errorf("list %s for matching: %w", mt.m.Endpoint, err)
	}
	return nil
}

// attributes lists what the listing needs: id plus every mapped target.
func (mt *matcher) attributes() []string {
	attrs := []string{"id"}
	for _, t := range mt.m.targets {
		attrs = append(attrs, t.top())
	}
	return attrs
}

func (mt *matcher) index(r scim.Resource) {
	for _, i := range mt.m.matching {
		t := mt.m.targets[i]
		v, ok := t.get(r, false)
		s, isString := v.(string)
		if !ok || !isString {
			continue
		}
		byValue := mt.ix[t.raw]
		if byValue == nil {
			byValue = map[string][]scim.Resource{}
			mt.ix[t.raw] = byValue
		}
		key := strings.ToLower(s)
		byValue[key] = append(byValue[key], r)
	}
}

// find returns the matching target resource or nil, and a description of
// the match for the log: the attribute and value that matched, or those
// tried. More than one candidate is an error.
func (mt *matcher) find(ctx context.Context, values []matchValue) (scim.Resource, string, error) {
	tried := make([]string, 0, len(values))
	for _, mv := range values {
		found, err := mt.lookup(ctx, mv)
		if err != nil {
			return nil, "", err
		}
		switch len(found) {
		case 0:
			tried = append(tried, fmt.Sprintf("%s = %q", mv.path.raw, mv.value))
			continue
		case 1:
			return found[0], fmt.Sprintf("matched on %s = %q", mv.path.raw, mv.value), nil
		default:
			return nil, "", fmt.Errorf("%d target objects match %s = %q", len(found), mv.path.raw, mv.value)
		}
	}
	return nil, "no target object matches " + strings.Join(tried, " or "), nil
}

func (mt *matcher) lookup(ctx context.Context, mv matchValue) ([]scim.Resource, error) {
	if mt.ix != nil {
		return mt.ix[mv.path.raw][strings.ToLower(mv.value)], nil
	}
	lr, err := mt.t.list(ctx, mt.m.Endpoint, client.Query{Filter: client.Eq(mv.path.raw, mv.value)})
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", mv.path.raw, err)
	}
	return lr.Resources, nil
}

// taken is SelectUniqueValue's check of one candidate: a filter query
// GET /<endpoint>?filter=<target> eq "<value>" (RFC 7644 §3.4.2.2; see
// targetPath.eqFilter), as Entra checks a generated value. A value that
// another object of this stage was given first counts as taken, so two
// objects created in one cycle never get the same value.
func (mt *matcher) taken(ctx context.Context, t targetPath, value string) (bool, error) {
	key := strings.ToLower(t.raw) + "\x00" + strings.ToLower(value)
	if _, reserved := mt.reserved.Load(key); reserved {
		return true, nil
	}
	lr, err := mt.t.list(ctx, mt.m.Endpoint, client.Query{Filter: t.eqFilter(value), Attributes: []string{"id"}})
	if err != nil {
		return false, fmt.Errorf("query %s: %w", t.raw, err)
	}
	if lr.TotalResults > 0 || len(lr.Resources) > 0 {
		return true, nil
	}
	_, reserved := mt.reserved.LoadOrStore(key, true)
	return reserved, nil
}
