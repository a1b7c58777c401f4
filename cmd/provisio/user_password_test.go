package main

import (
	"io"
	"strings"
	"testing"
)

func TestReadPassword(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"line", "correct horse battery\n", "correct horse battery", false},
		{"CRLF", "correct horse battery\r\n", "correct horse battery", false},
		{"no newline", "correct horse battery", "correct horse battery", false},
		{"first line only", "first line\nsecond\n", "first line", false},
		{"spaces kept", " a b \n", " a b ", false},
		{"empty", "", "", true},
		{"empty line", "\n", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readPassword(strings.NewReader(tc.in), io.Discard)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("readPassword(%q) = %q, %v, want %q (error %v)", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
