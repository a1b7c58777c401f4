package server

import (
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

func TestReplace(t *testing.T) {
	f := newFixture(t)
	id := f.create("/Users", `{"userName":"ivan","displayName":"Ivan","title":"CTO","active":true}`)
	w := f.do("PUT", "/Users/"+id, `{"id":"`+id+`","meta":{"created":"1999-01-01T00:00:00Z"},"userName":"ivan2","active":"False","adreses":[{"country":"Germany"}]}`)
	if w.Code != 200 {
		t.Fatalf("PUT = %d %s", w.Code, w.Body)
	}
	m := decode(t, w)
	if m["userName"] != "ivan2" || m["active"] != false || m["id"] != id {
		t.Errorf("PUT result = %v, want userName ivan2, active false, same id", m)
	}
	if _, ok := m["title"]; ok {
		t.Errorf("PUT kept omitted attribute title: %v", m)
	}
	if c, _ := at(m, "/meta/created"); c == "1999-01-01T00:00:00Z" {
		t.Errorf("PUT changed read-only meta.created")
	}
	if w.Header().Get("ETag") == "" {
		t.Errorf("PUT response without ETag")
	}
	t.Run("missing required attribute", func(t *testing.T) {
		wantError(t, f.do("PUT", "/Users/"+id, `{"userame":"OMalley"}`), 400, scim.ScimTypeInvalidValue)
	})
	t.Run("unknown id", func(t *testing.T) {
		wantError(t, f.do("PUT", "/Users/nope", `{"userName":"x"}`), 404, "")
	})
	t.Run("malformed", func(t *testing.T) {
		wantError(t, f.do("PUT", "/Users/"+id, `{`), 400, scim.ScimTypeInvalidSyntax)
	})
	t.Run("unknown attribute rejected under PolicyRFC", func(t *testing.T) {
		g := newFixture(t, func(c *Config) { p := PolicyRFC; c.Policy = &p })
		uid := g.create("/Users", `{"userName":"x"}`)
		wantError(t, g.do("PUT", "/Users/"+uid, `{"userName":"x","adreses":[]}`), 400, scim.ScimTypeInvalidSyntax)
	})
}

func TestReplaceGroupMembers(t *testing.T) {
	f := newFixture(t)
	u1, u2, u3 := f.user("m1"), f.user("m2"), f.user("m3")
	g := f.group("team", u1, u2)
	w := f.do("PUT", "/Groups/"+g, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"`+g+`","displayName":"putName","members":[{"value":"`+u2+`","display":"VP"},{"value":"`+u3+`"}]}`)
	if w.Code != 200 {
		t.Fatalf("PUT group = %d %s", w.Code, w.Body)
	}
	got := memberIDs(decode(t, w))
	if want := u2 + " " + u3; got != want {
		t.Errorf("members after PUT = %q, want %q", got, want)
	}
	c := f.spy.updates[len(f.spy.updates)-1]
	if c.Members == nil || !c.Members.Reset || len(c.Members.Add) != 2 {
		t.Errorf("PUT change.Members = %+v, want Reset with 2 adds", c.Members)
	}
	// PUT without members empties the group (RFC 7644 §3.5.1).
	w = f.do("PUT", "/Groups/"+g, `{"displayName":"Tiffany Ortiz"}`)
	if w.Code != 200 || memberIDs(decode(t, w)) != "" {
		t.Errorf("PUT without members = %d %s, want 200 and no members", w.Code, w.Body)
	}
}

func memberIDs(m map[string]any) string {
	var ids []string
	list, _ := m["members"].([]any)
	for _, x := range list {
		ids = append(ids, x.(map[string]any)["value"].(string))
	}
	return strings.Join(ids, " ")
}

func TestPatchResponsePolicy(t *testing.T) {
	tests := []struct {
		name       string
		policy     Policy
		endpoint   string
		wantStatus int
	}{
		{"default user", DefaultPolicy, "/Users", 200},
		{"default group", DefaultPolicy, "/Groups", 204},
		{"rfc user", PolicyRFC, "/Users", 200},
		{"rfc group", PolicyRFC, "/Groups", 200},
		{"entra user (Postman collection)", PolicyEntra, "/Users", 204},
		{"entra group", PolicyEntra, "/Groups", 204},
		{"okta user", PolicyOkta, "/Users", 200},
		{"okta group", PolicyOkta, "/Groups", 204},
		{"empty means auto", Policy{}, "/Users", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { p := tc.policy; c.Policy = &p })
			var id, body string
			if tc.endpoint == "/Users" {
				id = f.user("pat")
				body = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Pat"}]}`
			} else {
				id = f.group("grp")
				body = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Pat"}]}`
			}
			w := f.do("PATCH", tc.endpoint+"/"+id, body)
			if w.Code != tc.wantStatus {
				t.Fatalf("PATCH = %d %s, want %d", w.Code, w.Body, tc.wantStatus)
			}
			if w.Header().Get("ETag") == "" {
				t.Errorf("PATCH response without ETag")
			}
			if tc.wantStatus == 204 && w.Body.Len() != 0 {
				t.Errorf("204 with body %s", w.Body)
			}
			if tc.wantStatus == 200 && decode(t, w)["displayName"] != "Pat" {
				t.Errorf("PATCH 200 body = %s, want displayName Pat", w.Body)
			}
		})
	}
}

