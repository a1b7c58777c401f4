package adminapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/scim/client"
)

// Jobs is what the API needs of the provisioning job service
// (*jobs.Service implements it). Jobs are named by application id; the
// API resolves the {app} path value (id or name) first.
type Jobs interface {
	Configure(ctx context.Context, appID string, c jobs.Config) (jobs.Job, error)
	Get(ctx context.Context, appID string) (jobs.Job, error)
	List(ctx context.Context) ([]jobs.Job, error)
	Delete(ctx context.Context, appID string) error
	Start(ctx context.Context, appID string) (jobs.Job, error)
	Stop(ctx context.Context, appID string) (jobs.Job, error)
	Restart(ctx context.Context, appID string) error
	TestConnection(ctx context.Context, appID string) error
	TestCredentials(ctx context.Context, tenantURL, token string) error
	Run(ctx context.Context, appID string) (*jobs.CycleSummary, error)
	Trigger(ctx context.Context, appID string) (<-chan struct{}, error)
	Status(ctx context.Context, appID string) (*jobs.Status, error)
	Logs(ctx context.Context, appID string, q jobs.LogQuery) ([]jobs.LogRecord, error)
	Cycles(ctx context.Context, appID string, limit int) ([]jobs.CycleSummary, error)
	Plan(ctx context.Context, appID string) (*provisioning.Plan, error)
	Preview(ctx context.Context, appID string, t provisioning.ObjectType, sourceID string) (*provisioning.Preview, error)
	Provision(ctx context.Context, appID string, t provisioning.ObjectType, sourceID string) (*provisioning.OnDemand, error)
	Quarantines // quarantine.go
	Reconcile(ctx context.Context, appID string, repair bool) (*provisioning.Reconciliation, error)
}

// maxRuns bounds GET .../job/runs?limit=.
const maxRuns = 1000

func (a *API) jobRoutes() []route {
	return []route{
		{"GET", "/api/v1/jobs", a.listJobs},
		{"PUT", "/api/v1/apps/{app}/job", a.configureJob},
		{"GET", "/api/v1/apps/{app}/job", a.getJob},
		{"DELETE", "/api/v1/apps/{app}/job", a.deleteJob},
		{"GET", "/api/v1/apps/{app}/job/status", a.statusAfter(nil)},
		{"POST", "/api/v1/apps/{app}/job/start", a.jobSwitch(Jobs.Start)},
		{"POST", "/api/v1/apps/{app}/job/stop", a.jobSwitch(Jobs.Stop)},
		{"POST", "/api/v1/apps/{app}/job/restart", a.statusAfter(Jobs.Restart)},
		{"POST", "/api/v1/apps/{app}/job/test", a.testJob},
		{"POST", "/api/v1/apps/{app}/job/runs", a.runJob},
		{"GET", "/api/v1/apps/{app}/job/runs", a.listRuns},
		{"GET", "/api/v1/apps/{app}/job/logs", a.jobLogs},
		{"GET", "/api/v1/apps/{app}/job/plan", a.jobPlan},
		{"GET", "/api/v1/apps/{app}/job/preview", a.jobPreview},
	}
}

// jobsSvc returns the job service, or a 503 when this server has none.
func (a *API) jobsSvc() (Jobs, error) {
	if a.cfg.Jobs == nil {
		return nil, errUnavailable("provisioning")
	}
	return a.cfg.Jobs, nil
}

// jobApp resolves the {app} path value to an application id and returns
// the job service.
func (a *API) jobApp(r *http.Request) (Jobs, string, error) {
	js, err := a.jobsSvc()
	if err != nil {
		return nil, "", err
	}
	_, app, err := a.app(r)
	if err != nil {
		return nil, "", err
	}
	return js, app.ID, nil
}

func isJobNotFound(err error) bool { return errors.Is(err, jobs.ErrNotFound) }

