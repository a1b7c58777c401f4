package adminapi

import (
	"context"
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// Quarantines is what the API needs of the job service for quarantine
// and the deletion threshold (*jobs.Service implements it).
type Quarantines interface {
	ClearQuarantine(ctx context.Context, appID string) error
	Staged(ctx context.Context, appID string) ([]jobs.LogRecord, bool, error)
	AllowDeletes(ctx context.Context, appID string) error
}

func (a *API) quarantineRoutes() []route {
	return []route{
		{"POST", "/api/v1/apps/{app}/job/quarantine/clear", a.statusAfter(Jobs.ClearQuarantine)},
		{"GET", "/api/v1/apps/{app}/job/staged", a.stagedDeletions},
		{"POST", "/api/v1/apps/{app}/job/staged/allow", a.allowDeletes},
	}
}

func quarantineWire(q *jobs.Quarantine) *apitypes.Quarantine {
	if q == nil {
		return nil
	}
	return &apitypes.Quarantine{Reason: q.Reason, Detail: q.Detail, Since: q.Since, NextAttempt: q.NextAttempt,
		Cycles: q.Cycles, Staged: q.Staged}
}

func stagedWire(r jobs.LogRecord) apitypes.StagedAction {
	return apitypes.StagedAction{Time: r.Time, CycleID: r.CycleID, ObjectType: string(r.ObjectType), SourceID: r.SourceID,
		SourceName: r.SourceName, TargetID: r.TargetID, Action: string(r.Action), Reason: r.Reason}
}

// staged answers the disables and deletes the last cycle staged.
func (a *API) staged(w http.ResponseWriter, r *http.Request, js Jobs, appID string) error {
	rows, allowed, err := js.Staged(r.Context(), appID)
	if err != nil {
		return err
	}
	st, err := js.Status(r.Context(), appID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apitypes.StagedList{Staged: wireList(rows, stagedWire), Allowed: allowed,
		Quarantine: quarantineWire(st.Quarantine)})
	return nil
}

func (a *API) stagedDeletions(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	return a.staged(w, r, js, appID)
}

// allowDeletes lets the next cycle send the staged actions, once, and
// answers with the staged list (allowed true).
func (a *API) allowDeletes(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	if err := js.AllowDeletes(r.Context(), appID); err != nil {
		return err
	}
	return a.staged(w, r, js, appID)
}