func TestPatchGroupMembers(t *testing.T) {
	f := newFixture(t)
	u1, u2, u3 := f.user("a1"), f.user("a2"), f.user("a3")
	g := f.group("g")
	steps := []struct {
		name string
		ops  string
		want string
	}{
		{"add two", `[{"op":"Add","path":"members","value":[{"$ref":null,"value":"` + u1 + `"},{"value":"` + u2 + `"}]}]`, u1 + " " + u2},
		{"Entra remove by value array removes only those", `[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"` + u1 + `"}]}]`, u2},
		{"add a plain string (Postman)", `[{"op":"add","path":"members","value":"` + u3 + `"}]`, u2 + " " + u3},
		{"remove by filter", `[{"op":"remove","path":"members[value eq \"` + u3 + `\"]"}]`, u2},
		{"rename and add in one request", `[{"op":"replace","path":"displayName","value":"g2"},{"op":"add","path":"members","value":[{"value":"` + u1 + `"}]}]`, u2 + " " + u1},
		{"Okta replace members []", `[{"op":"replace","path":"members","value":[]}]`, ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			w := f.do("PATCH", "/Groups/"+g, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+st.ops+`}`)
			if w.Code != 204 {
				t.Fatalf("PATCH = %d %s, want 204", w.Code, w.Body)
			}
			if got := memberIDs(decode(t, f.do("GET", "/Groups/"+g, ""))); got != st.want {
				t.Errorf("members = %q, want %q", got, st.want)
			}
		})
	}
	if got := decode(t, f.do("GET", "/Groups/"+g, ""))["displayName"]; got != "g2" {
		t.Errorf("displayName = %v, want g2", got)
	}
}

func TestPatchErrors(t *testing.T) {
	f := newFixture(t)
	id := f.user("kim")
	f.user("taken")
	tests := []struct {
		name     string
		body     string
		status   int
		scimType string
	}{
		{"malformed JSON", `{"Operations":[`, 400, scim.ScimTypeInvalidSyntax},
		{"operations not an array", `{"Operations":"replace"}`, 400, scim.ScimTypeInvalidSyntax},
		{"no operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`, 400, scim.ScimTypeInvalidValue},
		{"unknown op", `{"Operations":[{"op":"frobnicate","path":"userName","value":"x"}]}`, 400, scim.ScimTypeInvalidSyntax},
		{"bad path", `{"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`, 400, scim.ScimTypeInvalidPath},
		{"wrong value type", `{"Operations":[{"op":"replace","path":"active","value":"perhaps"}]}`, 400, scim.ScimTypeInvalidValue},
		{"uniqueness", `{"Operations":[{"op":"replace","path":"userName","value":"TAKEN"}]}`, 409, scim.ScimTypeUniqueness},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, f.do("PATCH", "/Users/"+id, tc.body), tc.status, tc.scimType)
		})
	}
	t.Run("failed PATCH changes nothing", func(t *testing.T) {
		w := f.do("PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":"displayName","value":"changed"},{"op":"replace","path":"active","value":"perhaps"}]}`)
		wantError(t, w, 400, scim.ScimTypeInvalidValue)
		if got := decode(t, f.do("GET", "/Users/"+id, ""))["displayName"]; got != nil {
			t.Errorf("displayName after failed PATCH = %v, want unset", got)
		}
	})
	t.Run("unknown attribute path", func(t *testing.T) {
		body := `{"Operations":[{"op":"replace","path":"shoeSize","value":"44"}]}`
		if w := f.do("PATCH", "/Users/"+id, body); w.Code != 200 {
			t.Errorf("PATCH unknown path with default policy = %d %s, want 200 (ignored)", w.Code, w.Body)
		}
		g := newFixture(t, func(c *Config) { p := PolicyRFC; c.Policy = &p })
		uid := g.create("/Users", `{"userName":"x"}`)
		wantError(t, g.do("PATCH", "/Users/"+uid, body), 400, scim.ScimTypeInvalidPath)
	})
	t.Run("value path without match under PolicyRFC", func(t *testing.T) {
		g := newFixture(t, func(c *Config) { p := PolicyRFC; c.Policy = &p })
		uid := g.create("/Users", `{"userName":"x"}`)
		wantError(t, g.do("PATCH", "/Users/"+uid, `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@y"}]}`), 400, scim.ScimTypeNoTarget)
	})
}

