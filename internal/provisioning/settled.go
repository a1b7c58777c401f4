package provisioning

import (
	"sync"

	"github.com/provisio-dev/provisio/internal/directory"
)

// Settled remembers, between the cycles of one job, the decisions only a
// change can alter, so that an incremental cycle does not evaluate (and
// log) them again and again:
//
//   - objects of the job's scope that were never provisioned and were
//     skipped for their own state (disabled or soft-deleted in the
//     directory) or for failing the scoping filters;
//   - linked objects disabled for failing the scoping filters;
//   - linked objects left as they are because SkipOutOfScopeDeletions is
//     set.
//
// Every change to such an object is in the change feed, and a change of
// its assignment shows in the scope, so an incremental cycle evaluates it
// again only when the feed names it, when it was assigned or unassigned
// since, when its membership of a group a MEMBER_OF clause names changed,
// or when the filters read the clock. Settled also keeps that membership
// from the last cycle, to tell which members a group gained or lost. An
// initial cycle evaluates everything and starts the memory afresh.
//
// The zero value is ready to use; it is safe for concurrent use.
type Settled struct {
	mu  sync.Mutex
	ids map[ObjectType]map[string]bool // settled objects: were they assigned then?
	// members is the last completed cycle's membership of the MEMBER_OF
	// groups (see membership.of); nil: unknown.
	members map[string]map[string]directory.Kind
	missing map[string]bool // MEMBER_OF groups already warned about (kept by reset)
	// touched holds the objects set since takeTouched, and gen counts the
	// resets (see CycleMemory).
	touched    map[LinkKey]struct{}
	touchedAll bool // more than touchedMax: any object
	gen        uint64
}

func (s *Settled) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids, s.members = nil, nil // missing stays: warnings are not decisions
	s.touched, s.touchedAll = nil, false
	s.gen++
}

// takeTouched returns the objects whose settled state was set since the
// last call (all: more than touchedMax, any object), and the number of
// resets.
func (s *Settled) takeTouched() (touched map[LinkKey]struct{}, all bool, gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, a := s.touched, s.touchedAll
	s.touched, s.touchedAll = nil, false
	return t, a, s.gen
}

// has reports whether the object is settled and was then as assigned as
// it is now.
func (s *Settled) has(t ObjectType, id string, assigned bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was, ok := s.ids[t][id]
	return ok && was == assigned
}

// flipped lists the settled objects of type t whose assignment is not
// what it was when they settled (assigned holds the assigned ids now).
func (s *Settled) flipped(t ObjectType, assigned map[string]bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, was := range s.ids[t] {
		if was != assigned[id] {
			out = append(out, id)
		}
	}
	return out
}

// set records whether the object's last decision settled it, and whether
// it was assigned (in the job's scope) then.
func (s *Settled) set(t ObjectType, id string, settled, assigned bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touched, s.touchedAll = touch(s.touched, s.touchedAll, LinkKey{Type: t, SourceID: id})
	switch {
	case settled && s.ids == nil:
		s.ids = map[ObjectType]map[string]bool{t: {id: assigned}}
	case settled && s.ids[t] == nil:
		s.ids[t] = map[string]bool{id: assigned}
	case settled:
		s.ids[t][id] = assigned
	default:
		delete(s.ids[t], id)
	}
}

// membership returns the last completed cycle's MEMBER_OF membership;
// ok false when it is unknown (no cycle since the Settled was made or
// reset).
func (s *Settled) membership() (map[string]map[string]directory.Kind, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.members, s.members != nil
}

// setMembership records a completed cycle's MEMBER_OF membership.
func (s *Settled) setMembership(m *membership) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members = m.of
}

// newlyMissing returns the MEMBER_OF groups of m not found that were not
// reported yet, and forgets those found again.
func (s *Settled) newlyMissing(m *membership) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	now := map[string]bool{}
	for _, g := range m.missing {
		now[g] = true
		if !s.missing[g] {
			out = append(out, g)
		}
	}
	s.missing = now
	return out
}
