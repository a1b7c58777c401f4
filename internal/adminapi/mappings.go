package adminapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/expr/scoping"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/provisioning/mapping"
)

// JobMappings is what the API needs to edit a job's mappings and scoping
// filters one at a time (*jobs.Service implements it); an optional
// capability of Config.Jobs.
type JobMappings interface {
	SetMapping(ctx context.Context, appID string, typ provisioning.ObjectType, a jobs.AttributeMapping) (jobs.Job, error)
	RemoveMapping(ctx context.Context, appID string, typ provisioning.ObjectType, target string) (jobs.Job, error)
	ResetMappings(ctx context.Context, appID string) (jobs.Job, error)
	AddScopingFilter(ctx context.Context, appID string, typ provisioning.ObjectType, f scoping.Filter) (jobs.Job, error)
	RemoveScopingFilter(ctx context.Context, appID string, typ provisioning.ObjectType, n int) (jobs.Job, error)
	ClearScoping(ctx context.Context, appID string, typ provisioning.ObjectType) (jobs.Job, error)
}

// mappingRoutes edit a job's mappings, one type ({type}: user or group)
// and one target at a time. The target travels in the body (PUT) or the
// query (DELETE ?target=), never in the path: target paths hold `[`, `]`,
// `"`, spaces and colons (emails[type eq "work"].value, urn:...:User:
// department), which a path segment must percent-encode and which
// proxies and routers decode inconsistently; a query parameter is
// encoded the one way every client library does (RFC 3986 §3.4).
func (a *API) mappingRoutes() []route {
	return []route{
		{"GET", "/api/v1/apps/{app}/job/mappings/{type}", a.mappingsOf(nil)},
		{"PUT", "/api/v1/apps/{app}/job/mappings/{type}", a.mappingsOf(setMapping)},
		{"DELETE", "/api/v1/apps/{app}/job/mappings/{type}", a.mappingsOf(removeMapping)},
		{"POST", "/api/v1/apps/{app}/job/restore-defaults", a.resetMappings},
		{"GET", "/api/v1/apps/{app}/job/scoping/{type}", a.mappingsOf(nil)},
		{"POST", "/api/v1/apps/{app}/job/scoping/{type}", a.mappingsOf(addScopingFilter)},
		{"DELETE", "/api/v1/apps/{app}/job/scoping/{type}", a.mappingsOf(clearScoping)},
		{"DELETE", "/api/v1/apps/{app}/job/scoping/{type}/{n}", a.mappingsOf(removeScopingFilter)},
	}
}

// mappingEdit changes one type's mappings from a request.
type mappingEdit func(a *API, jm JobMappings, r *http.Request, w http.ResponseWriter, appID string, typ provisioning.ObjectType) (jobs.Job, error)

// jobMappings returns the job service's editing capability.
func (a *API) jobMappings(r *http.Request) (JobMappings, string, error) {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return nil, "", err
	}
	jm, ok := js.(JobMappings)
	if !ok {
		return nil, "", errUnavailable("mapping editing")
	}
	return jm, appID, nil
}

// objectType reads the {type} path value: user or group.
func objectType(r *http.Request) (provisioning.ObjectType, error) {
	switch r.PathValue("type") {
	case "user":
		return provisioning.TypeUser, nil
	case "group":
		return provisioning.TypeGroup, nil
	}
	return "", badRequest("object type %q: want user or group", r.PathValue("type"))
}

// mappingsOf serves an endpoint of one type's mappings: edit (nil: read)
// and answer with the type's mappings and scoping filters.
func (a *API) mappingsOf(edit mappingEdit) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		jm, appID, err := a.jobMappings(r)
		if err != nil {
			return err
		}
		typ, err := objectType(r)
		if err != nil {
			return err
		}
		var j jobs.Job
		if edit == nil {
			j, err = a.cfg.Jobs.Get(r.Context(), appID)
		} else {
			j, err = edit(a, jm, r, w, appID, typ)
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, typeMappingsWire(j, typ))
		return nil
	}
}

func setMapping(a *API, jm JobMappings, r *http.Request, w http.ResponseWriter, appID string, typ provisioning.ObjectType) (jobs.Job, error) {
	var req apitypes.AttributeMapping
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return jobs.Job{}, err
	}
	if req.Target == "" {
		return jobs.Job{}, badRequest("field \"target\" is required")
	}
	return jm.SetMapping(r.Context(), appID, typ, mapping.AttributeMapping{Target: req.Target, Type: req.Type, Source: req.Source,
		Value: req.Value, Expression: req.Expression, Default: req.Default, Apply: req.Apply, Match: req.Match,
		Reference: req.Reference, ClearWhenEmpty: req.ClearWhenEmpty})
}

