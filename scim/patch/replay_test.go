package patch

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

// replay is one file under testdata/replay: a PATCH request that Entra ID
// or Okta really sends (from ../shared/reference, cleaned to valid JSON),
// the resource it is sent to, and the expected outcome.
type replay struct {
	Source       string `json:"source"`
	ResourceType string `json:"resourceType"`
	Options      struct {
		ValuePathUpsert bool `json:"valuePathUpsert"`
	} `json:"options"`
	Request         scim.PatchRequest `json:"request"`
	Resource        scim.Resource     `json:"resource"`
	Expected        scim.Resource     `json:"expected"`
	ExpectedMembers *MembersChange    `json:"expectedMembers"`
	ExpectedError   *struct {
		Status   int    `json:"status"`
		ScimType string `json:"scimType"`
	} `json:"expectedError"`
}

func TestReplay(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "replay", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no replay files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var r replay
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("decode %s: %v", file, err)
			}
			if len(r.Request.Schemas) != 1 || r.Request.Schemas[0] != scim.PatchOpMessage || len(r.Request.Operations) == 0 {
				t.Fatalf("%s: request is not a PatchOp message with operations", file)
			}
			rt := resourceType(t, r.ResourceType)
			opts := Options{ValuePathUpsert: r.Options.ValuePathUpsert}
			got, err := Apply(r.Resource, rt, r.Request.Operations, opts)
			checkReplayResult(t, r, got, err)
			if r.ExpectedMembers != nil {
				checkReplayMembers(t, r, rt, opts)
			}
		})
	}
}

func checkReplayResult(t *testing.T, r replay, got scim.Resource, err error) {
	t.Helper()
	if r.ExpectedError != nil {
		var se *scim.Error
		if !errors.As(err, &se) || se.Status != r.ExpectedError.Status || se.ScimType != r.ExpectedError.ScimType {
			t.Fatalf("Apply(%s) = %v, %v; want error %d %s", r.Source, got, err, r.ExpectedError.Status, r.ExpectedError.ScimType)
		}
		return
	}
	if err != nil {
		t.Fatalf("Apply(%s) error: %v", r.Source, err)
	}
	if !jsonEqual(t, got, r.Expected) {
		t.Errorf("Apply(%s) =\n%s\nwant\n%s", r.Source, mustJSON(t, got), mustJSON(t, r.Expected))
	}
}

// checkReplayMembers checks the member change and that the rest of the
// request applied to the group without members gives the expected group
// without members.
func checkReplayMembers(t *testing.T, r replay, rt *scim.ResourceType, opts Options) {
	t.Helper()
	rest, change, err := ExtractMembers(rt, r.Request.Operations, opts)
	if err != nil {
		t.Fatalf("ExtractMembers(%s) error: %v", r.Source, err)
	}
	if !reflect.DeepEqual(change, r.ExpectedMembers) {
		t.Errorf("ExtractMembers(%s) change = %+v, want %+v", r.Source, change, r.ExpectedMembers)
	}
	doc := copyMap(r.Resource)
	delete(doc, "members")
	got, err := Apply(doc, rt, rest, opts)
	if err != nil {
		t.Fatalf("Apply(rest of %s) error: %v", r.Source, err)
	}
	want := copyMap(r.Expected)
	delete(want, "members")
	if !jsonEqual(t, got, want) {
		t.Errorf("Apply(rest of %s) = %s, want %s", r.Source, mustJSON(t, got), mustJSON(t, want))
	}
}
