package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// The Audit page: the audit log of administrative changes (GET /audit),
// newest first, filtered by actor, object and time, in pages.
func init() {
	handle("GET", "audit", (*UI).audit)
}

// auditView is the audit page: the filters as entered, the entries and
// the link of the next (older) page.
type auditView struct {
	Actor, Object, Since, Until string
	Entries                     []apitypes.AuditEntry
	NextURL                     string
}

// formTime is the layout of <input type="datetime-local"> (UTC here).
const formTime = "2006-01-02T15:04"

// parseFormTime reads a datetime-local value as UTC, or RFC 3339.
func parseFormTime(s string) (time.Time, error) {
	if t, err := time.Parse(formTime, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

func (u *UI) audit(req *request) error {
	q := req.R.URL.Query()
	v := auditView{Actor: strings.TrimSpace(q.Get("actor")), Object: strings.TrimSpace(q.Get("object")),
		Since: q.Get("since"), Until: q.Get("until")}
	aq := apiclient.AuditQuery{Actor: v.Actor, Object: v.Object, Before: q.Get("before"), Limit: pageSize}
	var problem string
	for _, f := range []struct {
		in  string
		out *time.Time
		msg string
	}{{v.Since, &aq.Since, "From"}, {v.Until, &aq.Until, "Until"}} {
		if f.in == "" {
			continue
		}
		t, err := parseFormTime(f.in)
		if err != nil {
			problem = f.msg + ": enter a date and time (UTC)."
			continue
		}
		*f.out = t
	}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	} else {
		page, err := req.API.Audit(req.Ctx, aq)
		if ae, ok := refused(err); ok {
			status, problem = ae.Status, ae.Message
		} else if err != nil {
			return err
		}
		v.Entries = page.Entries
		if page.Next != "" {
			next := url.Values{"before": {page.Next}}
			for k, s := range map[string]string{"actor": v.Actor, "object": v.Object, "since": v.Since, "until": v.Until} {
				if s != "" {
					next.Set(k, s)
				}
			}
			v.NextURL = "/ui/audit?" + next.Encode()
		}
	}
	u.render(req.W, req.S, status, "audit", view{Title: "Audit log", Nav: "audit", Data: v, Problem: problem})
	return nil
}
