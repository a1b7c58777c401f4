package sqlstore

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestJSONTextIsMarshal(t *testing.T) {
	for _, v := range []any{
		map[string]any{"displayName": "<R&D>", "members": []string{"a", "b"}, "n": 1.5, "ok": true},
		nil, "x\u2028y", []any{},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := jsonText(v); err != nil || got != string(want) {
			t.Errorf("jsonText(%v) = %q, %v; want %q", v, got, err, want)
		}
	}
	if _, err := jsonText(map[string]any{"f": func() {}}); err == nil {
		t.Error("jsonText of a func: no error")
	}
}

// BenchmarkWrittenMembers encodes a 1,000,000-member group's written
// state as WriteLinks does (B/op: what the text costs).
func BenchmarkWrittenMembers(b *testing.B) {
	ids := make([]string, 1_000_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	v := map[string]any{"displayName": "All", "members": ids}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jsonText(v); err != nil {
			b.Fatal(err)
		}
	}
}
