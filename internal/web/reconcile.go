package web

import (
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "apps/{app}/reconcile", (*UI).reconcilePage)
	handle("POST", "apps/{app}/reconcile", (*UI).reconcile)
}

// reconcileView is the data of the reconciliation page.
type reconcileView struct {
	App    apitypes.App
	Result *apitypes.Reconciliation // the reconciliation just run
	Drift  int                      // findings a repair would fix (drift, members, gone) not repaired
}

func (u *UI) reconcilePage(req *request) error {
	a, err := req.API.App(req.Ctx, req.R.PathValue("app"))
	if err != nil {
		return err
	}
	req.render(u, "reconcile", view{Title: a.Name + " · Reconciliation", Nav: "logs", Data: reconcileView{App: a}})
	return nil
}

// reconcile runs the API's reconciliation: action=check only reports,
// action=repair puts drift and memberships back. Its findings are shown
// at once (a reconciliation is not stored apart from its log entries).
func (u *UI) reconcile(req *request) error {
	a, err := req.API.App(req.Ctx, req.R.PathValue("app"))
	if err != nil {
		return err
	}
	v := reconcileView{App: a}
	title := a.Name + " · Reconciliation"
	res, err := req.API.Reconcile(req.Ctx, a.ID, req.R.PostFormValue("action") == "repair")
	if ae, ok := refused(err); ok {
		u.render(req.W, req.S, ae.Status, "reconcile", view{Title: title, Nav: "logs", Data: v, Problem: ae.Message})
		return nil
	}
	if err != nil {
		return err
	}
	v.Result = &res
	for _, f := range res.Findings {
		if f.Kind != "orphan" && !f.Repaired {
			v.Drift++
		}
	}
	notice := ""
	if res.Repair {
		notice = "Repair finished."
	}
	u.render(req.W, req.S, http.StatusOK, "reconcile", view{Title: title, Nav: "logs", Data: v, Notice: notice})
	return nil
}
