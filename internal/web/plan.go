package web

import (
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "apps/{app}/plan", (*UI).plan)
}

// planShown bounds the actions the plan page lists (the counts cover
// them all).
const planShown = 500

// planView is the data of the plan page.
type planView struct {
	App     apitypes.App
	Plan    apitypes.Plan
	Actions []apitypes.PlannedAction // the first planShown
	More    int                      // actions not listed
}

// plan shows what the job's next cycle would do (GET
// /apps/{app}/job/plan): its kind, the counts by action and each action,
// before provisioning is switched on. Nothing is written.
func (u *UI) plan(req *request) error {
	a, err := req.API.App(req.Ctx, req.R.PathValue("app"))
	if err != nil {
		return err
	}
	p, err := req.API.Plan(req.Ctx, a.ID)
	if err != nil {
		return err
	}
	v := planView{App: a, Plan: p, Actions: p.Actions}
	if len(v.Actions) > planShown {
		v.Actions, v.More = v.Actions[:planShown], len(v.Actions)-planShown
	}
	req.render(u, "plan", view{Title: a.Name + " · What the next cycle will do", Nav: "apps", Data: v})
	return nil
}
