package main

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

func TestParseSets(t *testing.T) {
	tests := []struct {
		name    string
		sets    []string
		want    map[string]any
		wantErr string
	}{
		{"values", []string{"surname=Lee", "department=Sales"}, map[string]any{"surname": "Lee", "department": "Sales"}, ""},
		{"value with =", []string{"extension_note=a=b"}, map[string]any{"extension_note": "a=b"}, ""},
		{"empty clears", []string{"jobTitle="}, map[string]any{"jobTitle": nil}, ""},
		{"boolean", []string{"accountEnabled=false"}, map[string]any{"accountEnabled": false}, ""},
		{"boolean any case", []string{"AccountEnabled=Yes"}, map[string]any{"AccountEnabled": true}, ""},
		{"bad boolean", []string{"accountEnabled=maybe"}, nil, "not true or false"},
		{"no =", []string{"surname"}, nil, "want NAME=VALUE"},
		{"no name", []string{"=Lee"}, nil, "want NAME=VALUE"},
		{"twice", []string{"surname=A", "surname=B"}, nil, "given twice"},
		{"none", nil, map[string]any{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSets(tt.sets)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseSets(%q) error = %v, want %q", tt.sets, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseSets(%q) = %v, %v; want %v", tt.sets, got, err, tt.want)
			}
		})
	}
}

func TestReadLines(t *testing.T) {
	files := map[string]string{"m.txt": "# team\n alice@x.io \n\nbob@x.io\r\n#bob2\n"}
	readFile := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	got, err := readLines(readFile, "m.txt")
	if want := []string{"alice@x.io", "bob@x.io"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("readLines(m.txt) = %q, %v; want %q", got, err, want)
	}
	if _, err := readLines(readFile, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("readLines(missing) error = %v, want fs.ErrNotExist", err)
	}
}

func TestChunks(t *testing.T) {
	tests := []struct {
		in   []string
		n    int
		want [][]string
	}{
		{nil, 2, nil},
		{[]string{"a"}, 2, [][]string{{"a"}}},
		{[]string{"a", "b"}, 2, [][]string{{"a", "b"}}},
		{[]string{"a", "b", "c", "d", "e"}, 2, [][]string{{"a", "b"}, {"c", "d"}, {"e"}}},
	}
	for _, tt := range tests {
		if got := chunks(tt.in, tt.n); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("chunks(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestJobToken(t *testing.T) {
	files := map[string]string{"tok": "  secret-from-file\n", "empty": "\n"}
	tests := []struct {
		name, token, file, env string
		want, wantErr          string
	}{
		{name: "file", file: "tok", env: "from-env", want: "secret-from-file"},
		{name: "flag", token: "from-flag", env: "from-env", want: "from-flag"},
		{name: "environment", env: " from-env ", want: "from-env"},
		{name: "none", want: ""},
		{name: "flag and file", token: "x", file: "tok", wantErr: "one of --token and --token-file"},
		{name: "empty file", file: "empty", wantErr: "is empty"},
		{name: "missing file", file: "nope", wantErr: "read --token-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &env{
				getenv: func(k string) string {
					if k == JobTokenEnv {
						return tt.env
					}
					return ""
				},
				readFile: func(p string) ([]byte, error) {
					if s, ok := files[p]; ok {
						return []byte(s), nil
					}
					return nil, fs.ErrNotExist
				},
			}
			got, err := jobToken(e, tt.token, tt.file)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("jobToken() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("jobToken() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPrincipalTarget(t *testing.T) {
	tests := []struct {
		user, group       string
		wantKind, wantRef string
		wantErr           bool
	}{
		{"a@x.io", "", "users", "a@x.io", false},
		{"", "Sales", "groups", "Sales", false},
		{"", "", "", "", true},
		{"a@x.io", "Sales", "", "", true},
	}
	for _, tt := range tests {
		p := principalFlags{user: tt.user, group: tt.group}
		kind, ref, err := p.target()
		if kind != tt.wantKind || ref != tt.wantRef || (err != nil) != tt.wantErr {
			t.Errorf("target(--user %q --group %q) = %q, %q, %v; want %q, %q, error %v", tt.user, tt.group, kind, ref, err, tt.wantKind, tt.wantRef, tt.wantErr)
		}
	}
}

func TestLogDetail(t *testing.T) {
	mod := apitypes.LogEntry{Status: "success", Modified: []apitypes.ModifiedProperty{{Name: "name.familyName", Old: "Jensen", New: "Lee"}}}
	tests := []struct {
		name string
		in   apitypes.LogEntry
		want string
	}{
		{"failure", apitypes.LogEntry{Status: "failure", ErrorCode: "409", Reason: "uniqueness"}, "409 uniqueness"},
		{"changes", mod, `name.familyName: "Jensen" → "Lee"`},
		{"reason", apitypes.LogEntry{Status: "skipped", Reason: "out of scope"}, "out of scope"},
	}
	for _, tt := range tests {
		if got := logDetail(tt.in); got != tt.want {
			t.Errorf("logDetail(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPrintJSONOr(t *testing.T) {
	tests := []struct {
		name   string
		asJSON bool
		want   string
	}{
		{"json", true, "{\n  \"deleted\": true\n}\n"},
		{"message", false, "Deleted x.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := printJSONOr(&env{stdout: &out}, &clientFlags{asJSON: tt.asJSON}, map[string]any{"deleted": true}, "Deleted x.\n")
			if err != nil || out.String() != tt.want {
				t.Errorf("printJSONOr(asJSON=%v) = %q, %v, want %q", tt.asJSON, out.String(), err, tt.want)
			}
		})
	}
}
