package adminapi

import (
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

func (a *API) onDemandRoutes() []route {
	return []route{
		{"POST", "/api/v1/apps/{app}/job/provision", a.provisionOnDemand},
	}
}

// provisionOnDemand provisions one user or group now (Entra's provision
// on demand) and answers each step; 409 job_busy beside a cycle.
func (a *API) provisionOnDemand(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	var req apitypes.ProvisionOnDemand
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	if (req.User == "") == (req.Group == "") {
		return badRequest("give exactly one of the fields \"user\" and \"group\"")
	}
	t, id, err := a.subject(r.Context(), req.User, req.Group)
	if err != nil {
		return err
	}
	od, err := js.Provision(r.Context(), appID, t, id)
	if err != nil {
		return err
	}
	v, err := onDemandWire(od)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func onDemandWire(od *provisioning.OnDemand) (apitypes.OnDemandResult, error) {
	out := apitypes.OnDemandResult{CycleID: od.CycleID, MembersLeft: od.MembersLeft, Stats: statsWire(od.Stats),
		Objects: make([]apitypes.ProvisionedObject, len(od.Objects))}
	for i, p := range od.Objects {
		o := apitypes.ProvisionedObject{Entry: logWire(jobs.LogRecord{LogEntry: p.Entry}),
			Attributes: make([]apitypes.SourceValue, len(p.Attributes)), Exchanges: make([]apitypes.Exchange, len(p.Exchanges))}
		for j, sv := range p.Attributes {
			o.Attributes[j] = apitypes.SourceValue{Name: sv.Name, Value: sv.Value}
		}
		for j, x := range p.Exchanges {
			o.Exchanges[j] = apitypes.Exchange{Method: x.Method, Path: x.Path, Status: x.Status}
		}
		var err error
		if o.Requests, err = requestsWire(p.Requests); err != nil {
			return out, err
		}
		out.Objects[i] = o
	}
	return out, nil
}
