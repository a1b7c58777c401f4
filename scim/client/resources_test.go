package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

func TestEq(t *testing.T) {
	tests := []struct {
		name, attr, value, want string
	}{
		{"plain", "userName", "bjensen@example.com", `userName eq "bjensen@example.com"`},
		{"quote", "displayName", `a" or userName pr or "`, `displayName eq "a\" or userName pr or \""`},
		{"backslash", "externalId", `dom\user`, `externalId eq "dom\\user"`},
		{"backslash before quote", "externalId", `x\"`, `externalId eq "x\\\""`},
		{"control characters", "displayName", "a\nb\tc\x01\x7f", `displayName eq "a\nb\tc\u0001\u007f"`},
		{"html characters kept", "displayName", "R&D <team>", `displayName eq "R&D <team>"`},
		{"unicode kept", "displayName", "Jørgen 山田", `displayName eq "Jørgen 山田"`},
		{"invalid utf-8 replaced", "displayName", "a\xffb", `displayName eq "a\ufffdb"`},
		{"empty", "externalId", "", `externalId eq ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Eq(tt.attr, tt.value)
			if got != tt.want {
				t.Errorf("Eq(%q, %q) = %s, want %s", tt.attr, tt.value, got, tt.want)
			}
			// The literal must be one JSON string that decodes to the value.
			var back string
			lit := got[len(tt.attr)+len(" eq "):]
			if err := json.Unmarshal([]byte(lit), &back); err != nil {
				t.Fatalf("Eq literal %s is not a JSON string: %v", lit, err)
			}
			if want := []rune(tt.value); back != tt.value && string(want) != back {
				t.Errorf("Eq literal decodes to %q, want %q", back, tt.value)
			}
		})
	}
}

// listServer serves n users on /Users, capping pages at pageCap like AWS.
func listServer(t *testing.T, n, pageCap int) (*httptest.Server, *[]url.Values) {
	t.Helper()
	var queries []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		queries = append(queries, q)
		start, _ := strconv.Atoi(q.Get("startIndex"))
		count, _ := strconv.Atoi(q.Get("count"))
		start = max(start, 1)
		count = min(count, pageCap)
		lr := scim.ListResponse{Schemas: []string{scim.ListResponseMessage}, TotalResults: n, StartIndex: start, Resources: []scim.Resource{}}
		for i := start; i < start+count && i <= n; i++ {
			lr.Resources = append(lr.Resources, scim.Resource{"id": strconv.Itoa(i)})
		}
		lr.ItemsPerPage = len(lr.Resources)
		w.Header().Set("Content-Type", scim.MediaType)
		_ = json.NewEncoder(w).Encode(lr)
	}))
	t.Cleanup(srv.Close)
	return srv, &queries
}

func TestAllPages(t *testing.T) {
	tests := []struct {
		name      string
		n, cap    int
		q         Query
		wantIDs   int
		wantPages int
	}{
		{name: "default page size", n: 250, cap: 1000, wantIDs: 250, wantPages: 3},
		{name: "server caps page at 50", n: 120, cap: 50, q: Query{Count: 100}, wantIDs: 120, wantPages: 3},
		{name: "empty", n: 0, cap: 100, wantIDs: 0, wantPages: 1},
		{name: "start index", n: 10, cap: 100, q: Query{StartIndex: 6, Count: 2}, wantIDs: 5, wantPages: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, queries := listServer(t, tt.n, tt.cap)
			c, _ := newTestClient(t, srv.URL)
			var ids []string
			for res, err := range c.All(t.Context(), "Users", tt.q) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, res["id"].(string))
			}
			if len(ids) != tt.wantIDs || len(*queries) != tt.wantPages {
				t.Errorf("All = %d resources in %d pages, want %d in %d", len(ids), len(*queries), tt.wantIDs, tt.wantPages)
			}
			seen := map[string]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Errorf("All yielded %s twice", id)
				}
				seen[id] = true
			}
		})
	}
}

func TestAllStopsOnBreakAndError(t *testing.T) {
	srv, queries := listServer(t, 1000, 100)
	c, _ := newTestClient(t, srv.URL)
	n := 0
	for _, err := range c.All(t.Context(), "Users", Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 150 {
			break
		}
	}
	if len(*queries) != 2 {
		t.Errorf("pages fetched after break at 150 = %d, want 2", len(*queries))
	}
	fs := newFaultServer(t, step{status: 403})
	c, _ = newTestClient(t, fs.URL)
	errs := 0
	for res, err := range c.All(t.Context(), "Users", Query{}) {
		if err == nil || res != nil || !IsUnauthorized(err) {
			t.Errorf("All yielded (%v, %v), want (nil, 403 error)", res, err)
		}
		errs++
	}
	if errs != 1 {
		t.Errorf("All yielded %d errors, want 1", errs)
	}
}

func TestListQueryParameters(t *testing.T) {
	fs := newFaultServer(t, step{status: 200, body: emptyList})
	c, _ := newTestClient(t, fs.URL)
	q := Query{Filter: Eq("userName", "a b"), Attributes: []string{"userName", "emails"}, ExcludedAttributes: []string{"members"},
		SortBy: "userName", SortOrder: "descending", StartIndex: 3, Count: 7}
	if _, err := c.List(t.Context(), "/Users/", q); err != nil {
		t.Fatal(err)
	}
	got, _ := url.ParseQuery(fs.requests()[0].rawQuery)
	want := url.Values{"filter": {`userName eq "a b"`}, "attributes": {"userName,emails"}, "excludedAttributes": {"members"},
		"sortBy": {"userName"}, "sortOrder": {"descending"}, "startIndex": {"3"}, "count": {"7"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("List query = %v, want %v", got, want)
	}
}

func TestPathEscaping(t *testing.T) {
	fs := newFaultServer(t, step{status: 204}, step{status: 200, body: emptyList})
	c, _ := newTestClient(t, fs.URL+"/tenants/a b/scim?aadOptscim062020")
	if err := c.Delete(t.Context(), "Users", "id/with?odd#chars"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(t.Context(), "Users", Query{Count: 5}); err != nil {
		t.Fatal(err)
	}
	if q := fs.requests()[1].rawQuery; q != "aadOptscim062020&count=5" {
		t.Errorf("List query = %q, want the base query then count=5", q)
	}
	r := fs.requests()[0]
	if r.path != "/tenants/a%20b/scim/Users/id%2Fwith%3Fodd%23chars" || r.rawQuery != "aadOptscim062020" {
		t.Errorf("Delete sent %s?%s, want the id escaped as one segment and the base query kept", r.path, r.rawQuery)
	}
}

func TestPatchAnswers(t *testing.T) {
	tests := []struct {
		name    string
		step    step
		wantRes bool
	}{
		{"204 no content", step{status: 204}, false},
		{"200 with body", step{status: 200, body: userJSON}, true},
		{"200 empty body", step{status: 200}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, tt.step)
			c, _ := newTestClient(t, fs.URL)
			res, err := c.Patch(t.Context(), "Groups", "g1", []scim.PatchOperation{{Op: "add", Path: "members", Value: json.RawMessage(`[{"value":"u1"}]`)}})
			if err != nil {
				t.Fatal(err)
			}
			if (res != nil) != tt.wantRes {
				t.Errorf("Patch = %v, want resource %v", res, tt.wantRes)
			}
			var body scim.PatchRequest
			if err := json.Unmarshal([]byte(fs.requests()[0].body), &body); err != nil || body.Schemas[0] != scim.PatchOpMessage {
				t.Errorf("Patch body = %s, want a PatchOp message", fs.requests()[0].body)
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	spc := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],"patch":{"supported":true},"bulk":{"supported":true,"maxOperations":1000,"maxPayloadSize":1048576},"filter":{"supported":true,"maxResults":200}}`
	schemasList := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"urn:ietf:params:scim:schemas:core:2.0:User","name":"User","attributes":[{"name":"userName","type":"string"}]}]}`
	schemasArray := `[{"id":"urn:ietf:params:scim:schemas:core:2.0:User","name":"User","attributes":[]}]`
	rtList := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"User","name":"User","endpoint":"/Users","schema":"urn:ietf:params:scim:schemas:core:2.0:User"}]}`
	fs := newFaultServer(t, step{status: 200, body: spc}, step{status: 200, body: schemasList}, step{status: 200, body: schemasArray}, step{status: 200, body: rtList})
	c, _ := newTestClient(t, fs.URL)
	ctx := t.Context()
	cfg, err := c.ServiceProviderConfig(ctx)
	if err != nil || !cfg.Bulk.Supported || cfg.Bulk.MaxOperations != 1000 || cfg.Filter.MaxResults != 200 {
		t.Errorf("ServiceProviderConfig = %+v, %v", cfg, err)
	}
	for _, shape := range []string{"list response", "bare array"} {
		schemas, err := c.Schemas(ctx)
		if err != nil || len(schemas) != 1 || schemas[0].ID != scim.UserSchema {
			t.Errorf("Schemas (%s) = %v, %v; want the User schema", shape, schemas, err)
		}
	}
	rts, err := c.ResourceTypes(ctx)
	if err != nil || len(rts) != 1 || rts[0].Endpoint != "/Users" {
		t.Errorf("ResourceTypes = %v, %v", rts, err)
	}
	var paths []string
	for _, r := range fs.requests() {
		paths = append(paths, r.path)
	}
	if want := []string{"/ServiceProviderConfig", "/Schemas", "/Schemas", "/ResourceTypes"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("discovery paths = %v, want %v", paths, want)
	}
}

