package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// ErrNotBulkable: an operation the client's quirks cannot express as one
// Bulk operation (PATCH on a target without PATCH, member changes to be
// split over several requests); send it as a single request instead.
var ErrNotBulkable = errors.New("not expressible as one bulk operation")

// BulkCreate returns the Bulk operation (RFC 7644 §3.7) that POSTs res to
// the endpoint under bulkID, with the quirks [Client.Create] applies.
func (c *Client) BulkCreate(endpoint, bulkID string, res scim.Resource) (scim.BulkOperation, error) {
	path, err := resourcePath(endpoint)
	if err != nil {
		return scim.BulkOperation{}, err
	}
	data, err := json.Marshal(c.quirks.outgoing(res))
	if err != nil {
		return scim.BulkOperation{}, fmt.Errorf("encode bulk POST %s: %w", path, err)
	}
	return scim.BulkOperation{Method: http.MethodPost, BulkID: bulkID, Path: "/" + path, Data: data}, nil
}

// BulkPatch returns the Bulk operation that PATCHes the resource with ops,
// with the quirks [Client.Patch] applies; ErrNotBulkable when those
// quirks need more than one request.
func (c *Client) BulkPatch(endpoint, id string, ops []scim.PatchOperation) (scim.BulkOperation, error) {
	path, err := resourcePath(endpoint, id)
	if err != nil {
		return scim.BulkOperation{}, err
	}
	if len(ops) == 0 {
		return scim.BulkOperation{}, errors.New("patch: no operations")
	}
	if c.quirks.PatchNotSupported {
		return scim.BulkOperation{}, ErrNotBulkable
	}
	ops = c.quirks.outgoingOps(ops)
	if c.quirks.MaxMembersPerPatch > 0 {
		batches, err := chunkMembers(ops, c.quirks.MaxMembersPerPatch)
		if err != nil {
			return scim.BulkOperation{}, err
		}
		if len(batches) != 1 {
			return scim.BulkOperation{}, ErrNotBulkable
		}
	}
	data, err := json.Marshal(scim.PatchRequest{Schemas: []string{scim.PatchOpMessage}, Operations: ops})
	if err != nil {
		return scim.BulkOperation{}, fmt.Errorf("encode bulk PATCH %s: %w", path, err)
	}
	return scim.BulkOperation{Method: http.MethodPatch, Path: "/" + path, Data: data}, nil
}

// BulkResult turns one operation of a Bulk response (RFC 7644 §3.7.3)
// into what the single request would have returned: for a 2xx status, the
// resource of its "response" if the server sent one, else one holding the
// "id" the "location" ends with (nil when there is neither); for an error
// status, an *Error like the single request's, with the operation's
// SCIM error body. sent is the operation as it was sent (its method and
// path name the request in the error).
func (c *Client) BulkResult(sent, got scim.BulkOperation) (scim.Resource, error) {
	status, err := strconv.Atoi(strings.TrimSpace(got.Status))
	target := c.url(strings.TrimPrefix(sent.Path, "/"), nil)
	if err != nil || status < 100 || status > 599 {
		return nil, &Error{Method: sent.Method, URL: target, Attempts: 1,
			Err: fmt.Errorf("%w: bulk operation status %q", ErrNotSCIM, got.Status)}
	}
	if status >= 300 {
		e := &Error{Method: sent.Method, URL: target, StatusCode: status, Attempts: 1}
		var se scim.Error
		if len(got.Response) > 0 && json.Unmarshal(got.Response, &se) == nil && (se.Status != 0 || se.Detail != "" || se.ScimType != "") {
			if se.Status == 0 {
				se.Status = status
			}
			e.SCIM = &se
		}
		return nil, e
	}
	var res scim.Resource
	if len(got.Response) > 0 && json.Unmarshal(got.Response, &res) == nil && res["id"] != nil {
		return res, nil
	}
	loc := strings.TrimSuffix(got.Location, "/")
	if i := strings.LastIndexByte(loc, '/'); i >= 0 && i < len(loc)-1 {
		id, err := url.PathUnescape(loc[i+1:])
		if err != nil {
			id = loc[i+1:]
		}
		return scim.Resource{"id": id}, nil
	}
	return nil, nil
}
