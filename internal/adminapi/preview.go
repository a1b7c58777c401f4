package adminapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/exprsvc"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

// Expressions is the expression sandbox (*exprsvc.Service implements it).
type Expressions interface {
	Evaluate(ctx context.Context, r exprsvc.Request) (exprsvc.Result, error)
}

func (a *API) expressionRoutes() []route {
	return []route{
		{"POST", "/api/v1/expressions/evaluate", a.evaluateExpression},
	}
}

// jobPreview answers what the job's next cycle would send for the one
// user (?user=UPN or id) or group (?group=name or id), writing nothing.
func (a *API) jobPreview(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	user, group := q.Get("user"), q.Get("group")
	if (user == "") == (group == "") {
		return badRequest("give exactly one of the query parameters \"user\" and \"group\"")
	}
	t, id, err := a.subject(r.Context(), user, group)
	if err != nil {
		return err
	}
	p, err := js.Preview(r.Context(), appID, t, id)
	if err != nil {
		return err
	}
	v, err := previewWire(p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// subject resolves a user (userPrincipalName or id) or else a group
// (displayName or id) to its object type and id.
func (a *API) subject(ctx context.Context, user, group string) (provisioning.ObjectType, string, error) {
	d, err := a.dir()
	if err != nil {
		return "", "", err
	}
	if user != "" {
		u, err := d.GetUser(ctx, user)
		if err != nil {
			return "", "", err
		}
		return provisioning.TypeUser, u.ObjectID, nil
	}
	g, err := d.GetGroup(ctx, group)
	if err != nil {
		return "", "", err
	}
	return provisioning.TypeGroup, g.ObjectID, nil
}

func previewWire(p *provisioning.Preview) (apitypes.Preview, error) {
	x := p.Action
	out := apitypes.Preview{Action: string(x.Kind), ObjectType: string(x.Type), SourceID: x.SourceID,
		SourceName: x.SourceName, TargetID: x.TargetID, Reason: x.Reason, Modified: modifiedWire(x.Modified)}
	for _, s := range x.Steps {
		out.Steps = append(out.Steps, apitypes.Step{Name: s.Name, Status: string(s.Status), Detail: s.Detail})
	}
	var err error
	out.Requests, err = requestsWire(p.Requests)
	return out, err
}

// requestsWire is SCIM requests with their JSON bodies; never nil.
func requestsWire(reqs []provisioning.Request) ([]apitypes.PreviewRequest, error) {
	out := make([]apitypes.PreviewRequest, len(reqs))
	for i, req := range reqs {
		out[i] = apitypes.PreviewRequest{Method: req.Method, Path: req.Path}
		if req.Body != nil {
			b, err := json.Marshal(req.Body)
			if err != nil {
				return out, fmt.Errorf("encode the %s %s body: %w", req.Method, req.Path, err)
			}
			out[i].Body = b
		}
	}
	return out, nil
}

// evaluateExpression evaluates an attribute-mapping expression (the
// sandbox of `provisio expr eval`); a syntax error is a 400 with its
// position.
func (a *API) evaluateExpression(w http.ResponseWriter, r *http.Request) error {
	if a.cfg.Expressions == nil {
		return errUnavailable("the expression sandbox")
	}
	var req apitypes.EvaluateExpression
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	if req.Expression == "" {
		return badRequest("field \"expression\" is required")
	}
	res, err := a.cfg.Expressions.Evaluate(r.Context(), exprsvc.Request{Expression: req.Expression,
		User: req.User, App: req.App, Attributes: req.Attributes})
	if err != nil {
		return err
	}
	v, err := json.Marshal(res.Value)
	if err != nil {
		return fmt.Errorf("encode the value of %q: %w", req.Expression, err)
	}
	writeJSON(w, http.StatusOK, apitypes.ExpressionValue{Value: v, Null: res.Null, Type: res.Type, Scope: res.Scope})
	return nil
}
