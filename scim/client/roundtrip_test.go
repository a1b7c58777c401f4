package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/client"
	"github.com/provisio-dev/provisio/scim/server"
)

const tenantToken = "tenant-secret"

// newTenant serves Provisio's SCIM handler over a memory backend on
// 127.0.0.1 behind a bearer-token check, and returns its base URL.
func newTenant(t testing.TB) string {
	t.Helper()
	srv := startTenant()
	t.Cleanup(srv.Close)
	return srv.URL + "/scim/v2"
}

// startTenant starts the server of newTenant; its SCIM base is URL + "/scim/v2".
func startTenant() *httptest.Server {
	h := server.New(server.Config{
		Registry: scim.NewStandardRegistry(),
		Backend:  memory.New(),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return httptest.NewServer(http.StripPrefix("/scim/v2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+tenantToken {
			w.Header().Set("Content-Type", scim.MediaType)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"invalid token"}`)
			return
		}
		h.ServeHTTP(w, r)
	})))
}

func newClient(t testing.TB, base string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(base, append([]client.Option{client.WithStaticToken(tenantToken)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func raw(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func userDoc(userName string) scim.Resource {
	return scim.Resource{
		"schemas":  []any{scim.UserSchema},
		"userName": userName,
		"active":   true,
		"name":     map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"emails":   []any{map[string]any{"type": "work", "value": "bjensen@example.com", "primary": true}},
	}
}

// findOne queries by attribute and returns the single match.
func findOne(t *testing.T, c *client.Client, endpoint, attr, value string) scim.Resource {
	t.Helper()
	lr, err := c.List(t.Context(), endpoint, client.Query{Filter: client.Eq(attr, value)})
	if err != nil {
		t.Fatalf("List %s eq %q: %v", attr, value, err)
	}
	if lr.TotalResults != 1 || len(lr.Resources) != 1 {
		t.Fatalf("List %s eq %q = %d results, want 1", attr, value, lr.TotalResults)
	}
	return lr.Resources[0]
}

func TestRoundTripUser(t *testing.T) {
	base := newTenant(t)
	c := newClient(t, base)
	ctx := t.Context()
	if err := c.TestConnection(ctx, "userName"); err != nil {
		t.Fatalf("TestConnection: %v", err)
	}
	var ce *client.ConnectionError
	if err := newClient(t, base, client.WithStaticToken("wrong")).TestConnection(ctx, "userName"); !errors.As(err, &ce) || ce.Reason != client.ReasonCredentials {
		t.Errorf("TestConnection with a wrong token = %v, want reason credentials", err)
	}

	// A userName that would break a naively built filter.
	userName := `o"brien\x@example.com`
	created, err := c.Create(ctx, "Users", userDoc(userName))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	id, _ := created["id"].(string)
	if id == "" {
		t.Fatalf("Create = %v, want an id", created)
	}
	if _, err := c.Create(ctx, "Users", userDoc(userName)); !client.IsConflict(err) {
		t.Errorf("second Create error = %v, want 409", err)
	}
	if got := findOne(t, c, "Users", "userName", userName); got["id"] != id {
		t.Errorf("query by userName found %v, want id %s", got["id"], id)
	}
	lr, err := c.List(ctx, "Users", client.Query{Filter: client.Eq("userName", `o"brien`)})
	if err != nil || lr.TotalResults != 0 {
		t.Errorf("List for a prefix of the userName = %v, %v; want 0 results", lr, err)
	}

	// Entra's update shapes: capitalised ops, a string boolean, a filtered path.
	ops := []scim.PatchOperation{
		{Op: "Replace", Path: "displayName", Value: raw("Babs")},
		{Op: "Replace", Path: "active", Value: raw("False")},
		{Op: "Replace", Path: `emails[type eq "work"].value`, Value: raw("babs@example.com")},
	}
	if _, err := c.Patch(ctx, "Users", id, ops); err != nil {
		t.Fatalf("Patch: %v", err)
	}
	got, err := c.Get(ctx, "Users", id)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	email := got["emails"].([]any)[0].(map[string]any)["value"]
	if got["displayName"] != "Babs" || got["active"] != false || email != "babs@example.com" {
		t.Errorf("after Patch: displayName %v, active %v, email %v; want Babs, false, babs@example.com", got["displayName"], got["active"], email)
	}
	partial, err := c.Get(ctx, "Users", id, "userName")
	if err != nil || partial["displayName"] != nil || partial["userName"] != userName {
		t.Errorf("Get with attributes=userName = %v, %v", partial, err)
	}

	doc := userDoc(userName)
	doc["displayName"] = "Replaced"
	if res, err := c.Replace(ctx, "Users", id, doc); err != nil || res["displayName"] != "Replaced" {
		t.Errorf("Replace = %v, %v", res, err)
	}
	if err := c.Delete(ctx, "Users", id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := c.Get(ctx, "Users", id); !client.IsNotFound(err) {
		t.Errorf("Get after Delete error = %v, want 404", err)
	}
	if err := c.Delete(ctx, "Users", id); !client.IsNotFound(err) {
		t.Errorf("second Delete error = %v, want 404", err)
	}
}

func memberIDs(t *testing.T, c *client.Client, id string) []string {
	t.Helper()
	g, err := c.Get(t.Context(), "Groups", id)
	if err != nil {
		t.Fatalf("Get group: %v", err)
	}
	var ids []string
	members, _ := g["members"].([]any)
	for _, m := range members {
		ids = append(ids, m.(map[string]any)["value"].(string))
	}
	slices.Sort(ids)
	return ids
}

func TestRoundTripGroupMembership(t *testing.T) {
	base := newTenant(t)
	plain := newClient(t, base)
	ctx := t.Context()
	var users []string
	for i := range 5 {
		u, err := plain.Create(ctx, "Users", userDoc(fmt.Sprintf("member%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u["id"].(string))
	}
	tests := []struct {
		name string
		c    *client.Client
	}{
		{"patch", plain},
		{"members chunked by two", newClient(t, base, client.WithQuirks(client.Quirks{MaxMembersPerPatch: 2}))},
		{"patch emulated with put", newClient(t, base, client.WithQuirks(client.Quirks{PatchNotSupported: true}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := tt.c.Create(ctx, "Groups", scim.Resource{"schemas": []any{scim.GroupSchema}, "displayName": "Sales " + tt.name})
			if err != nil {
				t.Fatalf("Create group: %v", err)
			}
			gid := g["id"].(string)
			if got := findOne(t, tt.c, "Groups", "displayName", "Sales "+tt.name); got["id"] != gid {
				t.Errorf("query by displayName found %v, want %s", got["id"], gid)
			}
			var add []map[string]any
			for _, u := range users {
				add = append(add, map[string]any{"value": u, "$ref": nil})
			}
			if _, err := tt.c.Patch(ctx, "Groups", gid, []scim.PatchOperation{{Op: "Add", Path: "members", Value: raw(add)}}); err != nil {
				t.Fatalf("Patch add members: %v", err)
			}
			want := slices.Sorted(slices.Values(users))
			if got := memberIDs(t, tt.c, gid); !slices.Equal(got, want) {
				t.Errorf("members after add = %v, want %v", got, want)
			}
			remove := []scim.PatchOperation{
				{Op: "Remove", Path: "members", Value: raw([]map[string]any{{"value": users[0]}, {"value": users[1]}})},
				{Op: "remove", Path: fmt.Sprintf(`members[value eq %q]`, users[2])},
			}
			if _, err := tt.c.Patch(ctx, "Groups", gid, remove); err != nil {
				t.Fatalf("Patch remove members: %v", err)
			}
			want = slices.Sorted(slices.Values(users[3:]))
			if got := memberIDs(t, tt.c, gid); !slices.Equal(got, want) {
				t.Errorf("members after remove = %v, want %v", got, want)
			}
		})
	}
}

func TestRoundTripPagingAndDiscovery(t *testing.T) {
	base := newTenant(t)
	c := newClient(t, base, client.WithMaxConcurrency(4))
	ctx := t.Context()
	const n = 250
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if _, err := c.Create(ctx, "Users", userDoc(fmt.Sprintf("user%03d@example.com", i))); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Create: %v", err)
	}
	seen := map[string]bool{}
	for res, err := range c.All(ctx, "Users", client.Query{Count: 40, Attributes: []string{"userName"}}) {
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		if seen[res["userName"].(string)] {
			t.Errorf("All yielded %v twice", res["userName"])
		}
		seen[res["userName"].(string)] = true
	}
	if len(seen) != n {
		t.Errorf("All yielded %d users, want %d", len(seen), n)
	}

	cfg, err := c.ServiceProviderConfig(ctx)
	if err != nil || !cfg.Patch.Supported || !cfg.Filter.Supported {
		t.Errorf("ServiceProviderConfig = %+v, %v; want patch and filter supported", cfg, err)
	}
	schemas, err := c.Schemas(ctx)
	if err != nil || !slices.ContainsFunc(schemas, func(s *scim.Schema) bool { return s.ID == scim.UserSchema }) {
		t.Errorf("Schemas = %v, %v; want the User schema", schemas, err)
	}
	rts, err := c.ResourceTypes(ctx)
	if err != nil || !slices.ContainsFunc(rts, func(rt *scim.ResourceType) bool { return rt.Endpoint == "/Groups" }) {
		t.Errorf("ResourceTypes = %v, %v; want Groups", rts, err)
	}
}

func TestRoundTripBulk(t *testing.T) {
	c := newClient(t, newTenant(t))
	ctx := context.Background()
	req := scim.BulkRequest{Operations: []scim.BulkOperation{
		{Method: "POST", BulkID: "u1", Path: "/Users", Data: raw(userDoc("bulk1"))},
		{Method: "POST", BulkID: "g1", Path: "/Groups", Data: raw(scim.Resource{"schemas": []any{scim.GroupSchema}, "displayName": "B", "members": []any{map[string]any{"value": "bulkId:u1"}}})},
	}}
	resp, err := c.Bulk(ctx, req)
	if err != nil {
		t.Fatalf("Bulk: %v", err)
	}
	if len(resp.Operations) != 2 || resp.Operations[0].Status != "201" || resp.Operations[1].Status != "201" {
		t.Fatalf("Bulk operations = %+v, want two 201s", resp.Operations)
	}
	u := findOne(t, c, "Users", "userName", "bulk1")
	g := findOne(t, c, "Groups", "displayName", "B")
	if got := memberIDs(t, c, g["id"].(string)); !slices.Equal(got, []string{u["id"].(string)}) {
		t.Errorf("bulk group members = %v, want [%v]", got, u["id"])
	}
}
