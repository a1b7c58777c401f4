package adminapi

import (
	"fmt"
	"net/http"

	"github.com/provisio-dev/provisio/internal/logexport"
)

func (a *API) logExportRoutes() []route {
	return []route{
		{"GET", "/api/v1/apps/{app}/job/logs/export", a.exportLogs},
	}
}

// exportPage is how many entries the export reads from the service at a
// time.
const exportPage = 1000

// exportLogs streams every log entry the filters of GET .../job/logs
// select (before= starts after a page; limit= is ignored), newest first,
// as CSV (RFC 4180; format=csv) or JSON Lines (format=json), as an
// attachment (RFC 6266). Errors after the first entry was written end
// the stream early (the status is already sent) and are logged.
func (a *API) exportLogs(w http.ResponseWriter, r *http.Request) error {
	js, appID, err := a.jobApp(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != logexport.CSV && format != logexport.JSON {
		return badRequest("query parameter \"format\" must be csv or json")
	}
	q := r.URL.Query()
	q.Del("limit")
	r.URL.RawQuery = q.Encode()
	lq, err := logQuery(r)
	if err != nil {
		return err
	}
	lq.Limit = exportPage
	// Read the first page before answering, so a failure is still a JSON
	// error.
	page, err := js.Logs(r.Context(), appID, lq)
	if err != nil {
		return err
	}
	ext := "csv"
	if format == logexport.JSON {
		ext = "jsonl"
	}
	w.Header().Set("Content-Type", logexport.ContentType(format))
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"provisioning-logs-%s.%s\"", appID, ext))
	w.WriteHeader(http.StatusOK)
	x, err := logexport.New(w, format)
	for err == nil {
		for _, rec := range page {
			if err = x.Write(logWire(rec)); err != nil {
				break
			}
		}
		if err != nil || len(page) < lq.Limit {
			break
		}
		lq.Before = page[len(page)-1].Seq
		page, err = js.Logs(r.Context(), appID, lq)
	}
	if err == nil {
		err = x.Flush()
	} else {
		_ = x.Flush()
	}
	if err != nil {
		a.log.WarnContext(r.Context(), "admin api: log export ended early", "app", appID, "err", err)
	}
	return nil
}
