package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// target is the job's one gate to the SCIM service: every request goes
// through the scim/client (timeouts, retries, Retry-After, rate limit,
// concurrency cap) and is counted here.
type target struct {
	c        *client.Client
	requests atomic.Int64
	// bulk, while a cycle sends Bulk requests, carries creates and
	// updates (bulk.go).
	bulk *bulker
}

func (t *target) create(ctx context.Context, endpoint string, res scim.Resource) (scim.Resource, error) {
	if t.bulk != nil {
		if out, sent, err := t.bulk.create(ctx, endpoint, res); sent {
			return out, err
		}
	}
	t.requests.Add(1)
	return t.c.Create(ctx, endpoint, res)
}

func (t *target) patch(ctx context.Context, endpoint, id string, ops []scim.PatchOperation) error {
	if t.bulk != nil {
		if sent, err := t.bulk.patch(ctx, endpoint, id, ops); sent {
			return err
		}
	}
	t.requests.Add(1)
	_, err := t.c.Patch(ctx, endpoint, id, ops)
	return err
}

func (t *target) delete(ctx context.Context, endpoint, id string) error {
	t.requests.Add(1)
	err := t.c.Delete(ctx, endpoint, id)
	if client.IsNotFound(err) {
		return nil // already gone: the desired state
	}
	return err
}

func (t *target) list(ctx context.Context, endpoint string, q client.Query) (*scim.ListResponse, error) {
	t.requests.Add(1)
	return t.c.List(ctx, endpoint, q)
}

// listPageSize is the page size of a paged listing.
const listPageSize = 1000

// listAll reads the whole endpoint page by page (RFC 7644 §3.4.2.4:
// startIndex and count), calling fn for every resource.
func (t *target) listAll(ctx context.Context, endpoint string, attrs []string, fn func(scim.Resource)) error {
	q := client.Query{Count: listPageSize, Attributes: attrs}
	for start := 1; ; {
		q.StartIndex = start
		page, err := t.list(ctx, endpoint, q)
		if err != nil {
			return err
		}
		for _, r := range page.Resources {
			fn(r)
		}
		n := len(page.Resources)
		if n == 0 || start-1+n >= page.TotalResults {
			return nil
		}
		start += n
	}
}

// errorCode classifies a failure for the provisioning log: the HTTP
// status and SCIM scimType ("http-409-uniqueness"), "timeout" or "network".
func errorCode(err error) string {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return "error"
	}
	switch {
	case ce.StatusCode != 0 && ce.SCIM != nil && ce.SCIM.ScimType != "":
		return "http-" + strconv.Itoa(ce.StatusCode) + "-" + untrusted(ce.SCIM.ScimType, maxScimTypeText)
	case ce.StatusCode != 0:
		return fmt.Sprintf("http-%d", ce.StatusCode)
	case ce.Timeout():
		return "timeout"
	}
	return "network"
}

// Bounds, in characters, on what a target's answers put into links and
// logs (see untrusted).
const (
	maxErrorText    = 2000
	maxScimTypeText = 64
)

// errorText is a failure as links and logs record it. Its text may quote
// what the target answered (a SCIM error's detail), which is untrusted.
func errorText(err error) string { return untrusted(err.Error(), maxErrorText) }

// untrusted makes text that came from a target fit to store and show:
// control characters (NUL among them, which PostgreSQL cannot store) and
// invalid UTF-8 become U+FFFD, and text over max characters is cut with
// an ellipsis.
func untrusted(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) {
			r = unicode.ReplacementChar
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// targetID is the id of a resource the target answered with: it goes into
// links and logs, so it must be an identifier any store can hold.
func targetID(res scim.Resource) (string, error) {
	id, _ := res["id"].(string)
	if id == "" {
		return "", errors.New("the target answered without an id")
	}
	if err := scim.CheckIdentifier("the target's id", id); err != nil {
		return "", fmt.Errorf("the target answered an unusable id: %w", err)
	}
	return id, nil
}