func removeMapping(_ *API, jm JobMappings, r *http.Request, _ http.ResponseWriter, appID string, typ provisioning.ObjectType) (jobs.Job, error) {
	target := r.URL.Query().Get("target")
	if target == "" {
		return jobs.Job{}, badRequest("query parameter \"target\" is required")
	}
	return jm.RemoveMapping(r.Context(), appID, typ, target)
}

func addScopingFilter(a *API, jm JobMappings, r *http.Request, w http.ResponseWriter, appID string, typ provisioning.ObjectType) (jobs.Job, error) {
	var req apitypes.ScopingFilter
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return jobs.Job{}, err
	}
	if len(req.Clauses) == 0 {
		return jobs.Job{}, badRequest("field \"clauses\" needs at least one clause")
	}
	var f scoping.Filter
	for i, s := range req.Clauses {
		c, err := scoping.ParseClause(s)
		if err != nil {
			return jobs.Job{}, badRequest("clause %d: %v", i+1, err)
		}
		f.Clauses = append(f.Clauses, c)
	}
	return jm.AddScopingFilter(r.Context(), appID, typ, f)
}

func clearScoping(_ *API, jm JobMappings, r *http.Request, _ http.ResponseWriter, appID string, typ provisioning.ObjectType) (jobs.Job, error) {
	return jm.ClearScoping(r.Context(), appID, typ)
}

func removeScopingFilter(_ *API, jm JobMappings, r *http.Request, _ http.ResponseWriter, appID string, typ provisioning.ObjectType) (jobs.Job, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return jobs.Job{}, badRequest("filter number %q: want 1 or more, as listed", r.PathValue("n"))
	}
	return jm.RemoveScopingFilter(r.Context(), appID, typ, n)
}

// resetMappings restores the default mappings and drops the scoping
// filters (Entra's "Restore default mappings"); the job's settings back.
func (a *API) resetMappings(w http.ResponseWriter, r *http.Request) error {
	jm, appID, err := a.jobMappings(r)
	if err != nil {
		return err
	}
	j, err := jm.ResetMappings(r.Context(), appID)
	if err != nil {
		return err
	}
	return writeJob(w, j)
}

// typeMappingsWire renders one type's mappings and scoping filters.
func typeMappingsWire(j jobs.Job, typ provisioning.ObjectType) apitypes.TypeMappings {
	tm, name := j.Mappings.Users, "user"
	if typ == provisioning.TypeGroup {
		tm, name = j.Mappings.Groups, "group"
	}
	out := apitypes.TypeMappings{Type: name, Endpoint: tm.Endpoint, Attributes: make([]apitypes.AttributeMapping, len(tm.Attributes)),
		Scoping: make([]apitypes.ScopingFilter, len(tm.Scoping))}
	for i, am := range tm.Attributes {
		out.Attributes[i] = apitypes.AttributeMapping{Target: am.Target, Type: am.Type, Source: am.Source, Value: am.Value,
			Expression: am.Expression, Default: am.Default, Apply: am.Apply, Match: am.Match, Reference: am.Reference,
			ClearWhenEmpty: am.ClearWhenEmpty}
	}
	for i, f := range tm.Scoping {
		out.Scoping[i].Clauses = make([]string, len(f.Clauses))
		for k, c := range f.Clauses {
			out.Scoping[i].Clauses[k] = c.String()
		}
	}
	for _, x := range j.Schema.Excluded {
		if x.Type == typ {
			out.Excluded = append(out.Excluded, exclusionWire(x))
		}
	}
	return out
}

func exclusionWire(x jobs.Exclusion) apitypes.Exclusion {
	return apitypes.Exclusion{Type: string(x.Type), Target: x.Target, Reason: x.Reason}
}

// targetSchemaWire renders what the job knows of the application's schema.
func targetSchemaWire(r jobs.SchemaReport) *apitypes.TargetSchema {
	return &apitypes.TargetSchema{Status: r.Status, Message: r.Message, Checked: r.Checked, Excluded: wireList(r.Excluded, exclusionWire)}
}
