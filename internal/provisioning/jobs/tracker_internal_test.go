package jobs

import (
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

// TestTrackerCountsMatched: a running cycle's progress counts matched
// objects as matched, not skipped or created; a match that needed an
// update counts as updated too.
func TestTrackerCountsMatched(t *testing.T) {
	tests := []struct {
		name  string
		entry provisioning.LogEntry
		want  provisioning.Stats
	}{
		{"matched in sync", provisioning.LogEntry{Action: provisioning.ActionSkip, Status: provisioning.StatusSkipped, Matched: true},
			provisioning.Stats{Matched: 1}},
		{"lost create found", provisioning.LogEntry{Action: provisioning.ActionCreate, Status: provisioning.StatusSuccess, Matched: true},
			provisioning.Stats{Matched: 1}},
		{"matched and updated", provisioning.LogEntry{Action: provisioning.ActionUpdate, Status: provisioning.StatusSuccess, Matched: true},
			provisioning.Stats{Matched: 1, Updated: 1}},
		{"skip", provisioning.LogEntry{Action: provisioning.ActionSkip, Status: provisioning.StatusSkipped},
			provisioning.Stats{Skipped: 1}},
		{"create", provisioning.LogEntry{Action: provisioning.ActionCreate, Status: provisioning.StatusSuccess},
			provisioning.Stats{Created: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &tracker{}
			p.note(tt.entry)
			if got := p.snapshot().Counts; got != tt.want {
				t.Errorf("tracker.note(%+v) counts = %+v, want %+v", tt.entry, got, tt.want)
			}
		})
	}
}