func TestIfMatch(t *testing.T) {
	f := newFixture(t)
	id := f.user("lee")
	etag := f.do("GET", "/Users/"+id, "").Header().Get("ETag")
	patch := `{"Operations":[{"op":"replace","path":"displayName","value":"Lee"}]}`
	wantError(t, f.do("PATCH", "/Users/"+id, patch, `If-Match: W/"999"`), 412, "")
	wantError(t, f.do("PUT", "/Users/"+id, `{"userName":"lee"}`, `If-Match: W/"999"`), 412, "")
	wantError(t, f.do("DELETE", "/Users/"+id, "", `If-Match: W/"999"`), 412, "")
	w := f.do("PATCH", "/Users/"+id, patch, "If-Match: "+etag)
	if w.Code != 200 {
		t.Fatalf("PATCH with current If-Match = %d %s, want 200", w.Code, w.Body)
	}
	next := w.Header().Get("ETag")
	if next == etag {
		t.Errorf("ETag did not change after PATCH: %s", next)
	}
	wantError(t, f.do("PATCH", "/Users/"+id, patch, "If-Match: "+etag), 412, "")
	if w := f.do("DELETE", "/Users/"+id, "", "If-Match: "+next); w.Code != 204 {
		t.Errorf("DELETE with current If-Match = %d %s, want 204", w.Code, w.Body)
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t)
	u := f.user("max")
	g := f.group("grp", u)
	if w := f.do("DELETE", "/Users/"+u, ""); w.Code != 204 || w.Body.Len() != 0 {
		t.Fatalf("DELETE = %d %q, want 204 without body", w.Code, w.Body)
	}
	wantError(t, f.do("GET", "/Users/"+u, ""), 404, "")
	wantError(t, f.do("DELETE", "/Users/"+u, ""), 404, "")
	if got := memberIDs(decode(t, f.do("GET", "/Groups/"+g, ""))); got != "" {
		t.Errorf("deleted user still a member: %q", got)
	}
}

// TestPatchLimits: Config.PatchMaxOperations and Config.MaxValues are
// advertised and enforced on POST, PUT and PATCH; a group's members are
// exempt from MaxValues.
func TestPatchLimits(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.PatchMaxOperations, c.MaxValues = 3, 2 })
	spc := decode(t, f.do("GET", "/ServiceProviderConfig", ""))
	if ops, _ := at(spc, "/patch/maxOperations"); ops != 3.0 {
		t.Errorf("patch.maxOperations = %v, want 3", ops)
	}
	if values, _ := at(spc, "/patch/maxValues"); values != 2.0 {
		t.Errorf("patch.maxValues = %v, want 2", values)
	}
	id := f.create("/Users", `{"userName":"u","emails":[{"value":"a@x.org"},{"value":"A@X.org"}]}`)
	op := `{"op":"add","path":"title","value":"t"}`
	three := `{"Operations":[` + strings.Repeat(op+",", 2) + op + `]}`
	tests := []struct {
		name, method, path, body string
		status                   int
		scimType                 string
	}{
		{"PATCH at the operations limit", "PATCH", "/Users/" + id, three, 200, ""},
		{"PATCH over the operations limit", "PATCH", "/Users/" + id, `{"Operations":[` + strings.Repeat(op+",", 3) + op + `]}`, 413, ""},
		{"PATCH over the values limit", "PATCH", "/Users/" + id, `{"Operations":[{"op":"add","path":"emails","value":[{"value":"b@x.org"},{"value":"c@x.org"}]}]}`, 400, scim.ScimTypeInvalidValue},
		{"POST over the values limit (roles)", "POST", "/Users", `{"userName":"v","roles":[{"value":"a"},{"value":"b"},{"value":"c"}]}`, 400, scim.ScimTypeInvalidValue},
		{"PUT over the values limit", "PUT", "/Users/" + id, `{"userName":"u","phoneNumbers":[{"value":"1"},{"value":"2"},{"value":"3"}]}`, 400, scim.ScimTypeInvalidValue},
		{"POST at the values limit after merging duplicates", "POST", "/Users", `{"userName":"w","emails":[{"value":"a@x.org"},{"value":"b@x.org"},{"value":"B@x.org"}]}`, 201, ""},
		{"group members are exempt", "POST", "/Groups", `{"displayName":"g","members":[{"value":"` + id + `"},{"value":"` + f.user("m1") + `"},{"value":"` + f.user("m2") + `"}]}`, 201, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(tc.method, tc.path, tc.body)
			if tc.status >= 400 {
				wantError(t, w, tc.status, tc.scimType)
			} else if w.Code != tc.status {
				t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, w.Code, w.Body, tc.status)
			}
		})
	}
}
