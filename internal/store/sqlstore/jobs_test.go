package sqlstore

import (
	"path/filepath"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/storetest"
)

func TestJobsSQLite(t *testing.T) {
	storetest.RunJobs(t, func(t *testing.T) store.JobStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")).Jobs()
	})
}

func TestJobsPostgres(t *testing.T) {
	base := postgresURL(t)
	storetest.RunJobs(t, func(t *testing.T) store.JobStore { return openPostgres(t, freshSchema(t, base)).Jobs() })
}
