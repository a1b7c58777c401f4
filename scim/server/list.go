package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// listParams are the query parameters of a list or search request
// (RFC 7644 §3.4.2, §3.4.3), as sent.
type listParams struct {
	filter     string
	sortBy     string
	sortOrder  string
	startIndex *int
	count      *int
	attributes []string
	excluded   []string
}

// listParamsFromURL reads the query string. Unknown parameters (Entra's
// aadOptscim062020) are ignored.
func listParamsFromURL(r *http.Request) (listParams, error) {
	v := r.URL.Query()
	lp := listParams{
		filter:    param(v, "filter"),
		sortBy:    param(v, "sortBy"),
		sortOrder: param(v, "sortOrder"),
	}
	var err error
	if lp.startIndex, err = intParam(param(v, "startIndex"), "startIndex"); err != nil {
		return lp, err
	}
	if lp.count, err = intParam(param(v, "count"), "count"); err != nil {
		return lp, err
	}
	if s := param(v, "attributes"); s != "" {
		lp.attributes = []string{s}
	}
	if s := param(v, "excludedAttributes"); s != "" {
		lp.excluded = []string{s}
	}
	return lp, nil
}

// param returns a query parameter, matching its name case-insensitively
// when the exact spelling is absent (RFC 7644 spells them in camelCase;
// some clients do not).
func param(v url.Values, name string) string {
	if s, ok := v[name]; ok && len(s) > 0 {
		return s[0]
	}
	for k, s := range v {
		if strings.EqualFold(k, name) && len(s) > 0 {
			return s[0]
		}
	}
	return ""
}

func intParam(s, name string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		// Values beyond int range are still integers: clamp them.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(s, "-") {
				n = -1
			} else {
				n = int(^uint(0) >> 1)
			}
			return &n, nil
		}
		return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "%s must be an integer, got %q", name, s)
	}
	return &n, nil
}

// listParamsFromSearch reads a SearchRequest body (RFC 7644 §3.4.3).
func (q *request) listParamsFromSearch() (listParams, error) {
	b, err := q.readBody(q.h.cfg.MaxBodyBytes)
	if err != nil {
		return listParams{}, err
	}
	var sr scim.SearchRequest
	if err := decodeJSON(b, &sr); err != nil {
		return listParams{}, err
	}
	lp := listParams{
		filter:     sr.Filter,
		sortBy:     sr.SortBy,
		sortOrder:  sr.SortOrder,
		count:      sr.Count,
		attributes: sr.Attributes,
		excluded:   sr.ExcludedAttributes,
	}
	if sr.StartIndex != 0 {
		lp.startIndex = &sr.StartIndex
	}
	return lp, nil
}

// page turns startIndex and count into the effective values (RFC 7644
// §3.4.2.4): startIndex below 1 means 1, a negative count means 0, no
// count means DefaultCount, and count is capped at MaxCount.
func (h *Handler) page(lp listParams) (start, count int) {
	start, count = 1, h.cfg.DefaultCount
	if lp.startIndex != nil && *lp.startIndex > 1 {
		start = *lp.startIndex
	}
	if lp.count != nil {
		count = max(*lp.count, 0)
	}
	return start, min(count, h.cfg.MaxCount)
}

// query builds the backend query for one resource type.
func (q *request) query(rt *scim.ResourceType, lp listParams, p projection) (backend.Query, error) {
	start, count := q.h.page(lp)
	bq := backend.Query{StartIndex: start, Count: count, Members: p.members(rt)}
	if strings.TrimSpace(lp.filter) != "" {
		f, err := parseFilter(rt, lp.filter, q.pol)
		if err != nil {
			return bq, err
		}
		bq.Filter = f
	}
	if lp.sortBy != "" {
		path, err := scim.ParseAttrPath(strings.TrimSpace(lp.sortBy))
		if err != nil {
			return bq, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "sortBy: %v", err)
		}
		res, err := rt.Resolve(path)
		if err == nil {
			err = res.Readable()
		}
		if err != nil {
			return bq, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "sortBy: %v", err)
		}
		bq.SortBy = res.Path
	}
	switch strings.ToLower(strings.TrimSpace(lp.sortOrder)) {
	case "", "ascending":
	case "descending":
		bq.Descending = true
	default:
		return bq, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, `sortOrder must be "ascending" or "descending", got %q`, lp.sortOrder)
	}
	return bq, nil
}