func TestBulk(t *testing.T) {
	fs := newFaultServer(t, step{status: 200, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[{"method":"POST","bulkId":"b1","location":"/Users/9","status":"201"}]}`})
	c, _ := newTestClient(t, fs.URL)
	resp, err := c.Bulk(t.Context(), scim.BulkRequest{Operations: []scim.BulkOperation{{Method: "POST", BulkID: "b1", Path: "/Users", Data: json.RawMessage(`{"userName":"a"}`)}}})
	if err != nil || len(resp.Operations) != 1 || resp.Operations[0].Status != "201" {
		t.Fatalf("Bulk = %+v, %v", resp, err)
	}
	r := fs.requests()[0]
	var sent scim.BulkRequest
	if err := json.Unmarshal([]byte(r.body), &sent); err != nil || r.method != http.MethodPost || r.path != "/Bulk" || sent.Schemas[0] != scim.BulkRequestMessage {
		t.Errorf("Bulk sent %s %s %s", r.method, r.path, r.body)
	}
}

func TestQuirkActiveAsString(t *testing.T) {
	fs := newFaultServer(t, step{status: 200, body: userJSON})
	c, _ := newTestClient(t, fs.URL, WithQuirks(Quirks{ActiveAsString: true}))
	ctx := t.Context()
	res := scim.Resource{"userName": "a", "active": false}
	if _, err := c.Create(ctx, "Users", res); err != nil {
		t.Fatal(err)
	}
	if res["active"] != false {
		t.Errorf("Create modified the caller's resource: active = %v", res["active"])
	}
	ops := []scim.PatchOperation{
		{Op: "Replace", Path: "active", Value: json.RawMessage(`true`)},
		{Op: "replace", Value: json.RawMessage(`{"active":false,"displayName":"x"}`)},
		{Op: "replace", Path: "displayName", Value: json.RawMessage(`"true"`)},
	}
	if _, err := c.Patch(ctx, "Users", "u1", ops); err != nil {
		t.Fatal(err)
	}
	reqs := fs.requests()
	var created map[string]any
	_ = json.Unmarshal([]byte(reqs[0].body), &created)
	if created["active"] != "False" {
		t.Errorf("Create sent active = %#v, want \"False\"", created["active"])
	}
	var patch scim.PatchRequest
	_ = json.Unmarshal([]byte(reqs[1].body), &patch)
	want := []string{`"True"`, `{"active":"False","displayName":"x"}`, `"true"`}
	for i, w := range want {
		if got := string(patch.Operations[i].Value); got != w {
			t.Errorf("Patch op %d value = %s, want %s", i, got, w)
		}
	}
}

func memberValues(from, to int) json.RawMessage {
	var list []map[string]string
	for i := from; i < to; i++ {
		list = append(list, map[string]string{"value": fmt.Sprintf("u%d", i)})
	}
	b, _ := json.Marshal(list)
	return b
}

func TestChunkMembers(t *testing.T) {
	name := scim.PatchOperation{Op: "replace", Path: "displayName", Value: json.RawMessage(`"G"`)}
	removeOne := scim.PatchOperation{Op: "remove", Path: `members[value eq "x"]`}
	tests := []struct {
		name string
		ops  []scim.PatchOperation
		want [][]string // per batch: op:count
	}{
		{"small change is one batch", []scim.PatchOperation{name, {Op: "add", Path: "members", Value: memberValues(0, 3)}},
			[][]string{{"replace:0", "add:3"}}},
		{"250 adds split 100/100/50", []scim.PatchOperation{{Op: "add", Path: "members", Value: memberValues(0, 250)}},
			[][]string{{"add:100"}, {"add:100"}, {"add:50"}}},
		{"replace split keeps semantics", []scim.PatchOperation{{Op: "replace", Path: "members", Value: memberValues(0, 150)}},
			[][]string{{"replace:100"}, {"add:50"}}},
		{"ops packed up to the limit", []scim.PatchOperation{{Op: "add", Path: "members", Value: memberValues(0, 60)}, {Op: "remove", Path: "Members", Value: memberValues(60, 120)}, removeOne},
			[][]string{{"add:60"}, {"remove:60", "remove:1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batches, err := chunkMembers(tt.ops, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, b := range batches {
				var desc []string
				for _, op := range b {
					n, _ := memberCount(op)
					desc = append(desc, fmt.Sprintf("%s:%d", op.Op, n))
				}
				got = append(got, desc)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("chunkMembers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestQuirkMaxMembersPerPatch(t *testing.T) {
	fs := newFaultServer(t, step{status: 204})
	c, _ := newTestClient(t, fs.URL, WithQuirks(Quirks{MaxMembersPerPatch: 100}))
	ops := []scim.PatchOperation{{Op: "add", Path: "members", Value: memberValues(0, 250)}}
	if _, err := c.Patch(t.Context(), "Groups", "g1", ops); err != nil {
		t.Fatal(err)
	}
	reqs := fs.requests()
	if len(reqs) != 3 {
		t.Fatalf("Patch sent %d requests, want 3", len(reqs))
	}
	total := 0
	for _, r := range reqs {
		var p scim.PatchRequest
		var members []any
		if err := json.Unmarshal([]byte(r.body), &p); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(p.Operations[0].Value, &members)
		if len(members) > 100 {
			t.Errorf("a request carried %d members, want <= 100", len(members))
		}
		total += len(members)
	}
	if total != 250 {
		t.Errorf("members sent = %d, want 250", total)
	}
}
