package apiclient

import (
	"context"
	"net/url"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// AuditQuery selects a page of the audit log: entries at or after Since
// (zero: all), older than the page Before names (an AuditPage's Next; ""
// for the newest), at most Limit (0: the server's default).
// Until (zero: none) excludes entries at or after it; Actor selects an
// actor by name or id, Object an object by kind or id ("" for any).
type AuditQuery struct {
	Since  time.Time
	Until  time.Time
	Actor  string
	Object string
	Before string
	Limit  int
}

// Audit reads a page of the audit log of administrative changes, newest
// first.
func (c *Client) Audit(ctx context.Context, aq AuditQuery) (apitypes.AuditPage, error) {
	q := url.Values{}
	if !aq.Since.IsZero() {
		q.Set("since", aq.Since.UTC().Format(time.RFC3339))
	}
	if !aq.Until.IsZero() {
		q.Set("until", aq.Until.UTC().Format(time.RFC3339))
	}
	if aq.Actor != "" {
		q.Set("actor", aq.Actor)
	}
	if aq.Object != "" {
		q.Set("object", aq.Object)
	}
	if aq.Before != "" {
		q.Set("before", aq.Before)
	}
	if aq.Limit > 0 {
		q.Set("limit", itoa(aq.Limit))
	}
	var out apitypes.AuditPage
	return out, c.call(ctx, "GET", "/api/v1/audit", q, nil, &out)
}
