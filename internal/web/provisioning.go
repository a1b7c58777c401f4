package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "apps/{app}/provisioning", (*UI).provisioning)
	handle("POST", "apps/{app}/provisioning/credentials", (*UI).credentials)
	handle("POST", "apps/{app}/provisioning/settings", (*UI).settings)
	handle("POST", "apps/{app}/provisioning/{action}", (*UI).switchJob)
	handle("GET", "apps/{app}/provisioning/events", (*UI).events)
}

// provisioningView is the data of the provisioning page.
type provisioningView struct {
	App    apitypes.App
	Job    *apitypes.Job // nil: not configured yet
	Status *apitypes.JobStatus
	Live   live
	Test   *apitypes.TestResult // the Test Connection just run
	// TenantURL is the form's value (the job's, or what was entered).
	TenantURL string
	// TestedUnsaved: Test ran with credentials not saved (credtest.go).
	TestedUnsaved bool
}

// provisioningPage gathers the page's data from the API.
func (u *UI) provisioningPage(req *request) (provisioningView, error) {
	ref := req.R.PathValue("app")
	a, err := req.API.App(req.Ctx, ref)
	if err != nil {
		return provisioningView{}, err
	}
	v := provisioningView{App: a}
	j, err := req.API.Job(req.Ctx, a.ID)
	var ae *apiclient.Error
	switch {
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		return v, nil
	case err != nil:
		return v, err
	}
	v.Job, v.TenantURL = &j, j.TenantURL
	st, err := req.API.JobStatus(req.Ctx, a.ID)
	if err != nil {
		return v, err
	}
	v.Status, v.Live = &st, liveOf(st)
	return v, nil
}

func (u *UI) provisioning(req *request) error {
	v, err := u.provisioningPage(req)
	if err != nil {
		return err
	}
	req.render(u, "provisioning", view{Title: v.App.Name + " · Provisioning", Nav: "apps", Data: v,
		Notice: notices[req.R.URL.Query().Get("done")]})
	return nil
}

// again renders the page after a refused change, with the API's message.
func (u *UI) again(req *request, v provisioningView, status int, problem string) {
	u.render(req.W, req.S, status, "provisioning", view{Title: v.App.Name + " · Provisioning", Nav: "apps", Data: v, Problem: problem})
}

// refused is the API's answer to bad input (a 4xx), shown on the page.
func refused(err error) (*apiclient.Error, bool) {
	var ae *apiclient.Error
	return ae, errors.As(err, &ae) && ae.Status < 500
}

// credentials is the Admin Credentials form. "Save" saves them (the
// Secret Token only when one is entered: it is write-only); "Test
// Connection" tests the form's values without saving them, as Entra does
// (POST job/test with a body), and shows the diagnosis inline.
func (u *UI) credentials(req *request) error {
	v, err := u.provisioningPage(req)
	if err != nil {
		return err
	}
	tenantURL := strings.TrimSpace(req.R.PostFormValue("tenantUrl"))
	token := strings.TrimSpace(req.R.PostFormValue("token"))
	v.TenantURL = tenantURL
	if req.R.PostFormValue("action") == "test" {
		return u.testCredentials(req, v, tenantURL, token)
	}
	if v.Job == nil || tenantURL != v.Job.TenantURL || token != "" {
		if _, err := req.API.ConfigureJob(req.Ctx, v.App.ID, apitypes.ConfigureJob{TenantURL: tenantURL, Token: token}); err != nil {
			if ae, ok := refused(err); ok {
				u.again(req, v, ae.Status, ae.Message)
				return nil
			}
			return err
		}
	}
	return req.redirect("apps/" + v.App.ID + "/provisioning?done=credentials")
}

// settings saves scope, interval, deletion threshold, skipping
// out-of-scope deletions and the notification email.
func (u *UI) settings(req *request) error {
	f := req.R.PostFormValue
	threshold, err := strconv.Atoi(strings.TrimSpace(f("deletionThreshold")))
	email := strings.TrimSpace(f("notificationEmail"))
	skip := f("skipOutOfScopeDeletions") == "on"
	if err != nil || threshold < 0 {
		v, perr := u.provisioningPage(req)
		if perr != nil {
			return perr
		}
		u.again(req, v, http.StatusBadRequest, "Deletion threshold: enter a whole number, 0 for none.")
		return nil
	}
	_, err = req.API.ConfigureJob(req.Ctx, req.R.PathValue("app"), apitypes.ConfigureJob{Scope: f("scope"),
		Interval: strings.TrimSpace(f("interval")), NotificationEmail: &email, SkipOutOfScopeDeletions: &skip,
		DeletionThreshold: &threshold})
	if ae, ok := refused(err); ok {
		v, perr := u.provisioningPage(req)
		if perr != nil {
			return perr
		}
		u.again(req, v, ae.Status, ae.Message)
		return nil
	}
	if err != nil {
		return err
	}
	return req.redirect("apps/" + req.R.PathValue("app") + "/provisioning?done=settings")
}

