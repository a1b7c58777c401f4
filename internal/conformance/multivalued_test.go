package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/testdb"
)

// TestMultiValuedRules pins, through the real service on SQLite and
// PostgreSQL, what a client sees of the rules for multi-valued attributes
// and PATCH:
//   - RFC 7643 §2.4: values with the same "type" and "value" are merged
//     into one, alike on POST, PUT and PATCH (Entra and Okta sometimes send
//     a work e-mail twice; merging is kinder than refusing);
//   - RFC 7644 §3.5.2.1: an add of a value that is already there changes
//     nothing, not even meta.version or meta.lastModified;
//   - the limits advertised in /ServiceProviderConfig: more PATCH
//     operations than patch.maxOperations is 413 before any work, more
//     values than patch.maxValues is 400 invalidValue.
func TestMultiValuedRules(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			svc := startService(t, db.DSN(t))
			for _, policy := range []string{"default", "rfc"} {
				t.Run(policy, func(t *testing.T) {
					ten := svc.createTenant(t, "mv-"+policy, policy)
					t.Run("duplicates", func(t *testing.T) { testDuplicates(t, ten) })
					t.Run("unchanged add", func(t *testing.T) { testUnchangedAdd(t, ten) })
					t.Run("limits", func(t *testing.T) { testLimits(t, ten) })
				})
			}
		})
	}
}

// scimUser is what these tests read back of a user.
type scimUser struct {
	ID     string `json:"id"`
	Emails []struct {
		Value   string `json:"value"`
		Type    string `json:"type"`
		Primary bool   `json:"primary"`
		Display string `json:"display"`
	} `json:"emails"`
	Meta struct {
		LastModified string `json:"lastModified"`
		Version      string `json:"version"`
	} `json:"meta"`
}

// mustUser checks the status of a response and decodes the user in it.
func mustUser(t *testing.T, what string, r *Response, status int) scimUser {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s = %d %s, want %d", what, r.Status, r.Body, status)
	}
	var u scimUser
	if err := json.Unmarshal(r.Body, &u); err != nil {
		t.Fatalf("%s: decode %s: %v", what, r.Body, err)
	}
	return u
}

// emails renders a user's e-mails for comparison.
func emails(u scimUser) string {
	var parts []string
	for _, e := range u.Emails {
		parts = append(parts, fmt.Sprintf("%s/%s/%v/%s", e.Value, e.Type, e.Primary, e.Display))
	}
	return strings.Join(parts, " ")
}

// get reads a user, as the response to a PATCH may be 204.
func (ten *testTenant) getUser(t *testing.T, id string) scimUser {
	t.Helper()
	return mustUser(t, "GET /Users/"+id, ten.do(t, http.MethodGet, "/Users/"+id, ""), http.StatusOK)
}

func testDuplicates(t *testing.T, ten *testTenant) {
	const twice = `"emails":[{"value":"dup@example.com","type":"work"},{"value":"DUP@example.com","type":"Work","primary":true,"display":"D"},{"value":"dup@example.com","type":"home"}]`
	const want = "dup@example.com/work/true/D dup@example.com/home/false/"
	created := mustUser(t, "POST /Users with a work e-mail twice", ten.do(t, http.MethodPost, "/Users", `{"userName":"dup-`+randomHex(4)+`",`+twice+`}`), http.StatusCreated)
	if got := emails(created); got != want {
		t.Errorf("POST emails = %s, want %s", got, want)
	}
	put := mustUser(t, "PUT with a work e-mail twice", ten.do(t, http.MethodPut, "/Users/"+created.ID, `{"userName":"dup-`+randomHex(4)+`",`+twice+`}`), http.StatusOK)
	if got := emails(put); got != want {
		t.Errorf("PUT emails = %s, want %s", got, want)
	}
	r := ten.do(t, http.MethodPatch, "/Users/"+created.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
		`{"op":"add","path":"emails","value":[{"value":"new@example.com","type":"work"},{"value":"NEW@example.com","type":"work","display":"N"}]}]}`)
	if r.Status != http.StatusOK && r.Status != http.StatusNoContent {
		t.Fatalf("PATCH adding a work e-mail twice = %d %s, want 200 or 204", r.Status, r.Body)
	}
	if got, want := emails(ten.getUser(t, created.ID)), want+" new@example.com/work/false/N"; got != want {
		t.Errorf("PATCH emails = %s, want %s", got, want)
	}
}

