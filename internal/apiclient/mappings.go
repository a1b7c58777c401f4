package apiclient

import (
	"context"
	"net/url"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// Object types of a job's mappings and scoping filters.
const (
	TypeUser  = "user"
	TypeGroup = "group"
)

func mappingsPath(app, typ string) string { return jobPath(app) + "/mappings/" + seg(typ) }
func scopingPath(app, typ string) string  { return jobPath(app) + "/scoping/" + seg(typ) }

// JobMappings reads one object type's (user or group) mappings and scoping
// filters.
func (c *Client) JobMappings(ctx context.Context, app, typ string) (apitypes.TypeMappings, error) {
	var out apitypes.TypeMappings
	return out, c.call(ctx, "GET", mappingsPath(app, typ), nil, nil, &out)
}

// SetJobMapping adds the mapping of m.Target or replaces the one of that
// target.
func (c *Client) SetJobMapping(ctx context.Context, app, typ string, m apitypes.AttributeMapping) (apitypes.TypeMappings, error) {
	var out apitypes.TypeMappings
	return out, c.call(ctx, "PUT", mappingsPath(app, typ), nil, m, &out)
}

// RemoveJobMapping removes the mapping of target.
func (c *Client) RemoveJobMapping(ctx context.Context, app, typ, target string) (apitypes.TypeMappings, error) {
	var out apitypes.TypeMappings
	return out, c.call(ctx, "DELETE", mappingsPath(app, typ), url.Values{"target": {target}}, nil, &out)
}

// RestoreJobDefaults restores the default mappings and drops every
// scoping filter.
func (c *Client) RestoreJobDefaults(ctx context.Context, app string) (apitypes.Job, error) {
	var j apitypes.Job
	return j, c.call(ctx, "POST", jobPath(app)+"/restore-defaults", nil, nil, &j)
}

// JobScoping reads one object type's scoping filters (with its mappings).
func (c *Client) JobScoping(ctx context.Context, app, typ string) (apitypes.TypeMappings, error) {
	var out apitypes.TypeMappings
	return out, c.call(ctx, "GET", scopingPath(app, typ), nil, nil, &out)
}

// AddJobScopingFilter adds one scoping filter of the clauses, ANDed.
func (c *Client) AddJobScopingFilter(ctx context.Context, app, typ string, clauses []string) (apitypes.TypeMappings, error) {
	var out apitypes.TypeMappings
	return out, c.call(ctx, "POST", scopingPath(app, typ), nil, apitypes.ScopingFilter{Clauses: clauses}, &out)
}

// RemoveJobScopingFilter removes scoping filter n (from 1, as listed).
func (c *Client) RemoveJobScopingFilter(ctx context.Context, app, typ string, n int) (apitypes.TypeMappings, error) {
	var out apitypes.TypeMappings
	return out, c.call(ctx, "DELETE", scopingPath(app, typ)+"/"+itoa(n), nil, nil, &out)
}

// ClearJobScoping removes every scoping filter of the type.
func (c *Client) ClearJobScoping(ctx context.Context, app, typ string) (apitypes.TypeMappings, error) {
	var out apitypes.TypeMappings
	return out, c.call(ctx, "DELETE", scopingPath(app, typ), nil, nil, &out)
}
