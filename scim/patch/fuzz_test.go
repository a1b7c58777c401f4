package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

// FuzzApply applies arbitrary operations (the JSON "Operations" array of a
// PATCH request) to a realistic user or group. Apply must never panic, must
// leave its input untouched, must fail only with a 400 *scim.Error and no
// result, and must return a resource that validates against the schema.
// For groups, ExtractMembers must obey the same rules. The seed corpus is
// in testdata/fuzz/FuzzApply.
func FuzzApply(f *testing.F) {
	f.Add([]byte(`[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"name.familyName","value":"x"}]`), false, false)
	user, group := decodeResource(f, baseUser), decodeResource(f, baseGroup)
	userRT, groupRT := resourceType(f, "User"), resourceType(f, "Group")
	f.Fuzz(func(t *testing.T, data []byte, upsert, isGroup bool) {
		var ops []scim.PatchOperation
		if json.Unmarshal(data, &ops) != nil {
			return
		}
		doc, rt := user, userRT
		if isGroup {
			doc, rt = group, groupRT
		}
		before := mustJSON(t, doc)
		opts := Options{ValuePathUpsert: upsert}
		got, err := Apply(doc, rt, ops, opts)
		if after := mustJSON(t, doc); after != before {
			t.Fatalf("Apply modified its input:\nbefore %s\nafter  %s", before, after)
		}
		if err != nil {
			checkClientError(t, "Apply", err)
			if got != nil {
				t.Fatalf("Apply returned a resource with error %v", err)
			}
		} else if _, err := rt.Normalize(got, scim.NormalizeOptions{KeepReadOnly: true}); err != nil {
			t.Fatalf("Apply result does not validate: %v\n%s", err, mustJSON(t, got))
		}
		if isGroup {
			if _, _, err := ExtractMembers(rt, ops, opts); err != nil {
				checkClientError(t, "ExtractMembers", err)
			}
		}
	})
}

// FuzzApplyOp fuzzes one operation field by field, which reaches path and
// value handling faster than mutating whole JSON documents. It checks the
// same properties as FuzzApply.
func FuzzApplyOp(f *testing.F) {
	f.Add("Replace", `emails[type eq "work"].value`, []byte(`"x@example.com"`), true, false)
	f.Add("add", "", []byte(`{"name.givenName":"G","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m"}`), false, false)
	f.Add("remove", `members[value eq "902c246b-6245-4190-8e05-00816be7344a"]`, []byte(nil), false, true)
	f.Add("Remove", "members", []byte(`[{"$ref":null,"value":"2819c223-7f76-453a-919d-413861904646"}]`), false, true)
	f.Add("add", `roles[primary eq "True"].value`, []byte(`"Admin"`), true, false)
	f.Add("replace", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", []byte(`[{"value":"m","$ref":null}]`), false, false)
	user, group := decodeResource(f, baseUser), decodeResource(f, baseGroup)
	userRT, groupRT := resourceType(f, "User"), resourceType(f, "Group")
	f.Fuzz(func(t *testing.T, op, path string, value []byte, upsert, isGroup bool) {
		if len(value) > 0 && !json.Valid(value) {
			return
		}
		ops := []scim.PatchOperation{{Op: op, Path: path, Value: value}}
		doc, rt := user, userRT
		if isGroup {
			doc, rt = group, groupRT
		}
		before := mustJSON(t, doc)
		opts := Options{ValuePathUpsert: upsert}
		got, err := Apply(doc, rt, ops, opts)
		if after := mustJSON(t, doc); after != before {
			t.Fatalf("Apply modified its input:\nbefore %s\nafter  %s", before, after)
		}
		if err != nil {
			checkClientError(t, "Apply", err)
		} else if _, err := rt.Normalize(got, scim.NormalizeOptions{KeepReadOnly: true}); err != nil {
			t.Fatalf("Apply result does not validate: %v\n%s", err, mustJSON(t, got))
		}
		if _, _, err := ExtractMembers(rt, ops, opts); err != nil {
			checkClientError(t, "ExtractMembers", err)
		}
	})
}

func checkClientError(t *testing.T, fn string, err error) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) || se.Status != 400 || se.ScimType == "" || se.Detail == "" {
		t.Fatalf("%s error = %#v, want a 400 *scim.Error with scimType and detail", fn, err)
	}
}

// FuzzIndex applies arbitrary operations to a user with several e-mails
// twice, finding elements through the index and by scanning every value:
// the results (or errors) must be the same. The seed corpus is in
// testdata/fuzz/FuzzIndex.
func FuzzIndex(f *testing.F) {
	f.Add([]byte(`[{"op":"add","path":"emails","value":[{"value":"A@x.org","type":"work"},{"value":"c@x.org"}]},{"op":"replace","path":"emails[value eq \"c@x.org\"].value","value":"a@x.org"},{"op":"remove","path":"emails[value eq \"A@X.org\"]"}]`), true)
	f.Add([]byte(`[{"op":"replace","path":"emails[type eq \"work\"].type","value":"home"},{"op":"add","path":"emails[type eq \"home\"].display","value":"H"},{"op":"remove","path":"emails","value":[{"value":"b@x.org"}]},{"op":"add","path":"emails","value":{"value":"b@x.org"}}]`), false)
	f.Add([]byte(`[{"op":"replace","path":"emails[type eq \"other\" and value eq \"n@x.org\"].display","value":"N"},{"op":"remove","path":"emails[display eq \"N\"].display"},{"op":"replace","path":"emails","value":[{"value":"z@x.org"}]},{"op":"add","path":"emails","value":[{"value":"Z@x.org","primary":true}]}]`), true)
	rt := resourceType(f, "User")
	user := decodeResource(f, `{"id":"u","userName":"u","emails":[{"value":"a@x.org","type":"work","primary":true},{"value":"b@x.org","type":"home"},{"value":"B@x.org","type":"other"},{"value":"c@x.org"}]}`)
	f.Fuzz(func(t *testing.T, data []byte, upsert bool) {
		var ops []scim.PatchOperation
		if json.Unmarshal(data, &ops) != nil {
			return
		}
		opts := Options{ValuePathUpsert: upsert}
		indexed, errIndexed := Apply(user, rt, ops, opts)
		scanOnly = true
		scanned, errScanned := Apply(user, rt, ops, opts)
		scanOnly = false
		if fmt.Sprint(errIndexed) != fmt.Sprint(errScanned) || mustJSON(t, indexed) != mustJSON(t, scanned) {
			t.Fatalf("Apply with index = %s, %v; by scanning = %s, %v", mustJSON(t, indexed), errIndexed, mustJSON(t, scanned), errScanned)
		}
	})
}
