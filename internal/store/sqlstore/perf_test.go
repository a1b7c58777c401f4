package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
)

// TestCoalescedUserNameLookups runs many concurrent `userName eq` lists,
// more than the read pool has connections, so that PostgreSQL coalesces
// them, and checks every answer: found ones (in any letter case) with
// their own document, missing ones empty, paging respected.
func TestCoalescedUserNameLookups(t *testing.T) {
	s := openPostgres(t, freshSchema(t, postgresURL(t)))
	ten, err := s.CreateTenant(context.Background(), "coalesce", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithTenant(context.Background(), ten.ID)
	users, _ := standardTypes()
	be := s.Backend()
	const n = 40
	ids := make([]string, n)
	for i := range n {
		res, err := be.Create(ctx, users, scim.Resource{"userName": fmt.Sprintf("User%d@Example.com", i), "displayName": fmt.Sprintf("U %d", i)})
		if err != nil {
			t.Fatalf("Create(user %d) = %v", i, err)
		}
		ids[i] = res["id"].(string)
	}
	list := func(userName string, start, count int, raw bool) (backend.Page, error) {
		f, err := filter.Parse(fmt.Sprintf("userName eq %q", userName), filter.Options{})
		if err != nil {
			return backend.Page{}, err
		}
		return be.List(ctx, users, backend.Query{Filter: f, StartIndex: start, Count: count, Raw: raw})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*n)
	for round := range 6 {
		for i := range 2 * n {
			wg.Go(func() {
				name := fmt.Sprintf("user%d@example.COM", i) // i >= n: no such user
				start, count := 1, 10
				if round == 3 || round == 5 {
					start = 2 // past the only match: empty page, total 1
				}
				raw := round >= 4 // documents left as JSON
				pg, err := list(name, start, count, raw)
				if err == nil && raw {
					if pg.Raw == nil {
						errs <- fmt.Errorf("List(%s, raw) answered with decoded documents", name)
						return
					}
					pg.Resources = decodeRaw(pg.Raw)
				}
				wantTotal, wantLen := 0, 0
				if i < n {
					wantTotal = 1
					if start == 1 {
						wantLen = 1
					}
				}
				switch {
				case err != nil:
					errs <- fmt.Errorf("List(%s) = %v", name, err)
				case pg.Total != wantTotal || len(pg.Resources) != wantLen:
					errs <- fmt.Errorf("List(%s, start %d) = total %d, %d resources, want %d, %d", name, start, pg.Total, len(pg.Resources), wantTotal, wantLen)
				case wantLen == 1 && pg.Resources[0]["id"] != ids[i]:
					errs <- fmt.Errorf("List(%s) id = %v, want %s", name, pg.Resources[0]["id"], ids[i])
				case wantLen == 1 && pg.Resources[0]["displayName"] != fmt.Sprintf("U %d", i):
					errs <- fmt.Errorf("List(%s) displayName = %v, want U %d", name, pg.Resources[0]["displayName"], i)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s.bg.Wait() // the goroutines that served the queue
	s.lookups.mu.Lock()
	left := len(s.lookups.queues)
	s.lookups.mu.Unlock()
	if left != 0 {
		t.Errorf("after the lookups: %d queues left, want none", left)
	}
}

// decodeRaw decodes raw resources as far as the test needs.
func decodeRaw(raw []backend.RawResource) []scim.Resource {
	out := []scim.Resource{}
	for _, r := range raw {
		res := scim.Resource{}
		if err := json.Unmarshal(r.Attributes, &res); err != nil {
			res["error"] = err.Error()
		}
		res["id"] = r.ID
		out = append(out, res)
	}
	return out
}

// TestUpdateStatement checks that an update assigns only the normalized
// columns that changed (so unchanged indexes are not rewritten).
func TestUpdateStatement(t *testing.T) {
	str := func(v string) sql.NullString { return sql.NullString{String: v, Valid: true} }
	base := columns{userName: str("bjensen"), externalID: str("e1"), displayName: str("babs"), active: sql.NullBool{Bool: true, Valid: true}}
	tests := []struct {
		name string
		next func(c columns) columns
		want string
	}{
		{"nothing indexed changed", func(c columns) columns { return c }, "UPDATE resources SET doc = ?, modified = ?, version = ? WHERE tenant_id = ? AND id = ? AND version = ?"},
		{"active", func(c columns) columns { c.active.Bool = false; return c }, "UPDATE resources SET doc = ?, modified = ?, version = ?, active = ? WHERE tenant_id = ? AND id = ? AND version = ?"},
		{"userName and externalId removed", func(c columns) columns { c.userName = str("b"); c.externalID = sql.NullString{}; return c },
			"UPDATE resources SET doc = ?, modified = ?, version = ?, user_name = ?, external_id = ? WHERE tenant_id = ? AND id = ? AND version = ?"},
		{"group name set", func(c columns) columns { c.groupName = str("babs"); return c }, "UPDATE resources SET doc = ?, modified = ?, version = ?, group_name = ? WHERE tenant_id = ? AND id = ? AND version = ?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := updated{row: row{id: "x", body: "{}", modified: 2, version: 3}, cols: tt.next(base)}
			got, args := updateStatement("t1", base, 2, next)
			if got != tt.want {
				t.Errorf("updateStatement() = %q, want %q", got, tt.want)
			}
			if want := countPlaceholders(tt.want); len(args) != want {
				t.Errorf("updateStatement() has %d args, want %d", len(args), want)
			}
		})
	}
}

func countPlaceholders(q string) int {
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
		}
	}
	return n
}