func testUnchangedAdd(t *testing.T, ten *testTenant) {
	u := mustUser(t, "POST /Users", ten.do(t, http.MethodPost, "/Users",
		`{"userName":"same-`+randomHex(4)+`","title":"Guide","emails":[{"value":"same@example.com","type":"work","primary":true}]}`), http.StatusCreated)
	time.Sleep(2 * time.Millisecond) // a write would get a later lastModified
	for _, op := range []string{
		`{"op":"add","path":"emails","value":[{"value":"SAME@example.com","type":"work"}]}`,
		`{"op":"add","path":"title","value":"Guide"}`,
		`{"op":"add","value":{"title":"Guide","emails":[{"value":"same@example.com"}]}}`,
	} {
		r := ten.do(t, http.MethodPatch, "/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+op+`]}`)
		if r.Status != http.StatusOK && r.Status != http.StatusNoContent {
			t.Fatalf("PATCH %s = %d %s, want 200 or 204", op, r.Status, r.Body)
		}
		if etag := r.Header.Get("ETag"); etag != u.Meta.Version {
			t.Errorf("PATCH %s ETag = %s, want %s (unchanged)", op, etag, u.Meta.Version)
		}
		got := ten.getUser(t, u.ID)
		if got.Meta != u.Meta || emails(got) != emails(u) {
			t.Errorf("after PATCH %s: meta %+v, emails %s; want meta %+v, emails %s", op, got.Meta, emails(got), u.Meta, emails(u))
		}
	}
	g := mustUser(t, "POST /Groups", ten.do(t, http.MethodPost, "/Groups", `{"displayName":"same-`+randomHex(4)+`","members":[{"value":"`+u.ID+`"}]}`), http.StatusCreated)
	r := ten.do(t, http.MethodPatch, "/Groups/"+g.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+u.ID+`"}]}]}`)
	if r.Status >= 300 || r.Header.Get("ETag") != g.Meta.Version {
		t.Errorf("PATCH adding a member the group has = %d %s, ETag %s, want ETag %s (unchanged)", r.Status, r.Body, r.Header.Get("ETag"), g.Meta.Version)
	}
}

func testLimits(t *testing.T, ten *testTenant) {
	var spc struct {
		Patch struct {
			MaxOperations int `json:"maxOperations"`
			MaxValues     int `json:"maxValues"`
		} `json:"patch"`
	}
	r := ten.do(t, http.MethodGet, "/ServiceProviderConfig", "")
	if err := json.Unmarshal(r.Body, &spc); err != nil || spc.Patch.MaxOperations != 1000 || spc.Patch.MaxValues != 1000 {
		t.Errorf("GET /ServiceProviderConfig = %d %s (%v), want patch.maxOperations and patch.maxValues 1000", r.Status, r.Body, err)
	}
	u := mustUser(t, "POST /Users", ten.do(t, http.MethodPost, "/Users", `{"userName":"lim-`+randomHex(4)+`"}`), http.StatusCreated)

	// 5,000 adds of new e-mails: hundreds of milliseconds to seconds of
	// work if it were done, refused before it starts.
	ops := make([]string, 5000)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{"op":"add","path":"emails","value":[{"value":"e%d@example.com"}]}`, i)
	}
	start := time.Now()
	r = ten.do(t, http.MethodPatch, "/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+strings.Join(ops, ",")+`]}`)
	if elapsed := time.Since(start); r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(string(r.Body), "maxOperations") || elapsed > 5*time.Second {
		t.Errorf("PATCH with 5,000 operations = %d %s after %v, want 413 naming patch.maxOperations at once", r.Status, r.Body, elapsed)
	}

	values := make([]string, 1001)
	for i := range values {
		values[i] = fmt.Sprintf(`{"value":"v%d@example.com"}`, i)
	}
	list := "[" + strings.Join(values, ",") + "]"
	for _, tc := range []struct{ name, method, path, body string }{
		{"POST", http.MethodPost, "/Users", `{"userName":"many-` + randomHex(4) + `","emails":` + list + `}`},
		{"PUT", http.MethodPut, "/Users/" + u.ID, `{"userName":"lim-put","emails":` + list + `}`},
		{"PATCH", http.MethodPatch, "/Users/" + u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":` + list + `}]}`},
	} {
		r := ten.do(t, tc.method, tc.path, tc.body)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "invalidValue") || !strings.Contains(string(r.Body), "maxValues") {
			t.Errorf("%s with 1,001 e-mails = %d %s, want 400 invalidValue naming patch.maxValues", tc.name, r.Status, r.Body)
		}
	}
}
