package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// DefaultPageSize is the count [Client.All] asks for when the query sets none.
const DefaultPageSize = 100

// Query is a list request (RFC 7644 §3.4.2). Zero fields are not sent:
// the server's defaults apply (so Count 0 means "server default", not a
// count-only query).
type Query struct {
	Filter             string // e.g. client.Eq("userName", "bjensen")
	Attributes         []string
	ExcludedAttributes []string
	SortBy             string
	SortOrder          string // "ascending" or "descending"
	StartIndex         int    // 1-based
	Count              int
}

func (q Query) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("filter", q.Filter)
	set("attributes", strings.Join(q.Attributes, ","))
	set("excludedAttributes", strings.Join(q.ExcludedAttributes, ","))
	set("sortBy", q.SortBy)
	set("sortOrder", q.SortOrder)
	if q.StartIndex > 0 {
		v.Set("startIndex", strconv.Itoa(q.StartIndex))
	}
	if q.Count > 0 {
		v.Set("count", strconv.Itoa(q.Count))
	}
	return v
}

// resourcePath builds the escaped path "endpoint[/id]".
func resourcePath(endpoint string, id ...string) (string, error) {
	endpoint = strings.Trim(endpoint, "/")
	if endpoint == "" || strings.ContainsAny(endpoint, "?#") {
		return "", fmt.Errorf("invalid endpoint %q", endpoint)
	}
	segs := strings.Split(endpoint, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	for _, s := range id {
		if s == "" {
			return "", errors.New("empty resource id")
		}
		segs = append(segs, url.PathEscape(s))
	}
	return strings.Join(segs, "/"), nil
}

func (c *Client) send(ctx context.Context, method, path string, query url.Values, body any) (*response, error) {
	req := &request{method: method, path: path, query: query}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s body: %w", method, path, err)
		}
		req.body = b
	}
	return c.do(ctx, req)
}

// resource sends a request whose answer is one resource.
func (c *Client) resource(ctx context.Context, method, path string, query url.Values, body any) (scim.Resource, error) {
	resp, err := c.send(ctx, method, path, query, body)
	if err != nil {
		return nil, err
	}
	var res scim.Resource
	if err := resp.decode(&res); err != nil {
		return nil, err
	}
	return res, nil
}

// Create POSTs res to the endpoint (e.g. "Users") and returns the created
// resource with its id (RFC 7644 §3.3). It is retried only when the
// request certainly did not reach the server, or on 429/503.
func (c *Client) Create(ctx context.Context, endpoint string, res scim.Resource) (scim.Resource, error) {
	path, err := resourcePath(endpoint)
	if err != nil {
		return nil, err
	}
	return c.resource(ctx, http.MethodPost, path, nil, c.quirks.outgoing(res))
}

// Get returns one resource (RFC 7644 §3.4.1), optionally only the named
// attributes.
func (c *Client) Get(ctx context.Context, endpoint, id string, attrs ...string) (scim.Resource, error) {
	path, err := resourcePath(endpoint, id)
	if err != nil {
		return nil, err
	}
	return c.resource(ctx, http.MethodGet, path, Query{Attributes: attrs}.values(), nil)
}

// Replace PUTs res as the new state of the resource (RFC 7644 §3.5.1).
func (c *Client) Replace(ctx context.Context, endpoint, id string, res scim.Resource) (scim.Resource, error) {
	path, err := resourcePath(endpoint, id)
	if err != nil {
		return nil, err
	}
	return c.resource(ctx, http.MethodPut, path, nil, c.quirks.outgoing(res))
}

// Patch modifies a resource (RFC 7644 §3.5.2). It returns the resource if
// the server answers 200 with a body and nil if it answers 204. Quirks
// apply: MaxMembersPerPatch splits member changes over several requests
// (the result is that of the last), PatchNotSupported turns the PATCH into
// GET + local apply + PUT, ActiveAsString rewrites active values.
func (c *Client) Patch(ctx context.Context, endpoint, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	path, err := resourcePath(endpoint, id)
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, errors.New("patch: no operations")
	}
	if c.quirks.PatchNotSupported {
		return c.patchViaPut(ctx, endpoint, id, ops)
	}
	ops = c.quirks.outgoingOps(ops)
	batches := [][]scim.PatchOperation{ops}
	if c.quirks.MaxMembersPerPatch > 0 {
		if batches, err = chunkMembers(ops, c.quirks.MaxMembersPerPatch); err != nil {
			return nil, err
		}
	}
	var res scim.Resource
	for i, batch := range batches {
		res, err = c.patchOnce(ctx, path, batch)
		if err != nil {
			if len(batches) > 1 {
				return nil, fmt.Errorf("patch batch %d of %d: %w", i+1, len(batches), err)
			}
			return nil, err
		}
	}
	return res, nil
}

