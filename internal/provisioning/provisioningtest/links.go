package provisioningtest

import (
	"context"
	"maps"
	"sync"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

// Links is an in-memory provisioning.LinkStore for one job.
type Links struct {
	mu        sync.Mutex
	links     map[provisioning.ObjectType]map[string]provisioning.Link
	watermark int64
	hasMark   bool
}

var _ provisioning.LinkStore = (*Links)(nil)

// NewLinks returns an empty store.
func NewLinks() *Links {
	return &Links{links: map[provisioning.ObjectType]map[string]provisioning.Link{}}
}

// Links implements provisioning.LinkStore.
func (s *Links) Links(_ context.Context, t provisioning.ObjectType) ([]provisioning.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]provisioning.Link, 0, len(s.links[t]))
	for _, l := range s.links[t] {
		l.Written = maps.Clone(l.Written)
		out = append(out, l)
	}
	return out, nil
}

// LinksOf implements provisioning.LinkStore.
func (s *Links) LinksOf(_ context.Context, t provisioning.ObjectType, ids []string) ([]provisioning.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []provisioning.Link
	for _, id := range ids {
		if l, ok := s.links[t][id]; ok {
			l.Written = maps.Clone(l.Written)
			out = append(out, l)
		}
	}
	return out, nil
}

// Get returns one link, for assertions.
func (s *Links) Get(t provisioning.ObjectType, sourceID string) (provisioning.Link, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[t][sourceID]
	return l, ok
}

// WriteLinks implements provisioning.LinkStore.
func (s *Links) WriteLinks(_ context.Context, put []provisioning.Link, del []provisioning.LinkKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range put {
		if s.links[l.Type] == nil {
			s.links[l.Type] = map[string]provisioning.Link{}
		}
		l.Written = maps.Clone(l.Written)
		s.links[l.Type][l.SourceID] = l
	}
	for _, k := range del {
		delete(s.links[k.Type], k.SourceID)
	}
	return nil
}

// Watermark implements provisioning.LinkStore.
func (s *Links) Watermark(context.Context) (int64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.watermark, s.hasMark, nil
}

// SetWatermark implements provisioning.LinkStore.
func (s *Links) SetWatermark(_ context.Context, seq int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watermark, s.hasMark = seq, true
	return nil
}

// ClearWatermark implements provisioning.LinkStore.
func (s *Links) ClearWatermark(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watermark, s.hasMark = 0, false
	return nil
}
