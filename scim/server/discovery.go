package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// schemaDoc is a schema as served by /Schemas (RFC 7643 §7).
type schemaDoc struct {
	Schemas []string `json:"schemas"`
	*scim.Schema
	Meta scim.Meta `json:"meta"`
}

// resourceTypeDoc is a resource type as served by /ResourceTypes (RFC 7643 §6).
type resourceTypeDoc struct {
	Schemas []string `json:"schemas"`
	*scim.ResourceType
	Meta scim.Meta `json:"meta"`
}

// refuseFilter answers 403 to a filter on a discovery endpoint, as RFC 7644
// §4 asks, and reports whether it did.
func (q *request) refuseFilter() bool {
	if param(q.r.URL.Query(), "filter") == "" {
		return false
	}
	writeError(q.w, scim.Errorf(http.StatusForbidden, "", "filtering is not supported on %s (RFC 7644 section 4)", q.route.first))
	return true
}

func (q *request) schemaDoc(s *scim.Schema) schemaDoc {
	return schemaDoc{
		Schemas: []string{scim.SchemaSchema},
		Schema:  s,
		Meta:    scim.Meta{ResourceType: "Schema", Location: q.baseURL() + "/Schemas/" + s.ID},
	}
}

func (q *request) resourceTypeDoc(rt *scim.ResourceType) resourceTypeDoc {
	return resourceTypeDoc{
		Schemas:      []string{scim.ResourceTypeSchema},
		ResourceType: rt,
		Meta:         scim.Meta{ResourceType: "ResourceType", Location: q.baseURL() + "/ResourceTypes/" + url.PathEscape(rt.Name)},
	}
}

// schemas serves GET /Schemas and /Schemas/{id} (RFC 7644 §4).
func (q *request) schemas(id string) {
	if id != "" {
		s, ok := q.h.reg.Schema(id)
		if !ok {
			writeError(q.w, scim.Errorf(http.StatusNotFound, "", "schema %q not found", id))
			return
		}
		writeJSON(q.w, http.StatusOK, q.schemaDoc(s), "")
		return
	}
	if q.refuseFilter() {
		return
	}
	all := q.h.reg.Schemas()
	docs := make([]schemaDoc, len(all))
	for i, s := range all {
		docs[i] = q.schemaDoc(s)
	}
	writeJSON(q.w, http.StatusOK, discoveryList(docs), "")
}

// resourceTypes serves GET /ResourceTypes and /ResourceTypes/{name} (RFC 7644 §4).
func (q *request) resourceTypes(name string) {
	if name != "" {
		rt, ok := q.h.reg.ResourceType(name)
		if !ok {
			for _, have := range q.h.reg.ResourceTypes() {
				if strings.EqualFold(have.ID, name) {
					rt, ok = have, true
				}
			}
		}
		if !ok {
			writeError(q.w, scim.Errorf(http.StatusNotFound, "", "resource type %q not found", name))
			return
		}
		writeJSON(q.w, http.StatusOK, q.resourceTypeDoc(rt), "")
		return
	}
	if q.refuseFilter() {
		return
	}
	all := q.h.reg.ResourceTypes()
	docs := make([]resourceTypeDoc, len(all))
	for i, rt := range all {
		docs[i] = q.resourceTypeDoc(rt)
	}
	writeJSON(q.w, http.StatusOK, discoveryList(docs), "")
}

// listOf is a ListResponse of discovery documents.
type listOf[T any] struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []T      `json:"Resources"`
}

func discoveryList[T any](docs []T) listOf[T] {
	return listOf[T]{Schemas: []string{scim.ListResponseMessage}, TotalResults: len(docs), StartIndex: 1, ItemsPerPage: len(docs), Resources: docs}
}

// ServiceProviderConfig returns the configuration the Handler advertises
// at /ServiceProviderConfig (RFC 7643 §5): patch and bulk with their limits,
// filter with maxResults, sort and ETags are supported; changePassword is
// not; authentication is an OAuth bearer token.
func (h *Handler) ServiceProviderConfig() scim.ServiceProviderConfig {
	return scim.ServiceProviderConfig{
		Schemas:          []string{scim.SPConfigSchema},
		DocumentationURI: h.cfg.DocumentationURI,
		Patch:            scim.PatchConfig{Supported: true, MaxOperations: h.cfg.PatchMaxOperations, MaxValues: h.cfg.MaxValues},
		Bulk:             scim.BulkConfig{Supported: true, MaxOperations: h.cfg.BulkMaxOperations, MaxPayloadSize: int(h.cfg.BulkMaxPayload)},
		Filter:           scim.FilterConfig{Supported: true, MaxResults: h.cfg.MaxCount},
		ChangePassword:   scim.Supported{Supported: false},
		Sort:             scim.Supported{Supported: true},
		ETag:             scim.Supported{Supported: true},
		AuthenticationSchemes: []scim.AuthenticationScheme{{
			Type:        "oauthbearertoken",
			Name:        "OAuth Bearer Token",
			Description: "Authentication with the tenant's secret token in an Authorization: Bearer header",
			SpecURI:     "https://www.rfc-editor.org/info/rfc6750",
			Primary:     true,
		}},
	}
}

// serviceProviderConfig serves GET /ServiceProviderConfig (and Entra's
// /serviceConfiguration alias).
func (q *request) serviceProviderConfig() {
	spc := q.h.ServiceProviderConfig()
	spc.Meta = &scim.Meta{ResourceType: "ServiceProviderConfig", Location: q.baseURL() + "/ServiceProviderConfig"}
	writeJSON(q.w, http.StatusOK, spc, "")
}
