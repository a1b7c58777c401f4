package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning/record"
	"github.com/provisio-dev/provisio/internal/store"
)

// JobOpener returns a fresh, empty job store; it registers its cleanup
// with t.
type JobOpener func(t *testing.T) store.JobStore

// RunJobs runs the conformance suite of [store.JobStore]: provisioning job
// settings, links and watermark, provisioning logs with filters and
// retention, and cycle records. Each test gets a fresh store.
func RunJobs(t *testing.T, open JobOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.JobStore)
	}{
		{"JobSettings", testJobSettings},
		{"JobState", testJobState},
		{"Links", testLinks},
		{"LinkStatesAndLinksOf", testLinkStatesAndLinksOf},
		{"LinksConcurrentWrites", testLinksConcurrent},
		{"Escrows", testEscrows},
		{"LargeBatches", testLargeBatches},
		{"Watermark", testWatermark},
		{"LinkGeneration", testLinkGeneration},
		{"Logs", testLogs},
		{"PruneLogs", testPruneLogs},
		{"PruneLogsBefore", testPruneLogsBefore},
		{"Cycles", testCycles},
		{"DeleteJobRemovesEverything", testDeleteJob},
		{"UnknownJob", testUnknownJob},
		{"JobGuard", testJobGuard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func newJob(t *testing.T, s store.JobStore, appID string) store.Job {
	t.Helper()
	j, err := s.CreateJob(context.Background(), store.Job{AppID: appID, TenantURL: "https://app.example.com/scim/v2",
		Secret: []byte{1, 0, 255, 7}, Scope: "assigned", Interval: 40 * time.Minute, Mappings: []byte(`{"users":{}}`), State: "stopped"})
	if err != nil {
		t.Fatalf("CreateJob(%q) = %v", appID, err)
	}
	return j
}

func testJobSettings(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app-b")
	if j.ID == "" || j.Created.IsZero() || !j.Updated.Equal(j.Created) {
		t.Errorf("CreateJob = id %q created %v updated %v, want an id and created == updated", j.ID, j.Created, j.Updated)
	}
	if _, err := s.CreateJob(ctx, store.Job{AppID: "app-b"}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateJob(second job of app-b) = %v, want ErrExists", err)
	}
	if _, err := s.CreateJob(ctx, store.Job{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CreateJob(no app id) = %v, want ErrInvalid", err)
	}
	newJob(t, s, "app-a")

	j.TenantURL, j.Secret, j.Enabled, j.Scope = "https://other.example.com/scim", []byte("sealed"), true, "all"
	j.Interval, j.NotificationEmail, j.Mappings, j.State = 90*time.Second, "ops@example.com", []byte(`{"users":{"x":1}}`), "idle"
	j.SkipOutOfScopeDeletions, j.TargetSchema = true, []byte(`{"declared":true}`)
	j.WebhookURL, j.WebhookSecret = "https://hooks.example.com/provisio", []byte("sealed hook key")
	j.RateLimit, j.MaxConcurrency = 12.5, 4
	j.ReconcileEvery = 24 * time.Hour
	j.Bulk = true
	j.OAuth, j.CredentialState = []byte(`{"tokenUrl":"https://login.example.com/token"}`), []byte(`{"worked":true}`)
	got, err := s.UpdateJob(ctx, j)
	if err != nil {
		t.Fatalf("UpdateJob = %v", err)
	}
	want := j
	want.Updated = got.Updated
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UpdateJob = %+v, want %+v", got, want)
	}
	for name, get := range map[string]func() (store.Job, error){
		"GetJob":      func() (store.Job, error) { return s.GetJob(ctx, j.ID) },
		"GetJobByApp": func() (store.Job, error) { return s.GetJobByApp(ctx, "app-b") },
	} {
		if g, err := get(); err != nil || !reflect.DeepEqual(g, got) {
			t.Errorf("%s = %+v, %v, want %+v", name, g, err, got)
		}
	}
	list, err := s.ListJobs(ctx)
	if err != nil || len(list) != 2 || list[0].AppID != "app-a" || list[1].AppID != "app-b" {
		t.Errorf("ListJobs = %v, %v, want app-a and app-b in order", list, err)
	}
	if _, err := s.UpdateJob(ctx, store.Job{ID: "missing"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateJob(missing) = %v, want ErrNotFound", err)
	}
}

func testJobState(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app")
	if err := s.SetJobState(ctx, j.ID, "running", nil); err != nil {
		t.Fatalf("SetJobState(running) = %v", err)
	}
	g, _ := s.GetJob(ctx, j.ID)
	if g.State != "running" || g.LastCycle != nil {
		t.Errorf("after SetJobState(running, nil): state %q last cycle %q, want running and none", g.State, g.LastCycle)
	}
	if err := s.SetJobState(ctx, j.ID, "idle", []byte(`{"id":"c1"}`)); err != nil {
		t.Fatalf("SetJobState(idle) = %v", err)
	}
	if err := s.SetJobState(ctx, j.ID, "running", nil); err != nil {
		t.Fatalf("SetJobState(running) = %v", err)
	}
	g, _ = s.GetJob(ctx, j.ID)
	if g.State != "running" || string(g.LastCycle) != `{"id":"c1"}` {
		t.Errorf("state %q last cycle %q, want running and the kept last cycle", g.State, g.LastCycle)
	}
	// UpdateJob changes settings, not the last cycle.
	g.Enabled = true
	if u, err := s.UpdateJob(ctx, g); err != nil || string(u.LastCycle) != `{"id":"c1"}` {
		t.Errorf("UpdateJob = last cycle %q, %v, want it kept", u.LastCycle, err)
	}
}

func link(typ record.ObjectType, id string, n int) record.Link {
	return record.Link{Type: typ, SourceID: id, TargetID: "t-" + id, State: "active", Hash: fmt.Sprintf("h%d", n),
		Written:      map[string]any{"userName": id + "@example.com", "active": true, "emails": []any{map[string]any{"type": "work", "value": "x"}}},
		Updated:      time.UnixMilli(1_700_000_000_000 + int64(n)).UTC(),
		Attempts:     n % 3,
		LastError:    map[bool]string{true: "boom"}[n%3 > 0],
		FailedAction: map[bool]record.ActionKind{true: record.ActionUpdate}[n%3 > 0],
		SourceName:   map[bool]string{true: id + "@example.com"}[n%3 > 0],
	}
}

func linksByID(t *testing.T, s store.JobStore, jobID string, typ record.ObjectType) map[string]record.Link {
	t.Helper()
	ls, err := s.Links(context.Background(), jobID, typ)
	if err != nil {
		t.Fatalf("Links(%s) = %v", typ, err)
	}
	out := map[string]record.Link{}
	for _, l := range ls {
		out[l.SourceID] = l
	}
	return out
}

func testLinks(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j, other := newJob(t, s, "app"), newJob(t, s, "other")
	retry := link("User", "u2", 2)
	retry.NextRetry = time.UnixMilli(1_800_000_000_000).UTC()
	pending := record.Link{Type: "User", SourceID: "u3", State: "pending-create", Updated: time.UnixMilli(5).UTC()}
	put := []record.Link{link("User", "u1", 1), retry, pending, link("Group", "g1", 4)}
	if err := s.WriteLinks(ctx, j.ID, put, nil); err != nil {
		t.Fatalf("WriteLinks = %v", err)
	}
	if err := s.WriteLinks(ctx, other.ID, []record.Link{link("User", "u1", 9)}, nil); err != nil {
		t.Fatalf("WriteLinks(other job) = %v", err)
	}
	users := linksByID(t, s, j.ID, "User")
	for _, want := range put[:3] {
		if got := users[want.SourceID]; !reflect.DeepEqual(got, want) {
			t.Errorf("Links: %s = %+v, want %+v", want.SourceID, got, want)
		}
	}
	if len(users) != 3 {
		t.Errorf("Links(User) = %d links, want 3", len(users))
	}
	if groups := linksByID(t, s, j.ID, "Group"); len(groups) != 1 || groups["g1"].TargetID != "t-g1" {
		t.Errorf("Links(Group) = %v, want g1 only", groups)
	}

	// Upsert, delete (missing ones too) in one call.
	up := link("User", "u1", 3)
	up.State, up.TargetID, up.Unresolved = "disabled", "t-new", true
	if err := s.WriteLinks(ctx, j.ID, []record.Link{up}, []record.Key{{Type: "User", SourceID: "u2"}, {Type: "User", SourceID: "nope"}}); err != nil {
		t.Fatalf("WriteLinks(update, delete) = %v", err)
	}
	users = linksByID(t, s, j.ID, "User")
	if got := users["u1"]; !reflect.DeepEqual(got, up) {
		t.Errorf("after upsert: u1 = %+v, want %+v", got, up)
	}
	if _, ok := users["u2"]; ok || len(users) != 2 {
		t.Errorf("after delete: links %v, want u1 and u3", users)
	}
	if o := linksByID(t, s, other.ID, "User"); o["u1"].Hash != "h9" {
		t.Errorf("other job's u1 = %+v, want untouched (hash h9)", o["u1"])
	}

	counts, err := s.CountLinks(ctx, j.ID)
	if err != nil {
		t.Fatalf("CountLinks = %v", err)
	}
	got := map[string]int{}
	for _, c := range counts {
		got[fmt.Sprintf("%s/%s/%v", c.Type, c.State, c.Failed)] += c.N
	}
	want := map[string]int{"User/disabled/false": 1, "User/pending-create/false": 1, "Group/active/true": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CountLinks = %v, want %v", got, want)
	}
}

// testEscrows: the failed links, ordered by next retry, made due all
// at once or one by one; other jobs' links untouched.
func testEscrows(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j, other := newJob(t, s, "app"), newJob(t, s, "other")
	late, early := link("User", "u1", 1), link("Group", "g2", 2)
	late.NextRetry = time.UnixMilli(1_800_000_900_000).UTC()
	early.NextRetry = time.UnixMilli(1_800_000_000_000).UTC()
	put := []record.Link{late, early, link("User", "u3", 3)} // u3: no failure
	if err := s.WriteLinks(ctx, j.ID, put, nil); err != nil {
		t.Fatalf("WriteLinks = %v", err)
	}
	if err := s.WriteLinks(ctx, other.ID, []record.Link{late}, nil); err != nil {
		t.Fatalf("WriteLinks(other job) = %v", err)
	}
	got, err := s.Escrows(ctx, j.ID)
	if err != nil {
		t.Fatalf("Escrows = %v", err)
	}
	early.Written, late.Written = nil, nil
	if want := []record.Link{early, late}; !reflect.DeepEqual(got, want) {
		t.Errorf("Escrows = %+v, want %+v", got, want)
	}
	now := time.UnixMilli(1_700_000_000_000).UTC()
	n, err := s.RetryEscrows(ctx, j.ID, []record.Key{{Type: "User", SourceID: "u1"}, {Type: "User", SourceID: "u3"}}, now)
	if err != nil || n != 1 {
		t.Fatalf("RetryEscrows(u1, u3 without failure) = %d, %v, want 1, nil", n, err)
	}
	if got, _ := s.Escrows(ctx, j.ID); len(got) != 2 || got[0].SourceID != "u1" || !got[0].NextRetry.Equal(now) {
		t.Errorf("Escrows after RetryEscrows(u1) = %+v, want u1 first, due %v", got, now)
	}
	if n, err := s.RetryEscrows(ctx, j.ID, nil, now); err != nil || n != 2 {
		t.Errorf("RetryEscrows(all) = %d, %v, want 2, nil", n, err)
	}
	if o, _ := s.Escrows(ctx, other.ID); len(o) != 1 || !o[0].NextRetry.Equal(late.NextRetry) {
		t.Errorf("other job's escrows = %+v, want untouched", o)
	}
}

func testLinksConcurrent(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 25 {
				if err := s.WriteLinks(ctx, j.ID, []record.Link{link("User", fmt.Sprintf("u%d-%d", w, i), i)}, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent WriteLinks = %v", err)
	}
	if n := len(linksByID(t, s, j.ID, "User")); n != 200 {
		t.Errorf("Links = %d, want 200", n)
	}
}

func testWatermark(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app")
	check := func(step string, wantSeq int64, wantOK bool) {
		t.Helper()
		seq, ok, err := s.Watermark(ctx, j.ID)
		if err != nil || seq != wantSeq || ok != wantOK {
			t.Errorf("%s: Watermark = %d, %v, %v, want %d, %v", step, seq, ok, err, wantSeq, wantOK)
		}
	}
	check("new job", 0, false)
	if err := s.SetWatermark(ctx, j.ID, 0); err != nil {
		t.Fatalf("SetWatermark(0) = %v", err)
	}
	check("empty feed", 0, true)
	if err := s.SetWatermark(ctx, j.ID, 1<<40); err != nil {
		t.Fatalf("SetWatermark = %v", err)
	}
	check("set", 1<<40, true)
	if err := s.WriteLinks(ctx, j.ID, []record.Link{link("User", "u1", 1)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearWatermark(ctx, j.ID); err != nil {
		t.Fatalf("ClearWatermark = %v", err)
	}
	check("cleared", 0, false)
	if n := len(linksByID(t, s, j.ID, "User")); n != 1 {
		t.Errorf("after ClearWatermark: %d links, want the link kept", n)
	}
}

func logEntry(n int, cycle string, status record.Status, action record.ActionKind) record.LogEntry {
	return record.LogEntry{Time: time.UnixMilli(1_700_000_000_000 + int64(n)).UTC(), JobID: "job", CycleID: cycle, ChangeID: fmt.Sprintf("ch%d", n),
		ObjectType: "User", SourceID: fmt.Sprintf("u%d", n), SourceName: fmt.Sprintf("user%d@example.com", n),
		TargetID: fmt.Sprintf("t%d", n), Action: action, Status: status, Duration: time.Duration(n) * time.Millisecond,
		Steps: []record.Step{{Name: record.StepAction, Status: status, Detail: string(action)}}}
}

func seqs(ls []record.LogRecord) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.ChangeID)
	}
	return out
}

func testLogs(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j, other := newJob(t, s, "app"), newJob(t, s, "other")
	entries := []record.LogEntry{
		logEntry(1, "c1", "success", "create"),
		logEntry(2, "c1", "failure", "create"),
		logEntry(3, "c1", "skipped", "skip"),
		logEntry(4, "c2", "success", "update"),
		logEntry(5, "c2", "success", "disable"),
	}
	entries[1].ErrorCode = "http-409-uniqueness"
	entries[4].ObjectType = "Group"
	if err := s.AppendLogs(ctx, j.ID, entries); err != nil {
		t.Fatalf("AppendLogs = %v", err)
	}
	if err := s.AppendLogs(ctx, other.ID, []record.LogEntry{logEntry(6, "c1", "success", "create")}); err != nil {
		t.Fatalf("AppendLogs(other) = %v", err)
	}
	all, err := s.Logs(ctx, j.ID, store.LogQuery{})
	if err != nil || len(all) != 5 {
		t.Fatalf("Logs() = %d entries, %v, want 5", len(all), err)
	}
	first := all[4]
	want := record.LogRecord{Seq: first.Seq, LogEntry: entries[0]}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("oldest entry = %+v, want %+v", first, want)
	}
	tests := []struct {
		name string
		q    store.LogQuery
		want []string
	}{
		{"all newest first", store.LogQuery{}, []string{"ch5", "ch4", "ch3", "ch2", "ch1"}},
		{"status", store.LogQuery{Status: "success"}, []string{"ch5", "ch4", "ch1"}},
		{"action", store.LogQuery{Action: "create"}, []string{"ch2", "ch1"}},
		{"cycle", store.LogQuery{CycleID: "c2"}, []string{"ch5", "ch4"}},
		{"object type", store.LogQuery{ObjectType: "Group"}, []string{"ch5"}},
		{"object by source id", store.LogQuery{Object: "u3"}, []string{"ch3"}},
		{"object by target id", store.LogQuery{Object: "t4"}, []string{"ch4"}},
		{"object by name", store.LogQuery{Object: "user2@example.com"}, []string{"ch2"}},
		{"combined", store.LogQuery{CycleID: "c1", Status: "success"}, []string{"ch1"}},
		{"limit", store.LogQuery{Limit: 2}, []string{"ch5", "ch4"}},
		{"before", store.LogQuery{Before: all[1].Seq, Limit: 2}, []string{"ch3", "ch2"}},
		{"no match", store.LogQuery{Status: "warning"}, []string{}},
		{"change id", store.LogQuery{ChangeID: "ch3"}, []string{"ch3"}},
		{"since inclusive", store.LogQuery{Since: entries[3].Time}, []string{"ch5", "ch4"}},
		{"until exclusive", store.LogQuery{Until: entries[1].Time}, []string{"ch1"}},
		{"since and until", store.LogQuery{Since: entries[1].Time, Until: entries[4].Time}, []string{"ch4", "ch3", "ch2"}},
		{"time range and status", store.LogQuery{Since: entries[1].Time, Until: entries[4].Time, Status: "success"}, []string{"ch4"}},
		{"empty time range", store.LogQuery{Since: entries[4].Time, Until: entries[4].Time}, []string{}},
	}
	for _, tc := range tests {
		got, err := s.Logs(ctx, j.ID, tc.q)
		if err != nil || !reflect.DeepEqual(seqs(got), tc.want) {
			t.Errorf("%s: Logs(%+v) = %v, %v, want %v", tc.name, tc.q, seqs(got), err, tc.want)
		}
	}
}

func testPruneLogs(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j, other := newJob(t, s, "app"), newJob(t, s, "other")
	var es []record.LogEntry
	for i := 1; i <= 10; i++ {
		es = append(es, logEntry(i, "c", "success", "update"))
	}
	if err := s.AppendLogs(ctx, j.ID, es); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendLogs(ctx, other.ID, es[:3]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		keep        int
		wantDeleted int64
		want        []string
	}{
		{20, 0, []string{"ch10", "ch9", "ch8", "ch7", "ch6", "ch5", "ch4", "ch3", "ch2", "ch1"}},
		{3, 7, []string{"ch10", "ch9", "ch8"}},
		{3, 0, []string{"ch10", "ch9", "ch8"}},
		{0, 3, []string{}},
	}
	for _, tc := range tests {
		n, err := s.PruneLogs(ctx, j.ID, tc.keep)
		if err != nil || n != tc.wantDeleted {
			t.Errorf("PruneLogs(%d) = %d, %v, want %d", tc.keep, n, err, tc.wantDeleted)
		}
		got, _ := s.Logs(ctx, j.ID, store.LogQuery{})
		if !reflect.DeepEqual(seqs(got), tc.want) {
			t.Errorf("after PruneLogs(%d): %v, want %v", tc.keep, seqs(got), tc.want)
		}
	}
	if got, _ := s.Logs(ctx, other.ID, store.LogQuery{}); len(got) != 3 {
		t.Errorf("other job's logs = %d, want 3 untouched", len(got))
	}
}

func testPruneLogsBefore(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j, other := newJob(t, s, "app"), newJob(t, s, "other")
	var es []record.LogEntry
	for i := 1; i <= 5; i++ {
		es = append(es, logEntry(i, "c", "success", "update"))
	}
	if err := s.AppendLogs(ctx, j.ID, es); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendLogs(ctx, other.ID, es[:2]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		before      time.Time
		wantDeleted int64
		want, other []string
	}{
		{"nothing older", es[0].Time, 0, []string{"ch5", "ch4", "ch3", "ch2", "ch1"}, []string{"ch2", "ch1"}},
		{"every job's older entries", es[2].Time, 4, []string{"ch5", "ch4", "ch3"}, []string{}},
		{"again", es[2].Time, 0, []string{"ch5", "ch4", "ch3"}, []string{}},
		{"all", es[4].Time.Add(time.Millisecond), 3, []string{}, []string{}},
	}
	for _, tc := range tests {
		n, err := s.PruneLogsBefore(ctx, tc.before)
		if err != nil || n != tc.wantDeleted {
			t.Errorf("%s: PruneLogsBefore(%v) = %d, %v, want %d", tc.name, tc.before, n, err, tc.wantDeleted)
		}
		got, _ := s.Logs(ctx, j.ID, store.LogQuery{})
		gotOther, _ := s.Logs(ctx, other.ID, store.LogQuery{})
		if !reflect.DeepEqual(seqs(got), tc.want) || !reflect.DeepEqual(seqs(gotOther), tc.other) {
			t.Errorf("%s: after PruneLogsBefore(%v): %v and %v, want %v and %v", tc.name, tc.before, seqs(got), seqs(gotOther), tc.want, tc.other)
		}
	}
}

func testCycles(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app")
	base := time.UnixMilli(1_700_000_000_000).UTC()
	for i := range 3 {
		c := store.Cycle{ID: fmt.Sprintf("c%d", i), JobID: j.ID, Kind: "incremental", Started: base.Add(time.Duration(i) * time.Minute),
			Finished: base.Add(time.Duration(i)*time.Minute + time.Second), Stats: []byte(`{"created":1}`)}
		if err := s.PutCycle(ctx, c); err != nil {
			t.Fatalf("PutCycle(%s) = %v", c.ID, err)
		}
	}
	upd := store.Cycle{ID: "c0", JobID: j.ID, Kind: "initial", Started: base, Finished: base.Add(time.Hour), Stats: []byte(`{"created":7}`), Error: "cancelled"}
	if err := s.PutCycle(ctx, upd); err != nil {
		t.Fatalf("PutCycle(replace c0) = %v", err)
	}
	got, err := s.Cycles(ctx, j.ID, 0)
	if err != nil || len(got) != 3 || got[0].ID != "c2" || got[2].ID != "c0" {
		t.Fatalf("Cycles = %+v, %v, want c2, c1, c0", got, err)
	}
	if !reflect.DeepEqual(got[2], upd) {
		t.Errorf("replaced cycle = %+v, want %+v", got[2], upd)
	}
	if got, _ := s.Cycles(ctx, j.ID, 1); len(got) != 1 || got[0].ID != "c2" {
		t.Errorf("Cycles(limit 1) = %+v, want c2", got)
	}
}

func testDeleteJob(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app")
	if err := s.WriteLinks(ctx, j.ID, []record.Link{link("User", "u1", 1)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendLogs(ctx, j.ID, []record.LogEntry{logEntry(1, "c", "success", "create")}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCycle(ctx, store.Cycle{ID: "c", JobID: j.ID, Kind: "initial", Stats: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteJob(ctx, j.ID); err != nil {
		t.Fatalf("DeleteJob = %v", err)
	}
	if _, err := s.GetJobByApp(ctx, "app"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetJobByApp(deleted) = %v, want ErrNotFound", err)
	}
	again := newJob(t, s, "app")
	if n := len(linksByID(t, s, again.ID, "User")); n != 0 {
		t.Errorf("new job of the same app has %d links, want 0", n)
	}
	if ls, _ := s.Logs(ctx, again.ID, store.LogQuery{}); len(ls) != 0 {
		t.Errorf("new job of the same app has %d log entries, want 0", len(ls))
	}
	if err := s.PutCycle(ctx, store.Cycle{ID: "c", JobID: again.ID, Kind: "initial", Stats: []byte("{}")}); err != nil {
		t.Errorf("PutCycle(id of a deleted job's cycle) = %v, want the old record gone", err)
	}
}

func testUnknownJob(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	calls := map[string]func() error{
		"GetJob":             func() error { _, err := s.GetJob(ctx, "nope"); return err },
		"GetJobByApp":        func() error { _, err := s.GetJobByApp(ctx, "nope"); return err },
		"SetJobState":        func() error { return s.SetJobState(ctx, "nope", "idle", nil) },
		"DeleteJob":          func() error { return s.DeleteJob(ctx, "nope") },
		"Links":              func() error { _, err := s.Links(ctx, "nope", "User"); return err },
		"WriteLinks":         func() error { return s.WriteLinks(ctx, "nope", []record.Link{link("User", "u", 1)}, nil) },
		"CountLinks":         func() error { _, err := s.CountLinks(ctx, "nope"); return err },
		"Escrows":            func() error { _, err := s.Escrows(ctx, "nope"); return err },
		"RetryEscrows":       func() error { _, err := s.RetryEscrows(ctx, "nope", nil, time.Now()); return err },
		"Watermark":          func() error { _, _, err := s.Watermark(ctx, "nope"); return err },
		"SetWatermark":       func() error { return s.SetWatermark(ctx, "nope", 1) },
		"ClearWatermark":     func() error { return s.ClearWatermark(ctx, "nope") },
		"BumpLinkGeneration": func() error { _, err := s.BumpLinkGeneration(ctx, "nope"); return err },
		"AppendLogs": func() error {
			return s.AppendLogs(ctx, "nope", []record.LogEntry{logEntry(1, "c", "success", "create")})
		},
		"Logs":      func() error { _, err := s.Logs(ctx, "nope", store.LogQuery{}); return err },
		"PruneLogs": func() error { _, err := s.PruneLogs(ctx, "nope", 1); return err },
		"PutCycle":  func() error { return s.PutCycle(ctx, store.Cycle{ID: "c", JobID: "nope", Stats: []byte("{}")}) },
		"Cycles":    func() error { _, err := s.Cycles(ctx, "nope", 1); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s(unknown job) = %v, want ErrNotFound", name, err)
		}
	}
}

// testLargeBatches writes more rows in one call than an implementation is
// likely to put in one statement, with a link put twice.
func testLargeBatches(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app")
	var put []record.Link
	for i := range 450 {
		put = append(put, link("User", fmt.Sprintf("u%03d", i), i))
	}
	again := link("User", "u007", 99)
	put = append(put, again)
	if err := s.WriteLinks(ctx, j.ID, put, nil); err != nil {
		t.Fatalf("WriteLinks(451 puts, one link twice) = %v", err)
	}
	got := linksByID(t, s, j.ID, "User")
	if len(got) != 450 || !reflect.DeepEqual(got["u007"], again) {
		t.Errorf("Links = %d, u007 = %+v, want 450 and the last value of u007", len(got), got["u007"])
	}
	var es []record.LogEntry
	for i := range 450 {
		es = append(es, logEntry(i, "c", "success", "create"))
	}
	if err := s.AppendLogs(ctx, j.ID, es); err != nil {
		t.Fatalf("AppendLogs(450) = %v", err)
	}
	logs, err := s.Logs(ctx, j.ID, store.LogQuery{Limit: 1000})
	if err != nil || len(logs) != 450 {
		t.Fatalf("Logs = %d, %v, want 450", len(logs), err)
	}
	for i, l := range logs {
		if want := fmt.Sprintf("ch%d", 449-i); l.ChangeID != want {
			t.Fatalf("Logs[%d] = %s, want %s (newest first, in append order)", i, l.ChangeID, want)
		}
	}
}

func testLinkStatesAndLinksOf(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j, other := newJob(t, s, "app"), newJob(t, s, "other")
	put := []record.Link{link("User", "u1", 1), link("User", "u2", 2), link("User", "u3", 3), link("Group", "u1", 4)}
	if err := s.WriteLinks(ctx, j.ID, put, nil); err != nil {
		t.Fatalf("WriteLinks = %v", err)
	}
	if err := s.WriteLinks(ctx, other.ID, []record.Link{link("User", "u2", 9)}, nil); err != nil {
		t.Fatalf("WriteLinks(other job) = %v", err)
	}
	states, err := s.LinkStates(ctx, j.ID, "User")
	if err != nil || len(states) != 3 {
		t.Fatalf("LinkStates(User) = %d links, %v; want 3", len(states), err)
	}
	for _, got := range states {
		want := put[got.SourceID[1]-'1']
		want.Written = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("LinkStates: %s = %+v, want %+v (no Written)", got.SourceID, got, want)
		}
	}
	tests := []struct {
		name string
		ids  []string
		want []record.Link
	}{
		{"none asked", nil, nil},
		{"some, one missing", []string{"u3", "nope", "u1"}, []record.Link{put[0], put[2]}},
		{"other type and job untouched", []string{"u2"}, []record.Link{put[1]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.LinksOf(ctx, j.ID, "User", tt.ids)
			if err != nil {
				t.Fatalf("LinksOf(%v) = %v", tt.ids, err)
			}
			slices.SortFunc(got, func(a, b record.Link) int { return strings.Compare(a.SourceID, b.SourceID) })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LinksOf(%v) = %+v, want %+v", tt.ids, got, tt.want)
			}
		})
	}
	many := make([]string, 1200) // more ids than one query names
	for i := range many {
		many[i] = fmt.Sprintf("x%d", i)
	}
	many[1100] = "u2"
	if got, err := s.LinksOf(ctx, j.ID, "User", many); err != nil || len(got) != 1 || got[0].SourceID != "u2" {
		t.Errorf("LinksOf(1,200 ids) = %+v, %v; want u2 only", got, err)
	}
}
