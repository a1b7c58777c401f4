package scim

import (
	"encoding/json"
	"testing"
)

// FuzzNormalize checks that no body panics Normalize, Replace or Project,
// and that normalizing is idempotent.
func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		entraCreate,
		storedBob,
		`{"userName":"a","active":"False","emails":{"value":"x","primary":"true"}}`,
		`{"userName":"a","name.givenName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value":"m"}`,
		`{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m","manager.value":"n"}}`,
		`{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"level":1e300,"hired":"2008-01-23T04:56:22Z","tags":[["x"]]}}`,
		`{"userName":"a","emails":[[{"value":"x"}]],"name":[[]],"groups":[{"value":1}]}`,
	} {
		f.Add(seed)
	}
	rt := resourceType(f, testRegistry(f), "User")
	paths, err := rt.ParseAttributeList("userName,emails.value,name,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in map[string]any
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		for _, opts := range []NormalizeOptions{{}, {RejectUnknown: true}, {KeepReadOnly: true}, {KeepUnknown: true}} {
			out, err := rt.Normalize(in, opts)
			rt.Project(in, paths, paths)
			_, _ = rt.Replace(in, in, opts)
			if err != nil {
				continue
			}
			rt.Project(out, paths, nil)
			rt.Project(out, nil, paths)
			again, err := rt.Normalize(out, opts)
			if err != nil {
				t.Fatalf("Normalize(Normalize(%s)) error = %v", body, err)
			}
			a, _ := json.Marshal(out)
			b, _ := json.Marshal(again)
			if string(a) != string(b) {
				t.Fatalf("Normalize is not idempotent on %s:\n%s\n%s", body, a, b)
			}
		}
	})
}

// FuzzParseAttributeList checks that no parameter value panics the parser.
func FuzzParseAttributeList(f *testing.F) {
	for _, seed := range []string{"userName", `emails[type eq "work"].value,name`, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "[", `a["]`, ",,"} {
		f.Add(seed)
	}
	rt := resourceType(f, NewStandardRegistry(), "User")
	f.Fuzz(func(t *testing.T, s string) {
		paths, err := rt.ParseAttributeList(s)
		if err != nil {
			return
		}
		for _, p := range paths {
			if p.URI == "" {
				t.Fatalf("ParseAttributeList(%q) returned a path without URI: %+v", s, p)
			}
		}
	})
}

// FuzzDefaultViewUnchanged checks the promise servers rely on to send a
// stored document without decoding it: whenever DefaultViewUnchanged says
// yes for a canonical document's JSON, the default projection returns
// that document exactly (nothing returned "never" or "request" in it).
func FuzzDefaultViewUnchanged(f *testing.F) {
	for _, seed := range []string{
		entraCreate,
		storedBob,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","password":"p"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","displayName":"\"password\""}`,
		`{"userName":"a","emails":[{"value":"x","type":"work"}]}`,
		`{"userName":"a","urn:example:scim:schemas:extension:custom:2.0:User":{"level":1,"tags":["x"]}}`,
	} {
		f.Add(seed)
	}
	reg := testRegistry(f)
	f.Fuzz(func(t *testing.T, body string) {
		var in map[string]any
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		for _, name := range []string{"User", "Group"} {
			rt := resourceType(t, reg, name)
			doc, err := rt.Normalize(in, NormalizeOptions{KeepUnknown: true})
			if err != nil {
				continue
			}
			raw, _ := json.Marshal(doc)
			if !rt.DefaultViewUnchanged(raw) {
				continue
			}
			projected, _ := json.Marshal(rt.Project(doc, nil, nil))
			if string(projected) != string(raw) {
				t.Fatalf("%s: DefaultViewUnchanged(%s) = true, but the default view is %s", name, raw, projected)
			}
		}
	})
}
