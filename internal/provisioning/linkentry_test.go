package provisioning

import (
	"reflect"
	"testing"
	"time"
)

// TestLinkEntryRoundTrip: a link packed for the LinkTable comes back as
// it went in, less Written, whatever its state, hash and failure.
func TestLinkEntryRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 4, 5, 6, time.UTC)
	paris := time.FixedZone("CET", 3600)
	cases := []Link{
		{Type: TypeUser, SourceID: "u1", State: LinkPendingCreate},
		{Type: TypeUser, SourceID: "u2", TargetID: "t2", State: LinkActive, Hash: "0123456789abcdef0123456789abcdef", Updated: now},
		{Type: TypeGroup, SourceID: "g1", TargetID: "t3", State: LinkDisabled, Hash: "not-hex", Unresolved: true, Updated: now.In(paris)},
		{Type: TypeUser, SourceID: "u3", TargetID: "t4", State: "future-state", Hash: "0123456789ABCDEF0123456789ABCDEF",
			Attempts: 3, NextRetry: now.Add(time.Hour), LastError: "boom", FailedAction: ActionUpdate, SourceName: "Ann",
			Updated: now.Local()},
	}
	for _, want := range cases {
		withWritten := want
		withWritten.Written = map[string]any{"userName": "x"}
		e := packLink(&withWritten)
		if got := e.link(want.Type, want.SourceID); !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
	}
	if e := packLink(&cases[1]); e.rare != nil {
		t.Errorf("an active link with a hex hash keeps a rare part: %+v", e.rare)
	}
}
