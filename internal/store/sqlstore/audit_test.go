package sqlstore

import (
	"path/filepath"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/storetest"
)

func TestAuditSQLite(t *testing.T) {
	storetest.RunAudit(t, func(t *testing.T) store.AuditStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")).Audit()
	})
}

func TestAuditPostgres(t *testing.T) {
	base := postgresURL(t)
	storetest.RunAudit(t, func(t *testing.T) store.AuditStore { return openPostgres(t, freshSchema(t, base)).Audit() })
}
