package dirsvc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/source"
	"github.com/provisio-dev/provisio/internal/store"
)

const importCSV = `userPrincipalName,displayName,surname,accountEnabled,manager,extension_costCenter
boss@example.com,Boss,B,true,,10
w1@example.com,Worker 1,W,yes,boss@example.com,11
bad,Bad,X,true,,
w2@example.com,"Two
Lines",W,true,,
w3@example.com,Three,W,maybe,,
W1@example.com,Dup,W,true,,
w4@example.com,Four,W
w5@example.com,Five,W,true,ghost@example.com,
existing@example.com,Existing,E,true,,
w6@example.com,Six,W,false,w2@example.com,
w7@example.com,Se"ven,W,true,,
w8@example.com,Eight,W,true,,
`

func TestImportUsers(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, "existing@example.com")
	var progress []dirsvc.ImportProgress
	res, err := s.ImportUsers(ctx, strings.NewReader(importCSV), dirsvc.ImportOptions{
		BatchSize: 2,
		Progress:  func(p dirsvc.ImportProgress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatalf("ImportUsers() = %v", err)
	}
	if res.Imported != 5 {
		t.Errorf("ImportUsers().Imported = %d, want 5", res.Imported)
	}
	wantLines := []struct {
		line int
		err  error
	}{
		{4, dirsvc.ErrInvalid},   // bad UPN
		{7, dirsvc.ErrInvalid},   // bad boolean
		{8, dirsvc.ErrExists},    // UPN imported in an earlier batch
		{9, dirsvc.ErrInvalid},   // wrong number of fields
		{10, dirsvc.ErrNotFound}, // unknown manager
		{11, dirsvc.ErrExists},   // UPN already in the directory
		{13, dirsvc.ErrInvalid},  // a bare quote
	}
	if res.Failed != len(wantLines) {
		t.Fatalf("ImportUsers().Failed = %v, want lines %v", res.Errors, wantLines)
	}
	for i, w := range wantLines {
		got := res.Errors[i]
		if got.Line != w.line || !errors.Is(&got, w.err) || !strings.HasPrefix(got.Error(), fmt.Sprintf("line %d: ", w.line)) {
			t.Errorf("failure %d = %q (line %d), want line %d wrapping %v", i, got.Error(), got.Line, w.line, w.err)
		}
	}
	w1, err := s.GetUser(ctx, "w1@example.com")
	boss, _ := s.GetUser(ctx, "boss@example.com")
	if err != nil || w1.Manager != boss.ObjectID || w1.Extensions["extension_costCenter"] != "11" || w1.DisplayName != "Worker 1" {
		t.Errorf("imported w1 = %+v, %v; want manager %s and costCenter 11", w1, err, boss.ObjectID)
	}
	if w2, _ := s.GetUser(ctx, "w2@example.com"); w2.DisplayName != "Two\nLines" {
		t.Errorf("imported w2 displayName = %q, want the quoted two lines", w2.DisplayName)
	}
	w6, _ := s.GetUser(ctx, "w6@example.com")
	if w2, _ := s.GetUser(ctx, "w2@example.com"); w6.AccountEnabled || w6.Manager != w2.ObjectID {
		t.Errorf("imported w6 = %+v, want disabled with manager w2", w6)
	}
	if _, err := s.GetUser(ctx, "w8@example.com"); err != nil {
		t.Errorf("GetUser(w8, after a row with a bare quote) = %v", err)
	}
	for _, upn := range []string{"w3@example.com", "w4@example.com", "w5@example.com", "w7@example.com"} {
		if _, err := s.GetUser(ctx, upn); !errors.Is(err, dirsvc.ErrNotFound) {
			t.Errorf("GetUser(%s) of a rejected row = %v, want ErrNotFound", upn, err)
		}
	}
	if len(progress) < 3 {
		t.Fatalf("progress called %d times, want one per batch and a last one", len(progress))
	}
	last := progress[len(progress)-1]
	want := dirsvc.ImportProgress{Rows: 12, Imported: 5, Failed: 7, BytesRead: int64(len(importCSV))}
	if last != want {
		t.Errorf("last progress = %+v, want %+v", last, want)
	}
	if !slices.IsSortedFunc(progress, func(a, b dirsvc.ImportProgress) int { return a.Rows - b.Rows }) {
		t.Errorf("progress rows go backwards: %+v", progress)
	}
}

// TestImportUsersUpdate: with Update, rows naming existing users (by
// objectId, else by userPrincipalName) update them: non-empty cells are
// set, empty ones leave the attribute alone; a manager created earlier in
// the file resolves; a bad row is rejected and changes nothing. Without
// Update the same rows are rejected as existing.
func TestImportUsersUpdate(t *testing.T) {
	setup := func(t *testing.T) (*dirsvc.Service, directory.User, directory.User) {
		s, _ := newService(t)
		a := mustCreate(t, s, "a@example.com")
		if _, err := s.UpdateUser(ctx, a.ObjectID, map[string]any{"displayName": "A", "department": "D1"}); err != nil {
			t.Fatal(err)
		}
		return s, a, mustCreate(t, s, "b@example.com")
	}
	csv := func(a directory.User) string {
		return "objectId,userPrincipalName,displayName,department,accountEnabled,manager\n" +
			",a@example.com,A2,,,\n" + // line 2: displayName only
			",new@example.com,New,Sales,true,a@example.com\n" + // line 3: created
			",B@EXAMPLE.com,,,false,new@example.com\n" + // line 4: disabled, manager from line 3
			",a@example.com,,,maybe,\n" + // line 5: bad boolean: nothing of it
			a.ObjectID + ",a.renamed@example.com,,,,\n" // line 6: renamed by objectId
	}

	s, a, _ := setup(t)
	res, err := s.ImportUsers(ctx, strings.NewReader(csv(a)), dirsvc.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exists := 0
	for _, f := range res.Errors {
		if errors.Is(&f, dirsvc.ErrExists) {
			exists++
		}
	}
	if res.Imported != 1 || res.Updated != 0 || res.Failed != 4 || exists != 3 {
		t.Errorf("without Update: imported %d, updated %d, failed %v; want 1, 0 and lines 2, 4, 6 existing, 5 invalid", res.Imported, res.Updated, res.Errors)
	}

	s, a, b := setup(t)
	res, err = s.ImportUsers(ctx, strings.NewReader(csv(a)), dirsvc.ImportOptions{Update: true, BatchSize: 10})
	if err != nil {
		t.Fatalf("ImportUsers(Update) = %v", err)
	}
	if res.Imported != 1 || res.Updated != 3 || res.Failed != 1 || res.Errors[0].Line != 5 || !errors.Is(&res.Errors[0], dirsvc.ErrInvalid) {
		t.Fatalf("ImportUsers(Update) = imported %d, updated %d, failed %v; want 1, 3 and line 5 invalid", res.Imported, res.Updated, res.Errors)
	}
	gotA, err := s.GetUser(ctx, a.ObjectID)
	if err != nil || gotA.UserPrincipalName != "a.renamed@example.com" || gotA.DisplayName != "A2" || gotA.Department != "D1" || !gotA.AccountEnabled {
		t.Errorf("a after the import = %+v, %v; want renamed, displayName A2, department kept, still enabled", gotA, err)
	}
	nu, _ := s.GetUser(ctx, "new@example.com")
	gotB, _ := s.GetUser(ctx, b.ObjectID)
	if gotB.AccountEnabled || gotB.Manager != nu.ObjectID || nu.Manager != a.ObjectID {
		t.Errorf("b after the import = %+v, want disabled with manager new (%s); new's manager %q, want a", gotB, nu.ObjectID, nu.Manager)
	}
}

func TestImportUsersBadHeader(t *testing.T) {
	tests := []struct {
		name, csv string
	}{
		{"empty file", ""},
		{"unknown column", "userPrincipalName,colour\na@x,blue\n"},
		{"no userPrincipalName", "displayName\nA\n"},
		{"duplicate column", "userPrincipalName,surname,Surname\na@x,b,c\n"},
		{"header not CSV", "userPrincipalName,sur\"name\na@x,b\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t)
			res, err := s.ImportUsers(ctx, strings.NewReader(tc.csv), dirsvc.ImportOptions{})
			if !errors.Is(err, dirsvc.ErrInvalid) || res.Imported != 0 {
				t.Errorf("ImportUsers(%s) = %+v, %v; want ErrInvalid and nothing imported", tc.name, res, err)
			}
			if us, _ := s.ListUsers(ctx, store.UserQuery{}); len(us) != 0 {
				t.Errorf("users after a rejected file = %d, want 0", len(us))
			}
		})
	}
}

// TestImportThroughput checks the bulk path imports thousands of rows per
// second (the bar) with a BOM and CRLF line ends.
func TestImportThroughput(t *testing.T) {
	n := 10000
	if raceEnabled {
		n = 1000
	}
	var b bytes.Buffer
	b.WriteString("\ufeffuserPrincipalName,givenName,surname,department,mail,extension_costCenter\r\n")
	for i := range n {
		fmt.Fprintf(&b, "user%d@example.com,User,Number%d,Dept%d,user%d@example.com,%d\r\n", i, i, i%10, i, i)
	}
	s, _ := newService(t)
	start := time.Now()
	res, err := s.ImportUsers(ctx, &b, dirsvc.ImportOptions{})
	elapsed := time.Since(start)
	if err != nil || res.Imported != n || res.Failed != 0 {
		t.Fatalf("ImportUsers(%d rows) = %d imported, %v failed, %v", n, res.Imported, res.Errors, err)
	}
	rate := float64(n) / elapsed.Seconds()
	t.Logf("imported %d users in %v (%.0f rows/s)", n, elapsed, rate)
	if rate < 2000 && !raceEnabled {
		t.Errorf("import rate = %.0f rows/s, want at least 2000", rate)
	}
}

// FuzzImportUsers: any input is imported or rejected row by row, never a
// panic, and every data row is counted exactly once.
func FuzzImportUsers(f *testing.F) {
	f.Add(importCSV)
	f.Add("userPrincipalName\n\"a@x\nb\n")
	f.Add("userPrincipalName,manager\na@x,a@x\nb@x,\"\"\"\n")
	f.Add("objectId,userPrincipalName\nnot-a-uuid,a@x\n")
	// An in-memory store: fuzzing instruments every package, and the
	// instrumented SQLite engine is too slow to fuzz through.
	s := dirsvc.New(&memDir{byUPN: map[string]directory.User{}}, dirsvc.Options{})
	f.Fuzz(func(t *testing.T, in string) {
		var last dirsvc.ImportProgress
		res, err := s.ImportUsers(ctx, strings.NewReader(in), dirsvc.ImportOptions{
			BatchSize: 3, Progress: func(p dirsvc.ImportProgress) { last = p }})
		if err != nil {
			if res.Imported != 0 || res.Failed != 0 {
				t.Errorf("ImportUsers() = %v with a result %+v", err, res)
			}
			return
		}
		if res.Imported+res.Failed != last.Rows {
			t.Errorf("imported %d + failed %d != rows %d", res.Imported, res.Failed, last.Rows)
		}
		for _, fe := range res.Errors {
			if fe.Line < 2 {
				t.Errorf("row error on line %d, want >= 2 (line 1 is the header)", fe.Line)
			}
		}
	})
}

// memDir is the part of store.Directory an import uses, in memory.
type memDir struct {
	store.Directory // nil: other methods are not called
	byUPN           map[string]directory.User
}

func (m *memDir) ImportUsers(_ context.Context, users []directory.User) ([]error, error) {
	errs := make([]error, len(users))
	for i, u := range users {
		k := strings.ToLower(u.UserPrincipalName)
		if _, taken := m.byUPN[k]; taken {
			errs[i] = store.ErrExists
			continue
		}
		m.byUPN[k] = u
	}
	return errs, nil
}

func (m *memDir) GetUserByUPN(_ context.Context, upn string) (directory.User, error) {
	if u, ok := m.byUPN[strings.ToLower(upn)]; ok {
		return u, nil
	}
	return directory.User{}, store.ErrNotFound
}

func (m *memDir) GetUser(_ context.Context, id string) (directory.User, error) {
	for _, u := range m.byUPN {
		if u.ObjectID == id {
			return u, nil
		}
	}
	return directory.User{}, store.ErrNotFound
}

// records is a source.Reader over records in memory.
type records []source.Record

func (r *records) Next() (source.Record, error) {
	if len(*r) == 0 {
		return source.Record{}, io.EOF
	}
	rec := (*r)[0]
	*r = (*r)[1:]
	return rec, nil
}

// TestSync: a source other than CSV writes through the same entry point,
// booleans as booleans.
func TestSync(t *testing.T) {
	s, _ := newService(t)
	src := records{
		{Line: 1, Attrs: []source.Attr{{Name: "userPrincipalName", Value: "a@example.com"}, {Name: "accountEnabled", Value: false}}},
		{Line: 2, Attrs: []source.Attr{{Name: "userPrincipalName", Value: "b@example.com"}, {Name: "manager", Value: "a@example.com"}}},
		{Line: 3, Err: fmt.Errorf("unreadable: %w", store.ErrInvalid)},
	}
	res, err := s.Sync(ctx, &src, dirsvc.ImportOptions{})
	if err != nil || res.Imported != 2 || res.Failed != 1 || res.Errors[0].Line != 3 {
		t.Fatalf("Sync() = %+v, %v; want 2 imported, line 3 failed", res, err)
	}
	a, _ := s.GetUser(ctx, "a@example.com")
	b, _ := s.GetUser(ctx, "b@example.com")
	if a.AccountEnabled || !b.AccountEnabled || b.Manager != a.ObjectID {
		t.Errorf("Sync() wrote a = %+v, b = %+v; want a disabled, b enabled with manager a", a, b)
	}
}
