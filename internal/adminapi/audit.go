package adminapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/audit"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// Audit records and lists administrative changes (*audit.Service
// implements it).
type Audit interface {
	Record(ctx context.Context, e audit.Entry) error
	List(ctx context.Context, since time.Time, limit int, before int64) ([]audit.Entry, error)
	Search(ctx context.Context, q audit.Query) ([]audit.Entry, error)
}

// AdminTokens names the admin token of a request: Config.Tenants
// implements it optionally (*tenant.Manager does); without it the audit
// log's actor is empty.
type AdminTokens interface {
	AdminTokenOf(ctx context.Context, token string) (tenant.Token, error)
}

func (a *API) auditRoutes() []route {
	return []route{{"GET", "/api/v1/audit", a.listAudit}}
}

type actorKey struct{}

// actor is the admin token that made a request.
type actor struct{ name, id string }

// authenticate checks the request's admin token and returns the request
// with its actor in the context.
func (a *API) authenticate(r *http.Request) (*http.Request, error) {
	if in, err := inProcessActor(r); in {
		return r, err
	}
	at, ok := a.cfg.Tenants.(AdminTokens)
	if !ok {
		return r, a.cfg.Tenants.AuthenticateAdmin(r.Context(), bearerToken(r))
	}
	tok, err := at.AdminTokenOf(r.Context(), bearerToken(r))
	if err != nil {
		return r, err
	}
	return r.WithContext(context.WithValue(r.Context(), actorKey{}, actor{tok.Name, tok.ID})), nil
}

// notChanges are the non-GET routes that change nothing: they are not
// audited.
var notChanges = map[string]bool{
	"POST /api/v1/expressions/evaluate": true,
	"POST /api/v1/apps/{app}/job/test":  true,
}

// jobPrefix is the route prefix of a provisioning job: a change under it
// records the job before and after.
const jobPrefix = "/api/v1/apps/{app}/job"

// audited wraps the handler of a route that changes something so that
// the change, once it took effect (a 2xx answer), is recorded in the audit
// log: the actor, method, route, object and, under jobPrefix, the job
// before and after. Reads and refused requests are not recorded.
func (a *API) audited(rt route) func(http.ResponseWriter, *http.Request) error {
	if a.cfg.Audit == nil || rt.method == "GET" || notChanges[rt.method+" "+rt.path] {
		return rt.h
	}
	object := objectOf(rt.path)
	snapshots := strings.HasPrefix(rt.path, jobPrefix)
	return func(w http.ResponseWriter, r *http.Request) error {
		var before []byte
		if snapshots {
			before = a.jobSnapshot(r)
		}
		rec := &recorder{ResponseWriter: w}
		if err := rt.h(rec, r); err != nil || rec.status >= 300 {
			return err
		}
		act, _ := r.Context().Value(actorKey{}).(actor)
		e := audit.Entry{Actor: act.name, ActorID: act.id, Method: rt.method, Route: rt.path, Path: r.URL.Path,
			Object: object, ObjectID: objectID(r, rt.path, rec.body.Bytes()), Status: cmp.Or(rec.status, http.StatusOK)}
		if snapshots {
			if after := a.jobSnapshot(r); !bytes.Equal(before, after) {
				e.Before, e.After = before, after
			}
		}
		// The change took effect: its answer stands even if the record
		// fails, which the server's log then says.
		if err := a.cfg.Audit.Record(context.WithoutCancel(r.Context()), e); err != nil {
			a.log.Error("audit: record a change", "method", rt.method, "route", rt.path, "err", err)
		}
		return nil
	}
}

// jobSnapshot is the job of the request's {app} as GET .../job answers it
// (secrets are write-only there), or nil when there is none.
func (a *API) jobSnapshot(r *http.Request) []byte {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return nil
	}
	j, err := js.Get(r.Context(), appID)
	if err != nil {
		return nil
	}
	v, err := jobWire(j)
	if err != nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// objects maps route path fragments to the kind of object they change,
// most specific first.
var objects = []struct{ fragment, object string }{
	{"/tokens", "token"},
	{"/job/mappings", "mapping"},
	{"/job/restore-defaults", "mapping"},
	{"/job/scoping", "scoping"},
	{"/job", "job"},
	{"/assignments", "assignment"},
	{"/apps", "app"},
	{"/groups", "group"},
	{"/users", "user"},
	{"/tenants", "tenant"},
}

// objectOf is the kind of object a route changes.
func objectOf(path string) string {
	for _, o := range objects {
		if strings.Contains(path, o.fragment) {
			return o.object
		}
	}
	return "other"
}

// objectID names the object a request changed: its path values joined by
// "/" (as the request named them), and for a create the "id" (or
// "objectId") of the answer.
func objectID(r *http.Request, pattern string, body []byte) string {
	var parts []string
	for seg := range strings.SplitSeq(pattern, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			parts = append(parts, r.PathValue(strings.TrimSuffix(name, "}")))
		}
	}
	var created struct {
		ID       string `json:"id"`
		ObjectID string `json:"objectId"` // directory users and groups
	}
	if r.Method == "POST" && json.Unmarshal(body, &created) == nil {
		if id := cmp.Or(created.ID, created.ObjectID); id != "" {
			parts = append(parts, id)
		}
	}
	return strings.Join(parts, "/")
}

// maxRecorded bounds how much of an answer the recorder keeps (for the
// created object's id).
const maxRecorded = 64 << 10

// recorder remembers a response's status and the start of its body.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if n := maxRecorded - rec.body.Len(); n > 0 {
		rec.body.Write(b[:min(n, len(b))])
	}
	return rec.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// listAudit answers GET /audit?since=&until=&actor=&object=&limit=&before=:
// entries newest first, since and until RFC 3339 times (until exclusive),
// actor an actor's name or id, object an object's kind or id (both
// ignoring case).
func (a *API) listAudit(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Audit == nil {
		return errUnavailable("audit log")
	}
	q := r.URL.Query()
	var since time.Time
	if s := q.Get("since"); s != "" {
		var err error
		if since, err = time.Parse(time.RFC3339, s); err != nil {
			return badRequest("query parameter \"since\": %q is not an RFC 3339 time", s)
		}
	}
	var until time.Time
	if s := q.Get("until"); s != "" {
		var err error
		if until, err = time.Parse(time.RFC3339, s); err != nil {
			return badRequest("query parameter \"until\": %q is not an RFC 3339 time", s)
		}
	}
	before, err := intParam(q.Get("before"), "before", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	limit, err := intParam(q.Get("limit"), "limit", audit.DefaultLimit, 1, audit.MaxLimit)
	if err != nil {
		return err
	}
	entries, err := a.cfg.Audit.Search(r.Context(), audit.Query{Since: since, Until: until, Actor: q.Get("actor"),
		Object: q.Get("object"), Before: before, Limit: int(limit)})
	if err != nil {
		return err
	}
	out := apitypes.AuditPage{Entries: wireList(entries, auditWire)}
	if len(entries) == int(limit) {
		out.Next = strconv.FormatInt(entries[len(entries)-1].Seq, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func auditWire(e audit.Entry) apitypes.AuditEntry {
	return apitypes.AuditEntry{Seq: e.Seq, Time: e.Time, Actor: e.Actor, ActorID: e.ActorID, Method: e.Method, Route: e.Route,
		Path: e.Path, Object: e.Object, ObjectID: e.ObjectID, Status: e.Status, Before: e.Before, After: e.After}
}
