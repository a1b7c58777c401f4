package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/patch"
)

// etagOf returns meta.version of a resource ("" if none).
func etagOf(res scim.Resource) string {
	meta, _ := res["meta"].(map[string]any)
	v, _ := meta["version"].(string)
	return v
}

// location returns the resource's URL under base (RFC 7644 §3.1 meta.location).
func location(base string, rt *scim.ResourceType, id string) string {
	return base + rt.Endpoint + "/" + url.PathEscape(id)
}

// render prepares a stored resource for the client: it applies the
// projection (RFC 7644 §3.9), which returns a new top-level object, and
// sets meta.location on a copy of meta, so the backend's maps are never
// modified.
func (q *request) render(rt *scim.ResourceType, res scim.Resource, p projection) scim.Resource {
	out := p.apply(rt, res)
	if old, ok := out["meta"].(map[string]any); ok {
		meta := make(map[string]any, len(old)+2)
		for k, v := range old {
			meta[k] = v
		}
		if meta["resourceType"] == nil {
			meta["resourceType"] = rt.Name
		}
		if id, ok := res["id"].(string); ok {
			meta["location"] = location(q.baseURL(), rt, id)
		}
		out["meta"] = meta
	}
	if _, ok := out["schemas"]; !ok {
		out["schemas"] = schemaURIs(rt, res)
	}
	return out
}

// schemaURIs lists the core schema and the extensions present in res.
func schemaURIs(rt *scim.ResourceType, res scim.Resource) []any {
	out := []any{rt.Schema}
	for _, ext := range rt.SchemaExtensions {
		if _, ok := res[ext.Schema]; ok {
			out = append(out, ext.Schema)
		}
	}
	return out
}

// projectionAndResource reads what POST and PUT share: the response
// projection (attributes/excludedAttributes) and the resource in the body.
func (q *request) projectionAndResource(rt *scim.ResourceType) (projection, scim.Resource, error) {
	p, err := q.projection(rt)
	if err != nil {
		return projection{}, nil, err
	}
	b, err := q.readBody(q.h.cfg.MaxBodyBytes)
	if err != nil {
		return projection{}, nil, err
	}
	doc, err := decodeResource(b)
	if err != nil {
		return projection{}, nil, err
	}
	return p, doc, nil
}

// create serves POST /{Endpoint} (RFC 7644 §3.3).
func (q *request) create(rt *scim.ResourceType) {
	p, doc, err := q.projectionAndResource(rt)
	if err != nil {
		q.fail(err)
		return
	}
	res, err := q.h.doCreate(q.r.Context(), rt, doc, q.pol)
	if err != nil {
		q.fail(err)
		return
	}
	out := q.render(rt, res, p)
	if id, ok := res["id"].(string); ok {
		q.w.Header().Set("Location", location(q.baseURL(), rt, id))
	}
	writeJSON(q.w, http.StatusCreated, out, etagOf(res))
}

