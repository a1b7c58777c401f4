package apiclient

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

func jobPath(app string) string { return appPath(app) + "/job" }

func itoa(n int) string { return strconv.Itoa(n) }

// Jobs lists every application's job.
func (c *Client) Jobs(ctx context.Context) ([]apitypes.Job, error) {
	var out apitypes.JobList
	return out.Jobs, c.call(ctx, "GET", "/api/v1/jobs", nil, nil, &out)
}

// ConfigureJob creates or changes an application's job.
func (c *Client) ConfigureJob(ctx context.Context, app string, req apitypes.ConfigureJob) (apitypes.Job, error) {
	var j apitypes.Job
	return j, c.call(ctx, "PUT", jobPath(app), nil, req, &j)
}

// Job reads an application's job settings.
func (c *Client) Job(ctx context.Context, app string) (apitypes.Job, error) {
	var j apitypes.Job
	return j, c.call(ctx, "GET", jobPath(app), nil, nil, &j)
}

// DeleteJob deletes an application's job.
func (c *Client) DeleteJob(ctx context.Context, app string) error {
	return c.call(ctx, "DELETE", jobPath(app), nil, nil, nil)
}

// SwitchJob starts (on) or stops (off) an application's job.
func (c *Client) SwitchJob(ctx context.Context, app string, on bool) (apitypes.Job, error) {
	action := "stop"
	if on {
		action = "start"
	}
	var j apitypes.Job
	return j, c.call(ctx, "POST", jobPath(app)+"/"+action, nil, nil, &j)
}

// RestartJob clears a job's links and watermark: the next cycle is
// initial. It answers with the job's status.
func (c *Client) RestartJob(ctx context.Context, app string) (apitypes.JobStatus, error) {
	var st apitypes.JobStatus
	return st, c.call(ctx, "POST", jobPath(app)+"/restart", nil, nil, &st)
}

// TestJob runs Test Connection against the job's target.
func (c *Client) TestJob(ctx context.Context, app string) (apitypes.TestResult, error) {
	var res apitypes.TestResult
	return res, c.call(ctx, "POST", jobPath(app)+"/test", nil, nil, &res)
}

// RunJob starts a cycle (or joins the running one) and answers at once
// with the job's status.
func (c *Client) RunJob(ctx context.Context, app string) (apitypes.JobStatus, error) {
	var st apitypes.JobStatus
	return st, c.call(ctx, "POST", jobPath(app)+"/runs", nil, nil, &st)
}

// RunJobWait runs a cycle and answers when it ends, with its summary. It
// has no overall timeout: ctx ends the wait (not the cycle).
func (c *Client) RunJobWait(ctx context.Context, app string) (apitypes.Cycle, error) {
	var cyc apitypes.Cycle
	return cyc, c.send(ctx, c.stream, "POST", jobPath(app)+"/runs", url.Values{"wait": {"true"}}, "", nil, &cyc)
}

// JobStatus reads a job's state, progress, links and last cycle.
func (c *Client) JobStatus(ctx context.Context, app string) (apitypes.JobStatus, error) {
	var st apitypes.JobStatus
	return st, c.call(ctx, "GET", jobPath(app)+"/status", nil, nil, &st)
}

// Runs lists a job's last cycles, newest first, at most limit (0: the
// server's default).
func (c *Client) Runs(ctx context.Context, app string, limit int) ([]apitypes.Cycle, error) {
	var q url.Values
	if limit > 0 {
		q = url.Values{"limit": {itoa(limit)}}
	}
	var out apitypes.CycleList
	return out.Runs, c.call(ctx, "GET", jobPath(app)+"/runs", q, nil, &out)
}

// LogQuery selects provisioning log entries; empty fields select all.
type LogQuery struct {
	Status, Action, Type, Cycle, Change, Object string
	Since, Until                                time.Time // zero: unbounded
	Before                                      string    // the Next of the previous page
	Limit                                       int
}

// Logs reads a page of a job's provisioning log, newest first.
func (c *Client) Logs(ctx context.Context, app string, lq LogQuery) (apitypes.LogPage, error) {
	var out apitypes.LogPage
	return out, c.call(ctx, "GET", jobPath(app)+"/logs", lq.values(), nil, &out)
}

// values is lq as the query parameters of GET .../job/logs.
func (lq LogQuery) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": lq.Status, "action": lq.Action, "type": lq.Type,
		"cycle": lq.Cycle, "change": lq.Change, "object": lq.Object, "before": lq.Before} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for k, t := range map[string]time.Time{"since": lq.Since, "until": lq.Until} {
		if !t.IsZero() {
			q.Set(k, t.UTC().Format(time.RFC3339Nano))
		}
	}
	if lq.Limit > 0 {
		q.Set("limit", itoa(lq.Limit))
	}
	return q
}

// Plan reads what the job's next cycle would do.
func (c *Client) Plan(ctx context.Context, app string) (apitypes.Plan, error) {
	var p apitypes.Plan
	return p, c.call(ctx, "GET", jobPath(app)+"/plan", nil, nil, &p)
}
