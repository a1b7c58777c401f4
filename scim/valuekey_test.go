package scim

import (
	"strings"
	"testing"
)

func TestValueKey(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"ascii", "Alice", "aLICE"},
		{"kelvin sign", "\u212a", "k"},
		{"final sigma", "ΟΔΟΣ", "οδος"},
		{"long s", "ſ", "S"},
		{"not equal", "alice", "alicf"},
		{"invalid utf-8", "a\xff", "A\xfe"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ka, _ := ValueKey(false, tc.a)
			kb, _ := ValueKey(false, tc.b)
			if got, want := ka == kb, strings.EqualFold(tc.a, tc.b); got != want {
				t.Errorf("ValueKey(%q) == ValueKey(%q) is %v, want %v (strings.EqualFold)", tc.a, tc.b, got, want)
			}
		})
	}
}