// list serves GET /{Endpoint} (RFC 7644 §3.4.2).
func (q *request) list(rt *scim.ResourceType) {
	lp, err := listParamsFromURL(q.r)
	if err != nil {
		q.fail(err)
		return
	}
	q.listWith(rt, lp)
}

// search serves POST /{Endpoint}/.search (RFC 7644 §3.4.3).
func (q *request) search(rt *scim.ResourceType) {
	lp, err := q.listParamsFromSearch()
	if err != nil {
		q.fail(err)
		return
	}
	q.listWith(rt, lp)
}

func (q *request) listWith(rt *scim.ResourceType, lp listParams) {
	p, err := parseProjection(rt, lp.attributes, lp.excluded)
	if err != nil {
		q.fail(err)
		return
	}
	bq, err := q.query(rt, lp, p)
	if err != nil {
		q.fail(err)
		return
	}
	bq.Raw = !bq.Members && p.passthrough(rt)
	pg, err := q.h.be.List(q.r.Context(), rt, bq)
	if err != nil {
		q.fail(err)
		return
	}
	if bq.Raw && pg.Raw != nil {
		q.writeRawList(rt, pg, bq.StartIndex, p)
		return
	}
	out := make([]scim.Resource, len(pg.Resources))
	for i, res := range pg.Resources {
		out[i] = q.render(rt, res, p)
	}
	writeJSON(q.w, http.StatusOK, listResponse(pg.Total, bq.StartIndex, out), "")
}

// listResponse builds a ListResponse; res must not be nil, as Resources is
// never null on the wire (Entra and Microsoft's Postman collection compare
// it with []).
func listResponse(total, start int, res []scim.Resource) scim.ListResponse {
	return scim.ListResponse{
		Schemas:      []string{scim.ListResponseMessage},
		TotalResults: total,
		StartIndex:   start,
		ItemsPerPage: len(res),
		Resources:    res,
	}
}

// searchRoot serves POST /.search (RFC 7644 §3.4.3): a search over every
// resource type. Results are grouped by resource type in registry order
// (sorted within each type when sortBy is given), and paging runs over
// that concatenation. A filter naming attributes that a resource type
// lacks matches nothing of that type; a filter that no resource type
// understands is a 400 invalidFilter.
func (q *request) searchRoot() {
	lp, err := q.listParamsFromSearch()
	if err != nil {
		q.fail(err)
		return
	}
	start, count := q.h.page(lp)
	var (
		total    int
		out      = []scim.Resource{}
		firstErr error
		usable   int
	)
	skip := start - 1
	for _, rt := range q.h.reg.ResourceTypes() {
		p, err := parseProjection(rt, lp.attributes, lp.excluded)
		if err == nil {
			var bq backend.Query
			if bq, err = q.query(rt, lp, p); err == nil {
				usable++
				n, err := q.searchType(rt, bq, p, &skip, count-len(out), &out)
				if err != nil {
					q.fail(err)
					return
				}
				total += n
				continue
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if usable == 0 && firstErr != nil {
		q.fail(firstErr)
		return
	}
	writeJSON(q.w, http.StatusOK, listResponse(total, start, out), "")
}

// searchType counts one resource type's matches and appends the ones that
// fall into the requested window (skip, then at most room).
func (q *request) searchType(rt *scim.ResourceType, bq backend.Query, p projection, skip *int, room int, out *[]scim.Resource) (int, error) {
	bq.StartIndex, bq.Count = *skip+1, room
	pg, err := q.h.be.List(q.r.Context(), rt, bq)
	if err != nil {
		return 0, err
	}
	for _, res := range pg.Resources {
		*out = append(*out, q.render(rt, res, p))
	}
	*skip = max(*skip-pg.Total, 0)
	return pg.Total, nil
}
