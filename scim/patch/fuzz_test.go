package patch

import (
	"encoding/json"
	"errors"
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
