package dirsvc_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/store"
)

// TestDirectoryLimits: control characters and over-long values are
// refused before the store (PostgreSQL answered them with errors that
// became 500s), and a reference no object can have is not found.
func TestDirectoryLimits(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, "ok@example.com")
	if _, err := s.CreateApp(ctx, "App"); err != nil {
		t.Fatal(err)
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name    string
		do      func() error
		want    error
		message string
	}{
		{"NUL in a UPN", func() error {
			_, err := s.CreateUser(ctx, directory.User{UserPrincipalName: "a\x00@example.com"})
			return err
		}, dirsvc.ErrInvalid, "userPrincipalName contains the control character U+0000"},
		{"long UPN", func() error {
			_, err := s.CreateUser(ctx, directory.User{UserPrincipalName: long(3000) + "@example.com"})
			return err
		}, dirsvc.ErrInvalid, "userPrincipalName is longer than 512 characters"},
		{"NUL in displayName", func() error {
			_, err := s.CreateUser(ctx, directory.User{UserPrincipalName: "b@example.com", DisplayName: "B\x00"})
			return err
		}, dirsvc.ErrInvalid, "displayName contains"},
		{"long department", func() error {
			_, err := s.CreateUser(ctx, directory.User{UserPrincipalName: "c@example.com", Department: long(70000)})
			return err
		}, dirsvc.ErrInvalid, "department is longer than 65536"},
		{"control character in an extension", func() error {
			_, err := s.UpdateUser(ctx, "ok@example.com", map[string]any{"extension_x": "\x1b"})
			return err
		}, dirsvc.ErrInvalid, "extension_x contains"},
		{"NUL by update", func() error {
			_, err := s.UpdateUser(ctx, "ok@example.com", map[string]any{"surname": "\x00"})
			return err
		}, dirsvc.ErrInvalid, "surname contains"},
		{"NUL user reference", func() error { _, err := s.GetUser(ctx, "a\x00b"); return err }, dirsvc.ErrNotFound, "no user"},
		{"invalid UTF-8 user reference", func() error { _, err := s.DeleteUser(ctx, "\xff@x"); return err }, dirsvc.ErrNotFound, "no user"},
		{"NUL in after", func() error {
			_, err := s.ListUsers(ctx, store.UserQuery{After: "\x00"})
			return err
		}, dirsvc.ErrInvalid, "after contains"},
		{"NUL in a group name", func() error {
			_, err := s.CreateGroup(ctx, directory.Group{DisplayName: "G\x00"})
			return err
		}, dirsvc.ErrInvalid, "displayName contains"},
		{"long group name", func() error {
			_, err := s.CreateGroup(ctx, directory.Group{DisplayName: long(10000)})
			return err
		}, dirsvc.ErrInvalid, "displayName is longer than 512"},
		{"NUL member id", func() error {
			_, err := s.CreateGroup(ctx, directory.Group{DisplayName: "G", Members: []directory.Member{{ID: "\x00", Kind: directory.KindUser}}})
			return err
		}, dirsvc.ErrNotFound, "no user"},
		{"NUL member reference", func() error {
			_, err := s.AddMembers(ctx, "G", []string{"\x00"})
			return err
		}, dirsvc.ErrNotFound, ""},
		{"NUL group reference", func() error { _, err := s.GetGroup(ctx, "\x00"); return err }, dirsvc.ErrNotFound, "no group"},
		{"long app name", func() error { _, err := s.CreateApp(ctx, long(600)); return err }, dirsvc.ErrInvalid, "name is longer than 512"},
		{"NUL app reference", func() error { _, err := s.GetApp(ctx, "a\x00"); return err }, dirsvc.ErrNotFound, "no app"},
		{"NUL app role", func() error {
			_, err := s.AssignUser(ctx, "App", "ok@example.com", "r\x00")
			return err
		}, dirsvc.ErrInvalid, "appRoleId contains"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if !errors.Is(err, tt.want) || !strings.Contains(fmt.Sprint(err), tt.message) {
				t.Errorf("%s = %v, want an error wrapping %v containing %q", tt.name, err, tt.want, tt.message)
			}
		})
	}
}

