package tenant

import (
	"sync"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// cache remembers verified tokens (hash → tenant) for a short TTL, so the
// SCIM hot path costs no database query. Only successful verifications
// are cached; a revocation on this node drops the tenant's entries at
// once, and on other nodes an entry lives at most one TTL.
type cache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	now     func() time.Time
	entries map[Hash]cacheEntry
}

type cacheEntry struct {
	tenant  store.Tenant
	expires time.Time
}

func newCache(ttl time.Duration, max int, now func() time.Time) *cache {
	return &cache{ttl: ttl, max: max, now: now, entries: make(map[Hash]cacheEntry)}
}

// get returns the tenant cached for h, if any and not expired.
func (c *cache) get(h Hash) (store.Tenant, bool) {
	if c.ttl <= 0 {
		return store.Tenant{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[h]
	if !ok {
		return store.Tenant{}, false
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, h)
		return store.Tenant{}, false
	}
	return e.tenant, true
}

// put caches t for h. When the cache is full it first drops expired
// entries and, if that frees nothing, everything: a bounded cache that is
// sometimes cold beats unbounded memory.
func (c *cache) put(h Hash, t store.Tenant) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= c.max {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[h] = cacheEntry{tenant: t, expires: now.Add(c.ttl)}
}

// dropTenant removes every entry of tenant id.
func (c *cache) dropTenant(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.tenant.ID == id {
			delete(c.entries, k)
		}
	}
}
