package web

import (
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "apps/{app}/staged", (*UI).staged)
	handle("POST", "apps/{app}/staged/allow", (*UI).allowStaged)
	notices["allowed"] = "Allowed: the next cycle sends the staged disables and deletes (once)."
}

// stagedView is the data of the staged deletions page.
type stagedView struct {
	App    apitypes.App
	Staged apitypes.StagedList
}

// staged lists the disables and deletes the deletion threshold held back
// (GET /apps/{app}/job/staged), with the job's quarantine.
func (u *UI) staged(req *request) error {
	a, err := req.API.App(req.Ctx, req.R.PathValue("app"))
	if err != nil {
		return err
	}
	s, err := req.API.Staged(req.Ctx, a.ID)
	if err != nil {
		return err
	}
	req.render(u, "staged", view{Title: a.Name + " · Staged deletions", Nav: "apps", Data: stagedView{App: a, Staged: s},
		Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

// allowStaged lets the next cycle send the staged actions, once (POST
// /apps/{app}/job/staged/allow).
func (u *UI) allowStaged(req *request) error {
	app := req.R.PathValue("app")
	if _, err := req.API.AllowDeletes(req.Ctx, app); err != nil {
		return err
	}
	return req.redirect("apps/" + app + "/staged?done=allowed")
}