// switchJob turns provisioning on or off, restarts it or clears its
// quarantine.
func (u *UI) switchJob(req *request) error {
	app, action := req.R.PathValue("app"), req.R.PathValue("action")
	var err error
	switch action {
	case "start", "stop":
		_, err = req.API.SwitchJob(req.Ctx, app, action == "start")
	case "restart":
		_, err = req.API.RestartJob(req.Ctx, app)
	case "clear":
		_, err = req.API.ClearQuarantine(req.Ctx, app)
	default:
		http.NotFound(req.W, req.R)
		return nil
	}
	if ae, ok := refused(err); ok {
		v, perr := u.provisioningPage(req)
		if perr != nil {
			return perr
		}
		u.again(req, v, ae.Status, ae.Message)
		return nil
	}
	if err != nil {
		return err
	}
	return req.redirect("apps/" + app + "/provisioning?done=" + action)
}

// live is what the page shows of a job's status and updates live: the
// text of elements by id, whether elements are hidden, and whether the
// <progress> is running (determinate once the API knows the cycle's
// total: Value of Total; else indeterminate) or done.
type live struct {
	Text    map[string]string `json:"text"`
	Hidden  map[string]bool   `json:"hidden"`
	Running bool              `json:"running"`
	Done    bool              `json:"done"` // a cycle has finished
	// Total and Value: while running with a known total, the <progress>
	// is determinate (Value of Total); else indeterminate.
	Total int64 `json:"total,omitempty"`
	Value int64 `json:"value,omitempty"`
}

// liveOf computes the live part of the page from a job's status.
func liveOf(st apitypes.JobStatus) live {
	l := live{Text: map[string]string{}, Hidden: map[string]bool{}}
	_, label := stateOf(st)
	l.Text["st-state"] = label
	var counts apitypes.Stats
	switch {
	case st.Progress != nil:
		l.Running = true
		counts = st.Progress.Counts
		if st.Progress.Total > 0 {
			l.Total, l.Value = st.Progress.Total, min(st.Progress.Considered, st.Progress.Total)
		}
		l.Text["st-phase"] = fmt.Sprintf("Current %s cycle, started %s: %d objects processed", st.Progress.Kind,
			st.Progress.Started.UTC().Format("15:04:05 UTC"), st.Progress.Processed)
		if l.Total > 0 {
			l.Text["st-phase"] += fmt.Sprintf(", %d of %d considered", l.Value, l.Total)
		}
	case st.LastCycle != nil:
		c := st.LastCycle
		counts = c.Stats
		l.Done = true
		l.Text["st-phase"] = fmt.Sprintf("Last %s cycle finished %s in %s", c.Kind, c.Finished.UTC().Format("2006-01-02 15:04:05 UTC"),
			c.Finished.Sub(c.Started).Round(time.Millisecond))
	default:
		l.Text["st-phase"] = "No cycle has run yet."
	}
	for id, n := range map[string]int64{"n-created": counts.Created, "n-updated": counts.Updated, "n-disabled": counts.Disabled,
		"n-deleted": counts.Deleted, "n-skipped": counts.Skipped, "n-failed": counts.Failed, "n-staged": counts.Staged} {
		l.Text[id] = strconv.FormatInt(n, 10)
	}
	l.Text["st-error"] = ""
	if st.Progress == nil && st.LastCycle != nil && st.LastCycle.Error != "" {
		l.Text["st-error"] = "The cycle ended early: " + st.LastCycle.Error
	}
	l.Hidden["st-error"] = l.Text["st-error"] == ""
	l.Text["st-next"] = "—"
	if !st.NextRun.IsZero() && st.Enabled {
		l.Text["st-next"] = st.NextRun.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	l.Text["st-links"] = fmt.Sprintf("%d users, %d groups (%d failed, awaiting a retry)", st.Links.Users, st.Links.Groups, st.Links.Failed)
	l.Hidden["quarantine"] = st.Quarantine == nil
	if q := st.Quarantine; q != nil {
		l.Text["q-reason"] = q.Reason
		l.Text["q-detail"] = q.Detail
		l.Text["q-next"] = q.NextAttempt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return l
}

// EventsInterval is how often the events stream reads the job's status.
var EventsInterval = time.Second

// eventsFor bounds one events stream; the browser's EventSource
// reconnects after it.
const eventsFor = 10 * time.Minute

// events streams the job's live status as server-sent events (HTML
// Living Standard §9.2): a "status" event with a live object whenever it
// changes, read every EventsInterval.
func (u *UI) events(req *request) error {
	app := req.R.PathValue("app")
	st, err := req.API.JobStatus(req.Ctx, app)
	if err != nil {
		return err
	}
	w := req.W
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	tick := time.NewTicker(EventsInterval)
	defer tick.Stop()
	end := time.After(eventsFor)
	var last []byte
	for {
		b, err := json.Marshal(liveOf(st))
		if err != nil {
			return err
		}
		if string(b) != string(last) {
			if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", b); err != nil {
				return nil // the browser left
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
			last = b
		}
		select {
		case <-req.Ctx.Done():
			return nil
		case <-end:
			return nil
		case <-tick.C:
		}
		if st, err = req.API.JobStatus(req.Ctx, app); err != nil {
			if req.Ctx.Err() != nil {
				return nil
			}
			u.log.WarnContext(req.Ctx, "web: events: job status", "app", app, "err", err)
			return nil
		}
	}
}
