package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "{$}", func(_ *UI, req *request) error { return req.redirect("apps") })
	handle("GET", "apps", (*UI).apps)
	handle("POST", "apps", (*UI).createApp)
	// Any other path: a page of the navigation not built yet, or none.
	handle("GET", "", func(u *UI, req *request) error {
		u.render(req.W, req.S, http.StatusNotFound, "message", view{Title: "Not found",
			Problem: "There is no such page (yet): " + req.R.URL.Path})
		return nil
	})
}

// appRow is one application of the list with its provisioning at a glance.
type appRow struct {
	App    apitypes.App
	Job    *apitypes.Job       // nil: provisioning not configured
	Status *apitypes.JobStatus // nil without a job
	State  string              // off, running, quarantined, on, not configured
	Label  string
}

// apps lists the applications with each one's provisioning state.
func (u *UI) apps(req *request) error {
	rows, err := u.appRows(req)
	if err != nil {
		return err
	}
	req.render(u, "apps", view{Title: "Applications", Nav: "apps", Data: rows, Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

func (u *UI) appRows(req *request) ([]appRow, error) {
	apps, err := req.API.Apps(req.Ctx)
	if err != nil {
		return nil, err
	}
	jobs, err := req.API.Jobs(req.Ctx)
	if err != nil && !unavailable(err) {
		return nil, err
	}
	byApp := map[string]*apitypes.Job{}
	for i := range jobs {
		byApp[jobs[i].AppID] = &jobs[i]
	}
	rows := make([]appRow, 0, len(apps))
	for _, a := range apps {
		row := appRow{App: a, Job: byApp[a.ID], State: "unconfigured", Label: "Not configured"}
		if row.Job != nil {
			st, err := req.API.JobStatus(req.Ctx, a.ID)
			if err != nil {
				return nil, err
			}
			row.Status = &st
			row.State, row.Label = stateOf(st)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// stateOf names a job's state for a badge: quarantined beats running
// beats on/off.
func stateOf(st apitypes.JobStatus) (state, label string) {
	switch {
	case st.Quarantine != nil:
		return "quarantined", "Quarantined"
	case st.State == "running":
		return "running", "Running"
	case st.State == "queued":
		return "running", "Queued"
	case !st.Enabled:
		return "off", "Off"
	default:
		return "on", "On"
	}
}

// createApp creates an application and opens its provisioning page.
func (u *UI) createApp(req *request) error {
	name := strings.TrimSpace(req.R.PostFormValue("name"))
	a, err := req.API.CreateApp(req.Ctx, name)
	var ae *apiclient.Error
	if errors.As(err, &ae) && ae.Status < 500 {
		rows, rerr := u.appRows(req)
		if rerr != nil {
			return rerr
		}
		u.render(req.W, req.S, http.StatusBadRequest, "apps", view{Title: "Applications", Nav: "apps", Data: rows, Problem: ae.Message})
		return nil
	}
	if err != nil {
		return err
	}
	return req.redirect("apps/" + a.ID + "/provisioning?done=created")
}

// unavailable is the API's 503 for a service the server does not run.
func unavailable(err error) bool {
	var ae *apiclient.Error
	return errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable
}

// notices are the confirmations shown after a redirect (?done=).
var notices = map[string]string{
	"created":     "Application created. Enter its Admin Credentials to provision it.",
	"credentials": "Admin Credentials saved.",
	"settings":    "Settings saved.",
	"start":       "Provisioning is on: a cycle starts now.",
	"stop":        "Provisioning is off.",
	"restart":     "Provisioning restarted: the next cycle is an initial cycle.",
	"clear":       "Quarantine cleared.",
}
