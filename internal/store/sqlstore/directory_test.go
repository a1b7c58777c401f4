package sqlstore

import (
	"path/filepath"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/storetest"
)

func TestDirectorySQLite(t *testing.T) {
	storetest.RunDirectory(t, func(t *testing.T) store.Directory {
		return openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")).Directory()
	})
}

func TestDirectoryPostgres(t *testing.T) {
	base := postgresURL(t)
	storetest.RunDirectory(t, func(t *testing.T) store.Directory { return openPostgres(t, freshSchema(t, base)).Directory() })
}
