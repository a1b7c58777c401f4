package apiclient

import (
	"context"
	"fmt"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// EachLog calls fn with every log entry lq selects, newest first, reading
// page after page (lq.Limit entries each, default 1000) until the last;
// lq.Before starts after a page already read. An error from fn stops it.
func (c *Client) EachLog(ctx context.Context, app string, lq LogQuery, fn func(apitypes.LogEntry) error) error {
	if lq.Limit <= 0 {
		lq.Limit = 1000
	}
	for {
		page, err := c.Logs(ctx, app, lq)
		if err != nil {
			return err
		}
		for _, e := range page.Entries {
			if err := fn(e); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		if page.Next == lq.Before {
			return fmt.Errorf("read logs of %q: the server's next page repeats %s", app, page.Next)
		}
		lq.Before = page.Next
	}
}
