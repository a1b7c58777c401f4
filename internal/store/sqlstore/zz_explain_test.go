package sqlstore

import (
	"context"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
)

func TestZZExplain(t *testing.T) {
	s := openPostgres(t, freshSchema(t, postgresURL(t)))
	ctx := context.Background()
	b := &testing.B{}
	_ = b
	ten, _ := s.CreateTenant(ctx, "bench", nil)
	users, _ := standardTypes()
	e := benchEnv{s: s, b: s.Backend(), ctx: store.WithTenant(ctx, ten.ID), users: users}
	for i := range 3000 {
		if _, err := e.b.Create(e.ctx, users, entraUser(int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		conn, _ := s.r.Conn(ctx)
		conn.ExecContext(ctx, "SET plan_cache_mode = "+mode)
		rows, err := conn.QueryContext(ctx, "EXPLAIN SELECT id, doc, created, modified, version FROM resources WHERE tenant_id = $1 AND type = $2 AND user_name = $3 LIMIT $4 OFFSET $5", ten.ID, "User", "user5@example.com", 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var l string
			rows.Scan(&l)
			t.Log(mode, l)
		}
		rows.Close()
		conn.Close()
	}
}