// TestImportRejectsBadCellsAlone: a row with a NUL, a control character
// or an over-long value is rejected with its line number and the other
// rows are imported (on PostgreSQL one NUL cell used to abort the import).
func TestImportRejectsBadCellsAlone(t *testing.T) {
	in := "userPrincipalName,displayName,objectId,extension_note\n" +
		"a@example.com,A,,\n" +
		"b@example.com,B\x00,,\n" +
		"c@example.com,C,,\n" +
		strings.Repeat("d", 600) + "@example.com,D,,\n" +
		"e@example.com,E,\x00,\n" +
		"f@example.com,F,,\x07\n" +
		"old@example.com,Old\x00,,\n" +
		"g@example.com,G,,\n"
	for _, update := range []bool{false, true} {
		t.Run(fmt.Sprintf("update=%t", update), func(t *testing.T) {
			s, _ := newService(t)
			mustCreate(t, s, "old@example.com")
			res, err := s.ImportUsers(ctx, strings.NewReader(in), dirsvc.ImportOptions{Update: update})
			if err != nil {
				t.Fatalf("ImportUsers() = %v, want the good rows imported", err)
			}
			var lines []int
			for _, re := range res.Errors {
				lines = append(lines, re.Line)
				if !errors.Is(&re, dirsvc.ErrInvalid) && !errors.Is(&re, dirsvc.ErrExists) {
					t.Errorf("row error %v, want it to wrap ErrInvalid", &re)
				}
			}
			if res.Imported != 3 || res.Failed != 5 || fmt.Sprint(lines) != "[3 5 6 7 8]" {
				t.Errorf("ImportUsers() = %d imported, %d failed on lines %v; want 3 imported, lines [3 5 6 7 8] failed", res.Imported, res.Failed, lines)
			}
			if u, err := s.GetUser(ctx, "old@example.com"); err != nil || u.DisplayName != "" {
				t.Errorf("old@example.com = %+v, %v; want it unchanged", u, err)
			}
		})
	}
}

// TestImportKeepsFirstErrors: a big file of bad rows is counted in full
// but only the first MaxErrors rows are kept, so memory stays bounded
// (a 256 MiB body of bad rows used to take about 3.7 GB).
func TestImportKeepsFirstErrors(t *testing.T) {
	s, _ := newService(t)
	const rows = 200_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := s.ImportUsers(ctx, badRows(rows), dirsvc.ImportOptions{})
	runtime.GC()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("ImportUsers() = %v", err)
	}
	if res.Failed != rows || len(res.Errors) != dirsvc.DefaultMaxImportErrors || res.Imported != 0 {
		t.Fatalf("ImportUsers(%d bad rows) = %d failed, %d errors kept, %d imported; want %d, %d, 0",
			rows, res.Failed, len(res.Errors), res.Imported, rows, dirsvc.DefaultMaxImportErrors)
	}
	if last := res.Errors[len(res.Errors)-1]; last.Line != dirsvc.DefaultMaxImportErrors+1 {
		t.Errorf("last error kept is on line %d, want %d (the first rows are kept)", last.Line, dirsvc.DefaultMaxImportErrors+1)
	}
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap after importing %d bad rows: %+d KiB", rows, grown/1024)
	if grown > 8<<20 {
		t.Errorf("heap grew by %d MiB importing %d bad rows, want it bounded (< 8 MiB)", grown>>20, rows)
	}
	runtime.KeepAlive(res)
}

// badRows streams a CSV of n rows that all fail validation, without
// holding the file in memory.
func badRows(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, "userPrincipalName,displayName\n")
		for i := range n {
			if _, err := fmt.Fprintf(pw, "user%d\x00@example.com,User %d\n", i, i); err != nil {
				return
			}
		}
		pw.Close()
	}()
	return pr
}
