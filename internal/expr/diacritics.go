package expr

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// letters are the replacements of NormalizeDiacritics that canonical
// decomposition does not give (Entra's table: ß ss, æ ae, ø oe, and
// letters with a stroke or without a dot).
var letters = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "AE", 'ø': "oe", 'Ø': "OE", 'œ': "oe", 'Œ': "OE",
	'ł': "l", 'Ł': "L", 'ı': "i", 'đ': "d", 'Đ': "D", 'ħ': "h", 'Ħ': "H", 'ŧ': "t", 'Ŧ': "T",
}

// normalizeDiacritics replaces each Latin letter with a diacritic by the
// letter without it (Entra's NormalizeDiacritics table: é e, Å A, ǣ ae,
// ß ss); combining diacritical marks (U+0300–U+036F) are dropped; other
// characters, such as Greek or Cyrillic letters, are left alone.
func normalizeDiacritics(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
			continue
		case 0x300 <= r && r <= 0x36f:
			continue
		}
		if rep, ok := letters[r]; ok {
			b.WriteString(rep)
			continue
		}
		var buf [utf8.UTFMax]byte
		k := utf8.EncodeRune(buf[:], r)
		base, _ := utf8.DecodeRune(norm.NFD.Properties(buf[:k]).Decomposition())
		if rep, ok := letters[base]; ok {
			b.WriteString(rep)
		} else if base != utf8.RuneError && base < utf8.RuneSelf {
			b.WriteRune(base)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