// get serves GET /{Endpoint}/{id} (RFC 7644 §3.4.1), answering 304 to a
// matching If-None-Match (RFC 7644 §3.14).
func (q *request) get(rt *scim.ResourceType, id string) {
	p, err := q.projection(rt)
	if err != nil {
		q.fail(err)
		return
	}
	res, err := q.h.be.Get(q.r.Context(), rt, id, backend.GetOptions{Members: p.members(rt)})
	if err != nil {
		q.fail(err)
		return
	}
	etag := etagOf(res)
	if inm := q.r.Header.Get("If-None-Match"); inm != "" && etag != "" && etagListMatches(inm, etag) {
		q.w.Header().Set("ETag", etag)
		q.w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(q.w, http.StatusOK, q.render(rt, res, p), etag)
}

// etagListMatches compares an If-None-Match list with weak comparison
// (RFC 7232 §3.2).
func etagListMatches(header, etag string) bool {
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}

// replace serves PUT /{Endpoint}/{id} (RFC 7644 §3.5.1).
func (q *request) replace(rt *scim.ResourceType, id string) {
	p, doc, err := q.projectionAndResource(rt)
	if err != nil {
		q.fail(err)
		return
	}
	res, err := q.h.doReplace(q.r.Context(), rt, id, q.r.Header.Get("If-Match"), doc, q.pol, backend.GetOptions{Members: p.members(rt)})
	if err != nil {
		q.fail(err)
		return
	}
	writeJSON(q.w, http.StatusOK, q.render(rt, res, p), etagOf(res))
}

// patch serves PATCH /{Endpoint}/{id} (RFC 7644 §3.5.2), answering 200
// with the resource or 204 as the policy says.
func (q *request) patch(rt *scim.ResourceType, id string) {
	p, err := q.projection(rt)
	if err != nil {
		q.fail(err)
		return
	}
	b, err := q.readBody(q.h.cfg.MaxBodyBytes)
	if err != nil {
		q.fail(err)
		return
	}
	var pr scim.PatchRequest
	if err := decodeJSON(b, &pr); err != nil {
		q.fail(err)
		return
	}
	noContent := q.pol.patchNoContent(rt.HasMembers())
	res, err := q.h.doPatch(q.r.Context(), rt, id, q.r.Header.Get("If-Match"), pr.Operations, q.pol, backend.GetOptions{Members: !noContent && p.members(rt)})
	if err != nil {
		q.fail(err)
		return
	}
	if noContent {
		if etag := etagOf(res); etag != "" {
			q.w.Header().Set("ETag", etag)
		}
		q.w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(q.w, http.StatusOK, q.render(rt, res, p), etagOf(res))
}

// delete serves DELETE /{Endpoint}/{id} (RFC 7644 §3.6).
func (q *request) delete(rt *scim.ResourceType, id string) {
	if err := q.h.be.Delete(q.r.Context(), rt, id, q.r.Header.Get("If-Match")); err != nil {
		q.fail(err)
		return
	}
	q.w.WriteHeader(http.StatusNoContent)
}

// doCreate validates doc against rt and stores it.
func (h *Handler) doCreate(ctx context.Context, rt *scim.ResourceType, doc scim.Resource, pol Policy) (scim.Resource, error) {
	norm, err := normalize(rt, doc, pol)
	if err != nil {
		return nil, err
	}
	if err := h.checkValues(rt, norm); err != nil {
		return nil, err
	}
	return h.be.Create(ctx, rt, norm)
}

// doReplace replaces a resource with doc (RFC 7644 §3.5.1): read-only
// attributes are kept, immutable ones must not change, and for groups the
// membership becomes exactly doc's members.
func (h *Handler) doReplace(ctx context.Context, rt *scim.ResourceType, id, ifMatch string, doc scim.Resource, pol Policy, opts backend.GetOptions) (scim.Resource, error) {
	norm, err := normalize(rt, doc, pol)
	if err != nil {
		return nil, err
	}
	if err := h.checkValues(rt, norm); err != nil {
		return nil, err
	}
	var change backend.Change
	if rt.HasMembers() {
		members, err := memberList(norm["members"])
		if err != nil {
			return nil, err
		}
		delete(norm, "members")
		change.Members = &patch.MembersChange{Reset: true, Add: members}
	}
	change.Apply = func(cur scim.Resource) (scim.Resource, error) {
		return replaceDoc(rt, cur, norm, pol)
	}
	return h.be.Update(ctx, rt, id, ifMatch, change, opts)
}

// doPatch applies PATCH operations: member operations of groups become a
// membership change, the others are applied to the document.
func (h *Handler) doPatch(ctx context.Context, rt *scim.ResourceType, id, ifMatch string, ops []scim.PatchOperation, pol Policy, opts backend.GetOptions) (scim.Resource, error) {
	if len(ops) == 0 {
		return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "PATCH request has no Operations")
	}
	if limit := h.cfg.PatchMaxOperations; len(ops) > limit {
		return nil, scim.Errorf(http.StatusRequestEntityTooLarge, "", "PATCH request has %d operations, more than the %d this server accepts (patch.maxOperations in /ServiceProviderConfig)", len(ops), limit)
	}
	var change backend.Change
	rest := ops
	if rt.HasMembers() {
		var err error
		rest, change.Members, err = extractMembers(rt, ops, pol)
		if err != nil {
			return nil, err
		}
	}
	if len(rest) > 0 {
		change.Apply = func(cur scim.Resource) (scim.Resource, error) {
			res, err := applyPatch(rt, cur, rest, pol)
			if err != nil {
				return nil, err
			}
			return res, h.checkValues(rt, res)
		}
	}
	return h.be.Update(ctx, rt, id, ifMatch, change, opts)
}

// checkValues enforces Config.MaxValues on the multi-valued attributes of
// the canonical resource doc; a group's members are exempt, as stores keep
// them as rows (a group may have 100,000).
func (h *Handler) checkValues(rt *scim.ResourceType, doc scim.Resource) error {
	check := func(uri string, s *scim.Schema, holder map[string]any) error {
		for _, a := range s.Attributes {
			list, ok := holder[a.Name].([]any)
			if !ok || len(list) <= h.cfg.MaxValues || (a.Name == "members" && rt.HasMembers()) {
				continue
			}
			return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "attribute %q has %d values, more than the %d this server accepts (patch.maxValues in /ServiceProviderConfig)",
				scim.AttrPath{URI: uri, Name: a.Name}.String(), len(list), h.cfg.MaxValues)
		}
		return nil
	}
	if err := check("", rt.CoreSchema(), doc); err != nil {
		return err
	}
	for _, ext := range rt.Extensions() {
		if m, ok := doc[ext.ID].(map[string]any); ok {
			if err := check(ext.ID, ext, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// memberList converts a canonical "members" value to members.
func memberList(v any) ([]scim.Member, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "members must be an array")
	}
	out := make([]scim.Member, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "each member must be an object with a value")
		}
		var mem scim.Member
		mem.Value, _ = m["value"].(string)
		if mem.Value == "" {
			return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "each member needs a non-empty value")
		}
		mem.Ref, _ = m["$ref"].(string)
		mem.Type, _ = m["type"].(string)
		mem.Display, _ = m["display"].(string)
		out = append(out, mem)
	}
	return out, nil
}
