package scim

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckIdentifier(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  string // substring; "" means valid
	}{
		{"empty", "", ""},
		{"ascii", "alice@contoso.com", ""},
		{"unicode", "jürgen.müller@example.dk", ""},
		{"encoded U+FFFD", "a\uFFFDb", ""},
		{"at the limit", strings.Repeat("é", MaxIdentifierLength), ""},
		{"4-byte characters at the limit", strings.Repeat("😀", MaxIdentifierLength), ""},
		{"over the limit", strings.Repeat("a", MaxIdentifierLength+1), "longer than 512 characters"},
		{"NUL", "a\x00b", "control character U+0000 at character 2"},
		{"TAB", "a\tb", "U+0009"},
		{"LF", "a\n", "U+000A"},
		{"DEL", "a\x7f", "U+007F"},
		{"C1", "a\u0085", "U+0085"},
		{"invalid UTF-8", "a\xffb", "not valid UTF-8 (byte 2)"},
		{"truncated UTF-8", "a\xc3", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckIdentifier("userName", tt.in)
			checkErr(t, "CheckIdentifier", tt.in, err, tt.wantErr)
		})
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		wantErr  string
	}{
		{"TAB LF CR", "a\tb\r\nc", 10, ""},
		{"DEL and C1 are text", "a\x7f\u0085", 10, ""},
		{"at the limit", "abc", 3, ""},
		{"over the limit", "abcd", 3, "title is longer than 3 characters"},
		{"NUL", "a\x00", 10, "control character U+0000 at character 2 (text may contain only TAB, LF and CR)"},
		{"ESC", "\x1b[31m", 10, "U+001B"},
		{"invalid UTF-8", "\xed\xa0\x80", 10, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckText("title", tt.in, tt.max)
			checkErr(t, "CheckText", tt.in, err, tt.wantErr)
		})
	}
}

func TestCheckStrings(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name    string
		res     Resource
		wantErr string
	}{
		{"valid", Resource{"userName": "bob", "name": map[string]any{"formatted": "Bob\nSmith"}, "emails": []any{map[string]any{"value": "b@x"}}}, ""},
		{"NUL in userName", Resource{"userName": "b\x00b"}, "userName contains the control character U+0000"},
		{"TAB in externalId", Resource{"externalId": "a\tb"}, "externalId contains the control character U+0009"},
		{"long userName", Resource{"userName": long(3000)}, "userName is longer than 512 characters"},
		{"long displayName", Resource{"displayName": long(10000)}, "displayName is longer than 512 characters"},
		{"LF in displayName", Resource{"displayName": "a\nb"}, ""},
		{"NUL in a member value", Resource{"members": []any{map[string]any{"value": "a\x00"}}}, "members.value contains"},
		{"long member display", Resource{"members": []any{map[string]any{"value": "a", "display": long(600)}}}, ""},
		{"NUL deep in a complex value", Resource{"emails": []any{map[string]any{"value": "a", "type": "w\x00"}}}, "emails.type contains"},
		{"NUL in an extension", Resource{"urn:x:User": map[string]any{"costCenter": "\x00"}}, "urn:x:User.costCenter contains"},
		{"long free text", Resource{"title": long(MaxStringLength + 1)}, "title is longer than 65536 characters"},
		{"free text at the limit", Resource{"title": long(MaxStringLength)}, ""},
		{"NUL in an attribute name", Resource{"ti\x00tle": "x"}, "an attribute name contains"},
		{"numbers and booleans", Resource{"active": true, "n": 1.5, "x": nil}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckStrings(tt.res)
			checkErr(t, "CheckStrings", tt.name, err, tt.wantErr)
			var se *Error
			if err != nil && (!errors.As(err, &se) || se.Status != 400 || se.ScimType != ScimTypeInvalidValue) {
				t.Errorf("CheckStrings(%s) = %#v, want a 400 invalidValue *Error", tt.name, err)
			}
		})
	}
}

func checkErr(t *testing.T, fn, in string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s(%q) = %v, want nil", fn, trim(in), err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s(%q) = %v, want an error containing %q", fn, trim(in), err, want)
	}
}

func trim(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// FuzzCheckText checks the validators against their definition: a value
// passes exactly when it is valid UTF-8, short enough and free of the
// refused control characters, and the error never quotes the value.
func FuzzCheckText(f *testing.F) {
	for _, seed := range []string{"", "alice", "a\x00b", "a\tb\n", "\xff", "\u0085", "😀😀", "\xef\xbf\xbd", "\x7f"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		const max = 8
		n := utf8.RuneCountInString(s)
		anyCC := strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f })
		c0 := strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' })
		valid := utf8.ValidString(s)
		if err := CheckText("v", s, max); (err == nil) != (valid && n <= max && !c0) {
			t.Errorf("CheckText(%q, %d) = %v; valid UTF-8 %t, %d characters, C0 %t", s, max, err, valid, n, c0)
		}
		err := CheckIdentifier("v", s)
		if (err == nil) != (valid && n <= MaxIdentifierLength && !anyCC) {
			t.Errorf("CheckIdentifier(%q) = %v; valid UTF-8 %t, %d characters, Cc %t", s, err, valid, n, anyCC)
		}
		if err != nil && len(s) > 3 && strings.Contains(err.Error(), s) {
			t.Errorf("CheckIdentifier(%q) = %v, quotes the value", s, err)
		}
		if err == nil {
			if err := CheckStrings(Resource{"userName": s, "title": s}); err != nil {
				t.Errorf("CheckStrings(userName %q) = %v, want nil as CheckIdentifier accepts it", s, err)
			}
		}
	})
}
