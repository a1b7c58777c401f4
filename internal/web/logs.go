package web

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "logs", (*UI).logs)
	handle("GET", "logs/export", (*UI).exportLogs)
	handle("GET", "apps/{app}/logs", func(_ *UI, req *request) error {
		return req.redirect("logs?app=" + url.QueryEscape(req.R.PathValue("app")))
	})
}

// logsPageSize is how many entries a page of the logs shows.
const logsPageSize = 50

// logFilter is the logs page's filter form, read from the query string.
type logFilter struct {
	App, Status, Action, Type, Object, Cycle, Since, Until string
}

// logsView is the data of the provisioning logs page.
type logsView struct {
	Apps    []apitypes.App // applications with provisioning configured
	App     *apitypes.App  // the one shown; nil: none configured
	F       logFilter
	All     bool // every application's entries, merged newest first
	Entries []logRow
	Detail  *logRow // the entry opened (entry=<app id>:<seq> of this page)
	Advice  string  // what to do about the detail's error
	// Query is the filters as a query string (app included), encoded by
	// url.Values: a template.URL so links keep its & and = (html/template
	// would escape them in a query part).
	Query    template.URL
	Before   string // this page's before= ("" for the first)
	Next     string // the next (older) page's before=
	Statuses []string
	Actions  []string
}

// logRow is one entry of the page with its application.
type logRow struct {
	apitypes.LogEntry
	App apitypes.App
	Key string // <app id>:<seq>, the entry= of its detail
}

// datetimeLocal is the format of <input type="datetime-local">; the page
// reads and shows times in UTC.
const datetimeLocal = "2006-01-02T15:04"

// parseLocal reads a datetime-local value (UTC) or an RFC 3339 time.
func parseLocal(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{datetimeLocal, "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: %q is not a date and time such as 2026-01-02T15:04 (UTC)", name, s)
}

// logQuery reads the filter form into the API's log query.
func logQueryOf(q url.Values) (logFilter, apiclient.LogQuery, error) {
	g := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	f := logFilter{App: g("app"), Status: g("status"), Action: g("action"), Type: g("type"), Object: g("object"),
		Cycle: g("cycle"), Since: g("since"), Until: g("until")}
	lq := apiclient.LogQuery{Status: f.Status, Action: f.Action, Type: f.Type, Object: f.Object, Cycle: f.Cycle,
		Change: g("change"), Before: g("before")}
	var err error
	if lq.Since, err = parseLocal("From", f.Since); err != nil {
		return f, lq, err
	}
	if lq.Until, err = parseLocal("To", f.Until); err != nil {
		return f, lq, err
	}
	return f, lq, nil
}

// values is the filter as a query string, without paging.
func (f logFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"app": f.App, "status": f.Status, "action": f.Action, "type": f.Type,
		"object": f.Object, "cycle": f.Cycle, "since": f.Since, "until": f.Until} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// logs shows one application's provisioning log, filtered and paged, with
