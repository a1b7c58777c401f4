package adminapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// TestWire pins wire forms the domain types no longer carry: a job's
// interval as a Go duration and never a token, a group's members only
// where the answer is about the group.
func TestWire(t *testing.T) {
	job := func() any {
		v, err := jobWire(jobs.Job{ID: "j1", AppID: "a1", TokenSet: true, Interval: 5 * time.Second, Mappings: jobs.DefaultMappings()})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	g := directory.Group{ObjectID: "g1", DisplayName: "Ops"}
	withMember := directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}}
	tests := []struct {
		name    string
		v       any
		want    []string
		wantNot []string
	}{
		{"job", job(), []string{`"interval":"5s"`, `"tokenSet":true`, `"mappings":{"users":`}, []string{"token\":", "secret"}},
		{"group in a list", groupWire(g, nil), nil, []string{`"members"`}},
		{"group answered alone", groupWire(g, map[string]string{}), []string{`"members":[]`}, nil},
		{"member with its name", groupWire(withMember, map[string]string{"u1": "alice@contoso.com"}), []string{`"members":[{"id":"u1","kind":"user","name":"alice@contoso.com"}]`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("json.Marshal(%s) = %s, want %s in it", tt.name, b, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(string(b), w) {
					t.Errorf("json.Marshal(%s) = %s, want no %s in it", tt.name, b, w)
				}
			}
		})
	}
}
