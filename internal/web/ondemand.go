package web

import (
	"net/http"
	"strings"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "apps/{app}/provision-on-demand", (*UI).onDemand)
	handle("POST", "apps/{app}/provision-on-demand", (*UI).provisionOnDemand)
}

// onDemandView is the data of the provision-on-demand page.
type onDemandView struct {
	App    apitypes.App
	Users  []string // the picker's UPNs
	User   string   // as entered
	Result *apitypes.OnDemandResult
}

func (u *UI) onDemandPage(req *request) (onDemandView, error) {
	a, err := req.API.App(req.Ctx, req.R.PathValue("app"))
	if err != nil {
		return onDemandView{}, err
	}
	users, err := userChoices(req)
	if err != nil {
		return onDemandView{}, err
	}
	return onDemandView{App: a, Users: users}, nil
}

func (u *UI) renderOnDemand(req *request, status int, v onDemandView, problem string) {
	u.render(req.W, req.S, status, "ondemand", view{Title: v.App.Name + " · Provision on demand", Nav: "apps", Data: v, Problem: problem})
}

func (u *UI) onDemand(req *request) error {
	v, err := u.onDemandPage(req)
	if err != nil {
		return err
	}
	u.renderOnDemand(req, http.StatusOK, v, "")
	return nil
}

// provisionOnDemand provisions one user now (POST
// /apps/{app}/job/provision) and shows what was done, step by step: the
// log entry's steps, the modified properties and the requests sent.
func (u *UI) provisionOnDemand(req *request) error {
	v, err := u.onDemandPage(req)
	if err != nil {
		return err
	}
	v.User = strings.TrimSpace(req.R.PostFormValue("user"))
	if v.User == "" {
		u.renderOnDemand(req, http.StatusBadRequest, v, "Pick a user to provision.")
		return nil
	}
	res, err := req.API.ProvisionUser(req.Ctx, v.App.ID, v.User)
	if ae, ok := refused(err); ok {
		u.renderOnDemand(req, ae.Status, v, ae.Message)
		return nil
	}
	if err != nil {
		return err
	}
	v.Result = &res
	u.renderOnDemand(req, http.StatusOK, v, "")
	return nil
}
