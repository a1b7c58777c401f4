package main

import (
	"strings"
	"testing"
)

func TestCaret(t *testing.T) {
	long := strings.Repeat("a", 100) + "X" + strings.Repeat("b", 100)
	tests := []struct {
		name, src string
		pos       int
		want      string
	}{
		{"first column", `Jion([a])`, 0, "  Jion([a])\n  ^"},
		{"after a multi-byte rune", `Join("é", Jion([a]))`, 11, "  Join(\"é\", Jion([a]))\n            ^"},
		{"end of input", `Left([x], 1`, 11, "  Left([x], 1\n             ^"},
		{"second line", "Join(\",\",\n  Jion([a]))", 12, "    Jion([a]))\n    ^"},
		{"long line cut", long, 100, "  …" + strings.Repeat("a", 60) + "X" + strings.Repeat("b", 59) + "…\n  " + strings.Repeat(" ", 61) + "^"},
	}
	for _, tt := range tests {
		if got := caret(tt.src, tt.pos); got != tt.want {
			t.Errorf("%s: caret(%q, %d) =\n%s\nwant\n%s", tt.name, tt.src, tt.pos, got, tt.want)
		}
	}
}
