package adminapi

import (
	"net/http"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

func (a *API) reconcileRoutes() []route {
	return []route{
		{"POST", "/api/v1/apps/{app}/job/reconcile", a.reconcile},
	}
}

// reconcile compares the application's accounts with the job's links
// (and repairs); 409 job_busy beside a cycle.
func (a *API) reconcile(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	var req apitypes.ReconcileRequest
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, true); err != nil {
		return err
	}
	rec, err := js.Reconcile(r.Context(), appID, req.Repair)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reconciliationWire(rec))
	return nil
}

func reconciliationWire(rec *provisioning.Reconciliation) apitypes.Reconciliation {
	out := apitypes.Reconciliation{CycleID: rec.CycleID, Repair: rec.Repair, Accounts: rec.Accounts, Linked: rec.Linked,
		Unchecked: rec.Unchecked, Findings: make([]apitypes.Finding, len(rec.Findings)), Stats: statsWire(rec.Stats)}
	for i, f := range rec.Findings {
		out.Findings[i] = apitypes.Finding{Kind: string(f.Kind), Type: string(f.Type), SourceID: f.SourceID,
			TargetID: f.TargetID, TargetName: f.TargetName, Modified: modifiedWire(f.Modified),
			Added: f.Added, Removed: f.Removed, Repaired: f.Repaired, Error: f.Error}
	}
	return out
}

// reconcileEveryWire is a job's reconciliation schedule: "" when off.
func reconcileEveryWire(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return d.String()
}
