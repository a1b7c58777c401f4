package scim

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValueKey returns a map key for a simple value: two values get the same
// key exactly when SCIM finds them equal (RFC 7643 §2.1: strings equal under
// simple Unicode case folding, as strings.EqualFold, unless caseExact;
// numbers and booleans equal). ok is false for values without a key (nil,
// objects, lists). Stores use it for uniqueness indexes, PATCH and
// [ResourceType.Normalize] to find equal values of a multi-valued
// attribute without comparing every pair.
func ValueKey(caseExact bool, v any) (key string, ok bool) {
	switch x := v.(type) {
	case string:
		if caseExact {
			return "s" + x, true
		}
		return "s" + foldKey(x), true
	case float64:
		if x == 0 {
			x = 0 // -0 equals 0
		}
		return "n" + strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return "b" + strconv.FormatBool(x), true
	}
	return "", false
}

// foldKey maps every rune of s to the smallest rune of its simple case
// folding orbit, so foldKey(a) == foldKey(b) exactly when
// strings.EqualFold(a, b) (plain lower-casing differs for runes such as
// the final sigma ς, which folds to σ and Σ).
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A'
		case r >= utf8.RuneSelf:
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				r = min(r, f)
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