func (c *Client) patchOnce(ctx context.Context, path string, ops []scim.PatchOperation) (scim.Resource, error) {
	body := scim.PatchRequest{Schemas: []string{scim.PatchOpMessage}, Operations: ops}
	resp, err := c.send(ctx, http.MethodPatch, path, nil, body)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNoContent || len(bytes.TrimSpace(resp.body)) == 0 {
		return nil, nil
	}
	var res scim.Resource
	if err := resp.decode(&res); err != nil {
		return nil, err
	}
	return res, nil
}

// Delete removes a resource (RFC 7644 §3.6).
func (c *Client) Delete(ctx context.Context, endpoint, id string) error {
	path, err := resourcePath(endpoint, id)
	if err != nil {
		return err
	}
	_, err = c.send(ctx, http.MethodDelete, path, nil, nil)
	return err
}

// List runs one query (RFC 7644 §3.4.2) and returns one page.
func (c *Client) List(ctx context.Context, endpoint string, q Query) (*scim.ListResponse, error) {
	path, err := resourcePath(endpoint)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, http.MethodGet, path, q.values(), nil)
	if err != nil {
		return nil, err
	}
	var lr scim.ListResponse
	if err := resp.decode(&lr); err != nil {
		return nil, err
	}
	return &lr, nil
}

// All iterates over every resource matching q, page by page from
// q.StartIndex (default 1) with q.Count per page (default
// [DefaultPageSize]). It advances by the number of resources each page
// actually holds, so servers that cap the page size (AWS: 50) are paged
// correctly, and stops at totalResults or at the first empty page. An
// error is yielded once and ends the iteration. Resources created or
// deleted while paging may be skipped or seen twice, as with any
// index-based paging (RFC 7644 §3.4.2.4).
func (c *Client) All(ctx context.Context, endpoint string, q Query) iter.Seq2[scim.Resource, error] {
	return func(yield func(scim.Resource, error) bool) {
		q.StartIndex = max(q.StartIndex, 1)
		if q.Count <= 0 {
			q.Count = DefaultPageSize
		}
		for {
			page, err := c.List(ctx, endpoint, q)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, r := range page.Resources {
				if !yield(r, nil) {
					return
				}
			}
			n := len(page.Resources)
			if n == 0 || q.StartIndex-1+n >= page.TotalResults {
				return
			}
			q.StartIndex += n
		}
	}
}

// Bulk sends a bulk request (RFC 7644 §3.7) to the "Bulk" endpoint. Like
// every POST it is not retried once it may have reached the server; the
// per-operation outcomes are in the response.
func (c *Client) Bulk(ctx context.Context, req scim.BulkRequest) (*scim.BulkResponse, error) {
	if len(req.Schemas) == 0 {
		req.Schemas = []string{scim.BulkRequestMessage}
	}
	resp, err := c.send(ctx, http.MethodPost, "Bulk", nil, req)
	if err != nil {
		return nil, err
	}
	var br scim.BulkResponse
	if err := resp.decode(&br); err != nil {
		return nil, err
	}
	return &br, nil
}

// ServiceProviderConfig reads /ServiceProviderConfig (RFC 7644 §4, RFC 7643 §5).
func (c *Client) ServiceProviderConfig(ctx context.Context) (*scim.ServiceProviderConfig, error) {
	resp, err := c.send(ctx, http.MethodGet, "ServiceProviderConfig", nil, nil)
	if err != nil {
		return nil, err
	}
	var cfg scim.ServiceProviderConfig
	if err := resp.decode(&cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Schemas reads /Schemas (RFC 7644 §4, RFC 7643 §7). Both the
// ListResponse RFC 7644 prescribes and a bare JSON array are accepted.
func (c *Client) Schemas(ctx context.Context) ([]*scim.Schema, error) {
	return discover[scim.Schema](ctx, c, "Schemas")
}

// ResourceTypes reads /ResourceTypes (RFC 7644 §4, RFC 7643 §6), as a
// ListResponse or a bare JSON array.
func (c *Client) ResourceTypes(ctx context.Context) ([]*scim.ResourceType, error) {
	return discover[scim.ResourceType](ctx, c, "ResourceTypes")
}

func discover[T any](ctx context.Context, c *Client, path string) ([]*T, error) {
	resp, err := c.send(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	var list []*T
	if b := bytes.TrimSpace(resp.body); len(b) > 0 && b[0] == '[' {
		err = resp.decode(&list)
	} else {
		var lr struct {
			Resources []*T `json:"Resources"`
		}
		err = resp.decode(&lr)
		list = lr.Resources
	}
	if err != nil {
		return nil, err
	}
	return list, nil
}

// ResourcePath is the escaped path, relative to the base URL, of the
// requests on an endpoint or one of its resources ("Users",
// "Users/2819c223"): what a preview of a request shows.
func ResourcePath(endpoint string, id ...string) (string, error) {
	return resourcePath(endpoint, id...)
}
