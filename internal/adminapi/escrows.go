package adminapi

import (
	"context"
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// JobEscrows is what the API needs of a job's escrows (*jobs.Service
// implements it); an optional capability of Config.Jobs.
type JobEscrows interface {
	Escrows(ctx context.Context, appID string) ([]jobs.Escrow, error)
	RetryEscrows(ctx context.Context, appID, object string) (jobs.EscrowRetry, error)
}

func (a *API) escrowRoutes() []route {
	return []route{
		{"GET", "/api/v1/apps/{app}/job/escrows", a.listEscrows},
		{"POST", "/api/v1/apps/{app}/job/escrows/retry", a.retryEscrows},
	}
}

// jobEscrows returns the job service's escrow capability.
func (a *API) jobEscrows(r *http.Request) (JobEscrows, string, error) {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return nil, "", err
	}
	je, ok := js.(JobEscrows)
	if !ok {
		return nil, "", errUnavailable("escrows")
	}
	return je, appID, nil
}

func (a *API) listEscrows(w http.ResponseWriter, r *http.Request) error {
	je, appID, err := a.jobEscrows(r)
	if err != nil {
		return err
	}
	es, err := je.Escrows(r.Context(), appID)
	if err != nil {
		return err
	}
	out := apitypes.EscrowList{Escrows: make([]apitypes.Escrow, len(es))}
	for i, e := range es {
		out.Escrows[i] = apitypes.Escrow{ObjectType: string(e.Type), SourceID: e.SourceID, SourceName: e.SourceName,
			TargetID: e.TargetID, Action: string(e.Action), Attempts: e.Attempts, LastError: e.LastError,
			NextRetry: e.NextRetry, Updated: e.Updated}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// retryEscrows makes escrows due now and starts a cycle; an empty body
// retries them all.
func (a *API) retryEscrows(w http.ResponseWriter, r *http.Request) error {
	je, appID, err := a.jobEscrows(r)
	if err != nil {
		return err
	}
	var req apitypes.RetryEscrows
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, true); err != nil {
		return err
	}
	res, err := je.RetryEscrows(r.Context(), appID, req.Object)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apitypes.EscrowRetry{Due: res.Due, Started: res.Started})
	return nil
}