func (a *API) listJobs(w http.ResponseWriter, r *http.Request) error {
	js, err := a.jobsSvc()
	if err != nil {
		return err
	}
	list, err := js.List(r.Context())
	if err != nil {
		return err
	}
	out := apitypes.JobList{Jobs: make([]apitypes.Job, len(list))}
	for i, j := range list {
		if out.Jobs[i], err = jobWire(j); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) configureJob(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	var req apitypes.ConfigureJob
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	c := jobs.Config{TenantURL: req.TenantURL, SecretToken: req.Token, Scope: provisioning.ScopeMode(req.Scope),
		NotificationEmail: req.NotificationEmail, SkipOutOfScopeDeletions: req.SkipOutOfScopeDeletions,
		WebhookURL: req.WebhookURL, WebhookSecret: req.WebhookSecret,
		DeletionThreshold: req.DeletionThreshold, DeletionThresholdPercent: req.DeletionThresholdPercent,
		RateLimit: req.RateLimit, MaxConcurrency: req.MaxConcurrency, OAuth: oauthConfig(req.OAuth), Bulk: req.Bulk}
	if c.Mappings, err = decodeMappings(req.Mappings); err != nil {
		return err
	}
	if req.Interval != "" {
		if c.Interval, err = time.ParseDuration(req.Interval); err != nil || c.Interval <= 0 {
			return badRequest("field \"interval\": %q is not a positive duration such as 40m or 30s", req.Interval)
		}
	}
	if req.ReconcileEvery != nil {
		d, err := time.ParseDuration(*req.ReconcileEvery)
		if err != nil || d < 0 {
			return badRequest("field \"reconcileEvery\": %q is not a duration such as 24h (0: off)", *req.ReconcileEvery)
		}
		c.ReconcileEvery = &d
	}
	j, err := js.Configure(r.Context(), appID, c)
	if err != nil {
		return err
	}
	return writeJob(w, j)
}

// decodeMappings reads the mappings of a configure request: nil when
// absent or null; unknown fields are a 400 as anywhere in the body.
func decodeMappings(raw json.RawMessage) (*jobs.Mappings, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var m jobs.Mappings
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			typeErr.Field = strings.TrimSuffix("mappings."+typeErr.Field, ".")
		}
		return nil, jsonError(err)
	}
	return &m, nil
}

// writeJob answers with a job's settings.
func writeJob(w http.ResponseWriter, j jobs.Job) error {
	v, err := jobWire(j)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *API) getJob(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	j, err := js.Get(r.Context(), appID)
	if err != nil {
		return err
	}
	return writeJob(w, j)
}

