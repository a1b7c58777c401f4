// Package testdb gives end-to-end tests the databases they run against:
// SQLite always, and PostgreSQL when PROVISIO_TEST_POSTGRES is set, each
// PostgreSQL run in a fresh database of its own. Only tests import it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// PostgresEnv names the variable holding the PostgreSQL URL tests use.
const PostgresEnv = "PROVISIO_TEST_POSTGRES"

// Database is one storage backend a test runs against.
type Database struct {
	Name string
	// DSN returns the server's --db value: "" for SQLite in its data
	// directory, or the URL of a fresh PostgreSQL database.
	DSN func(t testing.TB) string
}

// All lists SQLite always and PostgreSQL when PostgresEnv is set.
func All(t testing.TB) []Database {
	dbs := []Database{{"sqlite", func(testing.TB) string { return "" }}}
	if base := os.Getenv(PostgresEnv); base != "" {
		dbs = append(dbs, Database{"postgres", func(t testing.TB) string { return FreshPostgres(t, base) }})
	} else {
		t.Log(PostgresEnv + " is unset: PostgreSQL not tested")
	}
	return dbs
}

// FreshPostgres creates an empty database beside the one base names, drops
// it when the test ends, and returns its URL.
func FreshPostgres(t testing.TB, base string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s (%s): %v", PostgresEnv, u.Redacted(), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "provisio_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}
