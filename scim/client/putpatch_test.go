package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

const acme = "urn:example:acme:2.0:User"

// acmeRegistry is the standard registry plus an "acme" User extension.
func acmeRegistry(t *testing.T) *scim.Registry {
	t.Helper()
	r := scim.NewStandardRegistry()
	if err := r.AddSchema(&scim.Schema{ID: acme, Name: "Acme", Attributes: []*scim.Attribute{{Name: "badge", Type: scim.TypeInteger}}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddExtension("User", acme, false); err != nil {
		t.Fatal(err)
	}
	return r
}

// With Quirks.PatchNotSupported, Patch is a GET, a local patch.Apply and a
// PUT of the result; what the client's registry does not know survives.
func TestQuirkPatchNotSupported(t *testing.T) {
	const group = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"G",
		"members":[{"value":"u1"},{"value":"u2"},{"value":"u3"}]}`
	const customUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + acme + `"],"id":"u1","userName":"a",
		"favouriteColour":"blue","emails":[{"type":"work","value":"a@x","label":"desk"}],"` + acme + `":{"badge":7,"floor":"3"}}`
	tests := []struct {
		name     string
		endpoint string
		current  string // the target's resource, answered to the GET
		ops      string
		opts     []Option
		want     string // PUT body
	}{
		{name: "replace, filtered sub-attribute, ActiveAsString", endpoint: "Users",
			current: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"a","active":true,"emails":[{"type":"work","value":"a@x"}]}`,
			ops:     `[{"op":"Replace","path":"active","value":false},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"b@x"}]`,
			opts:    []Option{WithQuirks(Quirks{PatchNotSupported: true, ActiveAsString: true})},
			want:    `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"a","active":"False","emails":[{"type":"work","value":"b@x"}]}`},
		{name: "value path upsert creates the element", endpoint: "/Users",
			current: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"a"}`,
			ops:     `[{"op":"add","path":"emails[type eq \"work\"].value","value":"w@x"}]`,
			want:    `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"a","emails":[{"type":"work","value":"w@x"}]}`},
		{name: "members: add skips duplicates, remove by list and by filter", endpoint: "Groups", current: group,
			ops: `[{"op":"Add","path":"members","value":[{"value":"u3"},{"value":"u4"}]},
				{"op":"Remove","path":"members","value":[{"value":"u1"}]},{"op":"remove","path":"members[value eq \"u2\"]"}]`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"G","members":[{"value":"u3"},{"value":"u4"}]}`},
		{name: "unknown attributes and extension survive", endpoint: "Users", current: customUser,
			ops: `[{"op":"replace","value":{"displayName":"A","emails":[{"type":"work","value":"a@x","label":"desk"}]}}]`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + acme + `"],"id":"u1","userName":"a","displayName":"A",
				"favouriteColour":"blue","emails":[{"type":"work","value":"a@x","label":"desk"}],"` + acme + `":{"badge":7,"floor":"3"}}`},
		{name: "a registered extension is patched, its unknown attributes survive", endpoint: "Users", current: customUser,
			ops:  `[{"op":"replace","path":"` + acme + `:badge","value":8}]`,
			opts: []Option{WithRegistry(acmeRegistry(t))},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + acme + `"],"id":"u1","userName":"a",
				"favouriteColour":"blue","emails":[{"type":"work","value":"a@x","label":"desk"}],"` + acme + `":{"badge":8,"floor":"3"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, step{status: 200, body: tt.current}, step{status: 200, body: tt.current})
			opts := append([]Option{WithQuirks(Quirks{PatchNotSupported: true})}, tt.opts...)
			c, _ := newTestClient(t, fs.URL, opts...)
			var ops []scim.PatchOperation
			if err := json.Unmarshal([]byte(tt.ops), &ops); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Patch(t.Context(), tt.endpoint, "u1", ops); err != nil {
				t.Fatalf("Patch error: %v", err)
			}
			reqs := fs.requests()
			if len(reqs) != 2 || reqs[0].method != http.MethodGet || reqs[1].method != http.MethodPut {
				t.Fatalf("requests = %v, want GET then PUT", reqs)
			}
			var got, want map[string]any
			if err := json.Unmarshal([]byte(reqs[1].body), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("PUT body = %s, want %s", reqs[1].body, tt.want)
			}
		})
	}
}

// Operations the client cannot apply locally fail before the PUT, so the
// target's resource is left alone.
func TestQuirkPatchNotSupportedErrors(t *testing.T) {
	const user = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + acme + `"],"id":"u1","userName":"a","` + acme + `":{"badge":7}}`
	tests := []struct {
		name     string
		endpoint string
		ops      string
		wantReqs int
		want     string // in the error
	}{
		{"attribute of an unregistered extension", "Users", `[{"op":"replace","path":"` + acme + `:badge","value":8}]`, 1, "invalidPath"},
		{"unknown attribute in a path-less value", "Users", `[{"op":"replace","value":{"favouriteColour":"red"}}]`, 1, "favouriteColour"},
		{"invalid value", "Users", `[{"op":"replace","path":"active","value":"maybe"}]`, 1, "active"},
		{"endpoint unknown to the registry", "Devices", `[{"op":"replace","path":"serial","value":"x"}]`, 0, `endpoint "Devices"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, step{status: 200, body: user})
			c, _ := newTestClient(t, fs.URL, WithQuirks(Quirks{PatchNotSupported: true}))
			var ops []scim.PatchOperation
			if err := json.Unmarshal([]byte(tt.ops), &ops); err != nil {
				t.Fatal(err)
			}
			_, err := c.Patch(t.Context(), tt.endpoint, "u1", ops)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Patch error = %v, want one mentioning %q", err, tt.want)
			}
			var se *scim.Error
			if tt.wantReqs > 0 && (!errors.As(err, &se) || se.Status != http.StatusBadRequest) {
				t.Errorf("Patch error = %v, want a 400 *scim.Error from the local apply", err)
			}
			if got := len(fs.requests()); got != tt.wantReqs {
				t.Errorf("requests = %d, want %d (no PUT)", got, tt.wantReqs)
			}
		})
	}
}