func (a *API) deleteJob(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	if err := js.Delete(r.Context(), appID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// statusAfter serves the routes that answer with the job's status: after
// do (restart, clear quarantine), or alone (do nil).
func (a *API) statusAfter(do func(Jobs, context.Context, string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		js, appID, err := a.jobApp(r)
		if err != nil {
			return err
		}
		if do != nil {
			if err := do(js, r.Context(), appID); err != nil {
				return err
			}
		}
		st, err := js.Status(r.Context(), appID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, statusWire(st))
		return nil
	}
}

// jobSwitch serves start and stop: the job's settings back.
func (a *API) jobSwitch(do func(Jobs, context.Context, string) (jobs.Job, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		js, appID, err := a.jobApp(r)
		if err != nil {
			return err
		}
		j, err := do(js, r.Context(), appID)
		if err != nil {
			return err
		}
		return writeJob(w, j)
	}
}

func (a *API) testJob(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	var body apitypes.TestCredentials
	if err := decodeBody(w, r, 64<<10, &body, true); err != nil {
		return err
	}
	err = testWith(r.Context(), js, appID, body)
	out := apitypes.TestResult{OK: true, Message: "the SCIM service answered the test query as expected"}
	var ce *client.ConnectionError
	switch {
	case errors.As(err, &ce):
		out = apitypes.TestResult{Reason: string(ce.Reason), Message: ce.Error()}
	case err != nil:
		return err
	}
	if j, err := js.Get(r.Context(), appID); err == nil {
		out.TargetSchema = targetSchemaWire(j.Schema)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// runJob starts a cycle (or joins the running one). Without ?wait it
// answers 202 with the job's status at once; with ?wait=true it answers
// when the cycle ends, with the cycle's summary (whose "error" says why
// a cycle ended early).
func (a *API) runJob(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("wait") {
	case "true":
		sum, err := js.Run(r.Context(), appID)
		if sum == nil && r.Context().Err() != nil {
			return nil // the client left; the cycle goes on
		}
		if sum == nil {
			return err
		}
		writeJSON(w, http.StatusOK, cycleWire(*sum))
		return nil
	case "", "false":
		if _, err := js.Trigger(r.Context(), appID); err != nil {
			return err
		}
		st, err := js.Status(r.Context(), appID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusAccepted, statusWire(st))
		return nil
	}
	return badRequest("query parameter \"wait\" must be true or false")
}

func (a *API) listRuns(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r.URL.Query().Get("limit"), "limit", 20, 1, maxRuns)
	if err != nil {
		return err
	}
	runs, err := js.Cycles(r.Context(), appID, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apitypes.CycleList{Runs: wireList(runs, cycleWire)})
	return nil
}

var (
	logStatuses = []provisioning.Status{provisioning.StatusSuccess, provisioning.StatusFailure, provisioning.StatusSkipped, provisioning.StatusWarning, provisioning.StatusStaged}
	logActions  = []provisioning.ActionKind{provisioning.ActionCreate, provisioning.ActionUpdate, provisioning.ActionDisable, provisioning.ActionDelete, provisioning.ActionSkip}
	logTypes    = []provisioning.ObjectType{provisioning.TypeUser, provisioning.TypeGroup}
)

// oneOf checks an optional enumerated query parameter.
func oneOf[T ~string](name, v string, allowed []T) (T, error) {
	if v == "" {
		return "", nil
	}
	for _, x := range allowed {
		if string(x) == v {
			return x, nil
		}
	}
	return "", badRequest("query parameter %q must be one of %v", name, allowed)
}

// logQuery reads the log filters of GET .../job/logs (and its export)
// from the query string.
func logQuery(r *http.Request) (jobs.LogQuery, error) {
	q := r.URL.Query()
	var lq jobs.LogQuery
	var errs []error
	var e error
	lq.Status, e = oneOf("status", q.Get("status"), logStatuses)
	errs = append(errs, e)
	lq.Action, e = oneOf("action", q.Get("action"), logActions)
	errs = append(errs, e)
	lq.ObjectType, e = oneOf("type", q.Get("type"), logTypes)
	errs = append(errs, e)
	lq.CycleID, lq.ChangeID, lq.Object = q.Get("cycle"), q.Get("change"), q.Get("object")
	lq.Since, e = timeParam(q.Get("since"), "since")
	errs = append(errs, e)
	lq.Until, e = timeParam(q.Get("until"), "until")
	errs = append(errs, e)
	var before, limit int64
	before, e = intParam(q.Get("before"), "before", 0, 1, 1<<62)
	errs = append(errs, e)
	limit, e = intParam(q.Get("limit"), "limit", jobs.DefaultLogLimit, 1, jobs.MaxLogLimit)
	errs = append(errs, e)
	for _, e := range errs {
		if e != nil {
			return lq, e
		}
	}
	lq.Before, lq.Limit = before, int(limit)
	return lq, nil
}

// jobLogs answers a page of provisioning log entries, newest first.
// Next, when set, is the before= of the next (older) page.
func (a *API) jobLogs(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	lq, err := logQuery(r)
	if err != nil {
		return err
	}
	entries, err := js.Logs(r.Context(), appID, lq)
	if err != nil {
		return err
	}
	out := apitypes.LogPage{Entries: wireList(entries, logWire)}
	if len(entries) == lq.Limit {
		out.Next = strconv.FormatInt(entries[len(entries)-1].Seq, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) jobPlan(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	p, err := js.Plan(r.Context(), appID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, planWire(p))
	return nil
}
