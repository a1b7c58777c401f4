package apiclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Export is an export's answer: read Body to its end, then close it.
type Export struct {
	ContentType        string
	ContentDisposition string
	Body               io.ReadCloser
}

// ExportLogs streams every log entry lq selects (lq.Limit is ignored) in
// format, "csv" or "json" (JSON Lines), from GET .../job/logs/export.
func (c *Client) ExportLogs(ctx context.Context, app string, lq LogQuery, format string) (Export, error) {
	lq.Limit = 0
	q := lq.values()
	q.Set("format", format)
	req, err := http.NewRequestWithContext(ctx, "GET", c.server+jobPath(app)+"/logs/export?"+q.Encode(), nil)
	if err != nil {
		return Export{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.stream.Do(req)
	if err != nil {
		return Export{}, fmt.Errorf("call %s: %w", c.server, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		return Export{}, c.answerError(resp.StatusCode, b)
	}
	return Export{ContentType: resp.Header.Get("Content-Type"), ContentDisposition: resp.Header.Get("Content-Disposition"), Body: resp.Body}, nil
}
