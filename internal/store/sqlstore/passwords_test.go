package sqlstore

import (
	"path/filepath"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/storetest"
)

func TestPasswordsSQLite(t *testing.T) {
	storetest.RunPasswords(t, func(t *testing.T) store.Directory {
		return openSQLite(t, filepath.Join(t.TempDir(), "provisio.db")).Directory()
	})
}

func TestPasswordsPostgres(t *testing.T) {
	base := postgresURL(t)
	storetest.RunPasswords(t, func(t *testing.T) store.Directory { return openPostgres(t, freshSchema(t, base)).Directory() })
}
