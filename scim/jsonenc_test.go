package scim

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMarshalJSONMatchesEncodingJSON: MarshalJSON writes the same bytes as
// json.Marshal for documents of every shape, tricky strings and numbers
// included, and fails where it fails.
func TestMarshalJSONMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, "", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>",
		"\x00\x01\b\f\n\r\t\x1f\x7f", "café ☃ 𝄞", "\u2028\u2029", "bad \xff\xfe utf-8 \xe2\x82", "\xed\xa0\x80",
		0.0, math.Copysign(0, -1), 1.0, -42.0, 3.14159, 1e20, 1e21, 1e-6, 1e-7, 123456789e-15, -2.5e-300, math.MaxFloat64,
		[]any{}, []any(nil), map[string]any{}, map[string]any(nil), Resource(nil),
		[]string{"typed", "slice"}, json.Number("12"), 7, int64(-3),
		Resource{"schemas": []any{UserSchema}, "userName": "bjensen", "name": map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
			"emails": []any{map[string]any{"value": "b@example.com", "primary": true}}, "zeta": nil, "Alpha": 1.5, "alpha": "x", "ü": "key order by bytes"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		values = append(values, randomValue(rng, 4))
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%#v) = %v", v, err)
		}
		got, err := MarshalJSON(v)
		if err != nil || string(got) != string(want) {
			t.Errorf("MarshalJSON(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
	for _, bad := range []any{math.Inf(1), math.NaN(), map[string]any{"x": []any{math.Inf(-1)}}, map[string]any{"c": make(chan int)}} {
		if _, err := MarshalJSON(bad); err == nil {
			t.Errorf("MarshalJSON(%#v) = nil error, want json.Marshal's", bad)
		}
	}
}

// randomValue is a random document value of at most depth levels.
func randomValue(rng *rand.Rand, depth int) any {
	n := rng.IntN(8)
	if depth == 0 {
		n %= 4
	}
	switch n {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return math.Float64frombits(rng.Uint64()&^(0x7ff<<52) | uint64(rng.IntN(0x7fe))<<52)
	case 3, 4:
		return randomString(rng)
	case 5:
		a := make([]any, rng.IntN(4))
		for i := range a {
			a[i] = randomValue(rng, depth-1)
		}
		return a
	default:
		m := map[string]any{}
		for range rng.IntN(6) {
			m[randomString(rng)] = randomValue(rng, depth-1)
		}
		return m
	}
}

func randomString(rng *rand.Rand) string {
	const alphabet = "aZ09 \"\\/<>&\x00\x1f\x7f\u00e9\u2028\u2029\U0001d11e\xff"
	var b strings.Builder
	for range rng.IntN(12) {
		i := rng.IntN(len(alphabet))
		b.WriteByte(alphabet[i])
	}
	return b.String()
}
