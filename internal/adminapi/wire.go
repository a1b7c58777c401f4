package adminapi

import (
	"encoding/json"
	"fmt"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// This file turns domain values into the API's wire types
// (internal/apitypes): the one place each is converted.

func (a *API) tenantWire(t tenant.Tenant) apitypes.Tenant {
	return apitypes.Tenant{ID: t.ID, Name: t.Name, TenantURL: scimsvc.TenantURL(a.cfg.BaseURL, t.ID), Created: t.Created}
}

func tokenWire(t tenant.Token) apitypes.Token {
	v := apitypes.Token{ID: t.ID, Name: t.Name, Created: t.Created}
	if !t.Revoked.IsZero() {
		r := t.Revoked
		v.Revoked = &r
	}
	return v
}

func eventWire(e tenant.Event) apitypes.Event {
	return apitypes.Event{Seq: e.Seq, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Op: string(e.Op), Time: e.Time}
}

// userWire is a directory user on the wire.
func userWire(u directory.User) apitypes.User {
	return apitypes.User{ObjectID: u.ObjectID, UserPrincipalName: u.UserPrincipalName, Mail: u.Mail,
		MailNickname: u.MailNickname, DisplayName: u.DisplayName, GivenName: u.GivenName, Surname: u.Surname,
		JobTitle: u.JobTitle, Department: u.Department, EmployeeID: u.EmployeeID, Mobile: u.Mobile,
		TelephoneNumber: u.TelephoneNumber, StreetAddress: u.StreetAddress, PostalCode: u.PostalCode,
		Manager: u.Manager, AccountEnabled: u.AccountEnabled, Extensions: u.Extensions, DeletedAt: u.DeletedAt}
}

// groupWire is a group on the wire; names, when not nil, gives its
// members with their names (an answer about one group), else members
// are left out unless the group carries some.
func groupWire(g directory.Group, names map[string]string) apitypes.Group {
	v := apitypes.Group{ObjectID: g.ObjectID, DisplayName: g.DisplayName, Description: g.Description, Mail: g.Mail,
		MailNickname: g.MailNickname, Extensions: g.Extensions, DeletedAt: g.DeletedAt}
	if names != nil || len(g.Members) > 0 {
		v.Members = make([]apitypes.Member, len(g.Members))
		for i, m := range g.Members {
			v.Members[i] = apitypes.Member{ID: m.ID, Kind: string(m.Kind), Name: names[m.ID]}
		}
	}
	return v
}

func appWire(app directory.App) apitypes.App { return apitypes.App{ID: app.ID, Name: app.Name} }

// assignmentWire is an assignment with its principal's name.
func assignmentWire(x directory.Assignment, name string) apitypes.Assignment {
	return apitypes.Assignment{AppID: x.AppID, PrincipalID: x.PrincipalID, PrincipalKind: string(x.PrincipalKind),
		AppRoleID: x.AppRoleID, PrincipalName: name}
}

func importWire(res dirsvc.ImportResult) apitypes.ImportResult {
	out := apitypes.ImportResult{Rows: res.Imported + res.Updated + res.Failed, Imported: res.Imported, Updated: res.Updated,
		Failed: res.Failed, Errors: []apitypes.ImportError{}}
	for _, re := range res.Errors {
		out.Errors = append(out.Errors, apitypes.ImportError{Line: re.Line, UserPrincipalName: re.UPN, Message: re.Err.Error()})
	}
	return out
}

// jobWire is a job's settings on the wire: Interval as a Go duration,
// the mappings in their stored JSON form.
func jobWire(j jobs.Job) (apitypes.Job, error) {
	m, err := json.Marshal(j.Mappings)
	if err != nil {
		return apitypes.Job{}, fmt.Errorf("encode mappings of job %s: %w", j.ID, err)
	}
	return apitypes.Job{ID: j.ID, AppID: j.AppID, TenantURL: j.TenantURL, TokenSet: j.TokenSet, Enabled: j.Enabled,
		Scope: string(j.Scope), NotificationEmail: j.NotificationEmail, Mappings: m, Warnings: j.Warnings,
		Created: j.Created, Updated: j.Updated, Interval: j.Interval.String(),
		SkipOutOfScopeDeletions: j.SkipOutOfScopeDeletions, TargetSchema: targetSchemaWire(j.Schema),
		WebhookURL: j.WebhookURL, WebhookSecretSet: j.WebhookSecretSet,
		DeletionThreshold: j.DeletionThreshold.Count, DeletionThresholdPercent: j.DeletionThreshold.Percent,
		RateLimit: j.RateLimit, MaxConcurrency: j.MaxConcurrency, Auth: authWire(j.Auth), ReconcileEvery: reconcileEveryWire(j.ReconcileEvery), Bulk: j.Bulk}, nil
}

func statsWire(s provisioning.Stats) apitypes.Stats {
	return apitypes.Stats{Created: s.Created, Updated: s.Updated, Disabled: s.Disabled, Deleted: s.Deleted,
		Skipped: s.Skipped, Matched: s.Matched, Unchanged: s.Unchanged, Failed: s.Failed, Requests: s.Requests, Staged: s.Staged}
}

func cycleWire(c jobs.CycleSummary) apitypes.Cycle {
	return apitypes.Cycle{ID: c.ID, Kind: string(c.Kind), Started: c.Started, Finished: c.Finished,
		Stats: statsWire(c.Stats), Watermark: c.Watermark, Error: c.Error}
}

func statusWire(st *jobs.Status) apitypes.JobStatus {
	v := apitypes.JobStatus{AppID: st.AppID, JobID: st.JobID, State: string(st.State), Enabled: st.Enabled,
		CycleKind: string(st.NextKind), NextRun: st.NextRun, Links: apitypes.LinkCounts(st.Links), Warnings: st.Warnings}
	if p := st.Progress; p != nil {
		v.Progress = &apitypes.Progress{CycleID: p.CycleID, Kind: string(p.Kind), Started: p.Started,
			Processed: p.Processed, Counts: statsWire(p.Counts), Total: p.Total, Considered: p.Considered}
	}
	if st.LastCycle != nil {
		c := cycleWire(*st.LastCycle)
		v.LastCycle = &c
	}
	v.Quarantine = quarantineWire(st.Quarantine)
	if t := st.Throttle; t != nil {
		v.Throttle = &apitypes.Throttle{Rate: t.Rate, MaxRate: t.MaxRate, Concurrency: t.Concurrency,
			MaxConcurrency: t.MaxConcurrency, Throttled: t.Throttled, Decreases: t.Decreases}
	}
	return v
}

func modifiedWire(ms []provisioning.ModifiedProperty) []apitypes.ModifiedProperty {
	if ms == nil {
		return nil
	}
	out := make([]apitypes.ModifiedProperty, len(ms))
	for i, m := range ms {
		out[i] = apitypes.ModifiedProperty(m)
	}
	return out
}

func logWire(r jobs.LogRecord) apitypes.LogEntry {
	e := r.LogEntry
	v := apitypes.LogEntry{Seq: r.Seq, Time: e.Time, JobID: e.JobID, CycleID: e.CycleID, ChangeID: e.ChangeID,
		ObjectType: string(e.ObjectType), SourceID: e.SourceID, SourceName: e.SourceName, TargetID: e.TargetID,
		Action: string(e.Action), Status: string(e.Status), Modified: modifiedWire(e.Modified),
		Matched: e.Matched, ErrorCode: e.ErrorCode, Reason: e.Reason, Duration: e.Duration}
	if e.Steps != nil {
		v.Steps = make([]apitypes.Step, len(e.Steps))
		for i, s := range e.Steps {
			v.Steps[i] = apitypes.Step{Name: s.Name, Status: string(s.Status), Detail: s.Detail}
		}
	}
	return v
}

// planWire is what the next cycle would do, with counts by action.
func planWire(p *provisioning.Plan) apitypes.Plan {
	out := apitypes.Plan{CycleID: p.CycleID, Kind: string(p.Kind), From: p.From, To: p.To, Unchanged: p.Unchanged,
		Counts: map[string]int{}, Actions: make([]apitypes.PlannedAction, 0, len(p.Actions))}
	for _, x := range p.Actions {
		out.Counts[string(x.Kind)]++
		out.Actions = append(out.Actions, apitypes.PlannedAction{Action: string(x.Kind), ObjectType: string(x.Type),
			SourceID: x.SourceID, SourceName: x.SourceName, TargetID: x.TargetID, Modified: modifiedWire(x.Modified),
			Reason: x.Reason, Resource: x.Resource, Operations: x.Ops})
	}
	return out
}

// wireList converts a list for an answer: never null.
func wireList[T, W any](items []T, conv func(T) W) []W {
	out := make([]W, len(items))
	for i, x := range items {
		out[i] = conv(x)
	}
	return out
}
