package provisioning

import "sync"

// Settled remembers, between the cycles of one job, the objects in scope
// that were never provisioned and were skipped for their own state
// (disabled or soft-deleted in the directory). Only a change to such an
// object can change that decision, and every change to it is in the
// change feed, so an incremental cycle evaluates it again only when the
// feed names it, instead of logging the same skip in every cycle. An
// initial cycle evaluates everything and starts the memory afresh.
//
// The zero value is ready to use; it is safe for concurrent use.
type Settled struct {
	mu  sync.Mutex
	ids map[ObjectType]map[string]bool
}

func (s *Settled) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = nil
}

func (s *Settled) has(t ObjectType, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[t][id]
}

// set records whether the object's last decision settled it.
func (s *Settled) set(t ObjectType, id string, settled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case settled && s.ids == nil:
		s.ids = map[ObjectType]map[string]bool{t: {id: true}}
	case settled && s.ids[t] == nil:
		s.ids[t] = map[string]bool{id: true}
	case settled:
		s.ids[t][id] = true
	default:
		delete(s.ids[t], id)
	}
}