// the detail of the entry opened.
func (u *UI) logs(req *request) error {
	q := req.R.URL.Query()
	f, lq, ferr := logQueryOf(q)
	v := logsView{F: f, Before: lq.Before, Statuses: []string{"success", "failure", "skipped", "warning", "staged"},
		Actions: []string{"create", "update", "disable", "delete", "skip"}}
	apps, err := req.API.Apps(req.Ctx)
	if err != nil {
		return err
	}
	jobs, err := req.API.Jobs(req.Ctx)
	if err != nil && !unavailable(err) {
		return err
	}
	configured := map[string]bool{}
	for _, j := range jobs {
		configured[j.AppID] = true
	}
	for _, a := range apps {
		if configured[a.ID] {
			v.Apps = append(v.Apps, a)
		}
	}
	render := func(status int, problem string) {
		u.render(req.W, req.S, status, "logs", view{Title: "Provisioning logs", Nav: "logs", Data: v, Problem: problem})
	}
	if len(v.Apps) == 0 {
		render(http.StatusOK, "")
		return nil
	}
	shown := v.Apps
	if f.App != "" && f.App != "all" {
		shown = nil
		for i, a := range v.Apps {
			if f.App == a.ID || strings.EqualFold(f.App, a.Name) {
				v.App, shown = &v.Apps[i], v.Apps[i:i+1]
				v.F.App = a.ID
				break
			}
		}
		if v.App == nil {
			render(http.StatusNotFound, "No application with provisioning configured is called "+f.App+".")
			return nil
		}
	} else {
		v.All, v.F.App = true, "all"
	}
	v.Query = template.URL(v.F.values().Encode()) // #nosec: url.Values.Encode escapes every value
	if ferr != nil {
		render(http.StatusBadRequest, ferr.Error())
		return nil
	}
	// One page per application (after its cursor), merged newest first;
	// the next page's cursor is, per application, the seq of the last of
	// its entries shown (all: "id:seq,id:seq"; an application left out of
	// a cursor has no older entries).
	cursors := map[string]string{} // app id -> before (""; from the newest)
	if lq.Before != "" {
		for _, c := range strings.Split(lq.Before, ",") {
			id, seq, _ := strings.Cut(c, ":")
			cursors[id] = seq
		}
	}
	fetched, older := map[string]int{}, map[string]bool{}
	for _, a := range shown {
		q := lq
		q.Limit = logsPageSize
		before, ok := cursors[a.ID]
		if lq.Before != "" && !ok {
			continue // this application has no older entries
		}
		q.Before = before
		page, err := req.API.Logs(req.Ctx, a.ID, q)
		if ae, ok := refused(err); ok {
			render(ae.Status, ae.Message)
			return nil
		}
		if err != nil {
			return err
		}
		for _, e := range page.Entries {
			v.Entries = append(v.Entries, logRow{LogEntry: e, App: a, Key: a.ID + ":" + strconv.FormatInt(e.Seq, 10)})
		}
		fetched[a.ID], older[a.ID] = len(page.Entries), page.Next != ""
	}
	slices.SortStableFunc(v.Entries, func(x, y logRow) int { return y.Time.Compare(x.Time) })
	if len(v.Entries) > logsPageSize {
		v.Entries = v.Entries[:logsPageSize]
	}
	taken, last := map[string]int{}, map[string]int64{}
	for _, e := range v.Entries {
		taken[e.App.ID]++
		last[e.App.ID] = e.Seq
	}
	var next []string
	for _, a := range shown {
		n, ok := fetched[a.ID]
		switch {
		case !ok: // done before this page
		case taken[a.ID] == 0 && n > 0: // none shown yet: the same cursor again
			next = append(next, a.ID+":"+cursors[a.ID])
		case taken[a.ID] < n || older[a.ID]:
			next = append(next, a.ID+":"+strconv.FormatInt(last[a.ID], 10))
		}
	}
	v.Next = strings.Join(next, ",")
	if seq := q.Get("entry"); seq != "" {
		for i := range v.Entries {
			if v.Entries[i].Key == seq {
				v.Detail = &v.Entries[i]
				v.Advice = adviceFor(v.Detail.ErrorCode)
			}
		}
	}
	render(http.StatusOK, "")
	return nil
}

// adviceFor says what to do about a failed entry's error code (the HTTP
// status the application answered, RFC 9110 §15, with its SCIM scimType,
// RFC 7644 §3.12; or timeout, network).
func adviceFor(code string) string {
	status := 0
	if rest, ok := strings.CutPrefix(code, "http-"); ok {
		n, _, _ := strings.Cut(rest, "-")
		status, _ = strconv.Atoi(n)
	}
	switch {
	case code == "":
		return ""
	case code == "timeout" || code == "network":
		return "The application could not be reached. Check the Tenant URL with Test Connection; the object is retried in the next cycle."
	case status == 401 || status == 403:
		return "The application refused the credentials. Enter a valid Secret Token on the Provisioning page and press Test Connection."
	case status == 409 || strings.Contains(code, "uniqueness"):
		return "The application already has an object with this value. Check the matching attributes (an existing account should be matched, not created) or the mapped value that must be unique."
	case status == 404:
		return "The object is gone from the application. Run a reconciliation to drop or repair the link, or restart provisioning."
	case status == 400 || strings.Contains(code, "invalidValue"):
		return "The application refused a value. Check the attribute mappings and expressions for this attribute against what the application accepts."
	case status == 429 || status >= 500:
		return "The application was busy or failed; the object is retried in the next cycle. If it persists, look at the application's health."
	}
	return "Look at the reason above; the object is retried in the next cycle."
}

// exportLogs serves the API's export (CSV or JSON Lines) of the filtered
// logs as a download: the UI only passes the API's answer on.
func (u *UI) exportLogs(req *request) error {
	q := req.R.URL.Query()
	f, lq, err := logQueryOf(q)
	if err != nil {
		u.renderError(req.W, req.R, req.S, http.StatusBadRequest, err.Error())
		return nil
	}
	lq.Before = ""
	x, err := req.API.ExportLogs(req.Ctx, f.App, lq, q.Get("format"))
	if err != nil {
		return err
	}
	defer x.Body.Close()
	h := req.W.Header()
	h.Set("Content-Type", x.ContentType)
	h.Set("Content-Disposition", x.ContentDisposition)
	h.Set("Cache-Control", "no-store")
	_, err = io.Copy(req.W, x.Body)
	if err != nil {
		u.log.WarnContext(req.Ctx, "web: log export", "err", err)
	}
	return nil
}
