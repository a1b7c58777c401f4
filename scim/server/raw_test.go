package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// rawBackend answers Raw list queries with JSON documents, as a store
// that keeps documents as JSON does, and records whether it did.
type rawBackend struct {
	backend.Backend
	answered int
}

func (b *rawBackend) List(ctx context.Context, rt *scim.ResourceType, q backend.Query) (backend.Page, error) {
	pg, err := b.Backend.List(ctx, rt, q)
	if err != nil || !q.Raw {
		return pg, err
	}
	b.answered++
	out := backend.Page{Total: pg.Total, Raw: []backend.RawResource{}}
	for _, res := range pg.Resources {
		doc := scim.Resource{}
		for k, v := range res {
			if k != "id" && k != "meta" && k != "members" {
				doc[k] = v
			}
		}
		attrs, err := json.Marshal(doc)
		if err != nil {
			return backend.Page{}, err
		}
		meta := res["meta"].(map[string]any)
		out.Raw = append(out.Raw, backend.RawResource{
			ID:           res["id"].(string),
			Attributes:   attrs,
			Created:      meta["created"].(string),
			LastModified: meta["lastModified"].(string),
			Version:      meta["version"].(string),
		})
	}
	return out, nil
}

// TestRawListsMatchDecodedLists checks that a list answered with stored
// JSON (spliced without decoding, or decoded where the default view would
// change the document) reads exactly like the same list answered with
// decoded resources, and that only lists whose projection returns the
// stored document as it is are asked for JSON.
func TestRawListsMatchDecodedLists(t *testing.T) {
	f := newFixture(t)
	raw := &rawBackend{Backend: f.spy}
	rh := New(Config{Registry: f.h.reg, Backend: raw, Logger: f.h.log})

	alice := f.user("alice")
	f.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pw","password":"Secret1!","displayName":"has a password"}`)
	f.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"ext \"quoted\" <&>","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7"}}`)
	f.create("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"mentions","displayName":"\"password\""}`)
	f.group("team", alice)

	tests := []struct {
		path    string
		rawAsks bool // the handler asks the backend for JSON
	}{
		{"/Users", true},
		{"/Users?filter=" + url.QueryEscape(`userName eq "alice"`), true},
		{"/Users?filter=" + url.QueryEscape(`userName eq "pw"`), true},
		{"/Users?filter=" + url.QueryEscape(`userName eq "nobody"`), true},
		{"/Users?startIndex=2&count=2", true},
		{"/Users?count=0", true},
		{"/Groups?excludedAttributes=members", true},
		{"/Groups", false},                          // members come from elsewhere
		{"/Users?attributes=userName", false},       // a projection
		{"/Users?excludedAttributes=emails", false}, // a projection
		{"/Groups?excludedAttributes=members.display", false},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			want := f.do("GET", tc.path, "")
			before := raw.answered
			got := httptest.NewRecorder()
			rh.ServeHTTP(got, httptest.NewRequest("GET", "http://example.com"+tc.path, nil))
			if got.Code != http.StatusOK || want.Code != http.StatusOK {
				t.Fatalf("GET %s = %d %s (decoded: %d %s)", tc.path, got.Code, got.Body, want.Code, want.Body)
			}
			if asked := raw.answered > before; asked != tc.rawAsks {
				t.Errorf("GET %s asked for JSON documents = %v, want %v", tc.path, asked, tc.rawAsks)
			}
			if ct := got.Header().Get("Content-Type"); ct != scim.MediaType {
				t.Errorf("Content-Type = %q", ct)
			}
			g, w := decode(t, got), decode(t, want)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("GET %s\n raw:     %s\n decoded: %s", tc.path, got.Body, want.Body)
			}
			if !json.Valid(got.Body.Bytes()) {
				t.Errorf("GET %s: invalid JSON %s", tc.path, got.Body)
			}
		})
	}
}

// TestWriteHeadMatchesEncodingJSON: the spliced head is what encoding/json
// writes for id and a meta map, without the closing brace.
func TestWriteHeadMatchesEncodingJSON(t *testing.T) {
	m := rawMeta{Created: "2026-01-01T00:00:00Z", LastModified: "2026-01-02T00:00:00Z", Location: "https://h/Users/<x>", ResourceType: "User", Version: `W/"2"`}
	var b bytes.Buffer
	writeHead(&b, "id-1", m)
	want, _ := json.Marshal(map[string]any{"id": "id-1", "meta": map[string]any{"created": m.Created,
		"lastModified": m.LastModified, "location": m.Location, "resourceType": m.ResourceType, "version": m.Version}})
	if got := b.String() + "}"; got != string(want) {
		t.Errorf("writeHead = %s}, want %s", b.String(), want)
	}
}
