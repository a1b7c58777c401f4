package expr

import (
	"encoding/binary"
	"io"
	"strings"
)

// The character classes of RandomString: those of Windows' "Password must
// meet complexity requirements" policy, which Entra's documentation cites.
var randomClasses = [4]string{
	"0123456789",
	"~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"abcdefghijklmnopqrstuvwxyz",
}

// maxRandomString is RandomString's longest length (Entra: 256).
const maxRandomString = 256

// RandomString(Length, MinimumNumbers, MinimumSpecialCharacters,
// MinimumCapital, MinimumLowerCase, CharactersToAvoid): a random string
// from Env.Rand with at least the minimum of each class; the other
// characters come from the classes with a minimum above 0 (all classes if
// none has), never from CharactersToAvoid.
func callRandomString(c evalCtx, n *node) (value, error) {
	var nums [5]int64
	for i := range nums {
		x, ok, err := c.integer(n, i)
		if err != nil {
			return null, err
		}
		if !ok || x < 0 {
			return null, c.errorf(n, "%s must be a number 0 or more", c.source(n, i))
		}
		nums[i] = x
	}
	length, mins := nums[0], nums[1:]
	avoid, _, err := c.text(n, 5)
	if err != nil {
		return null, err
	}
	if length < 1 || length > maxRandomString {
		return null, c.errorf(n, "length %d: want 1 to %d", length, maxRandomString)
	}
	if sum := mins[0] + mins[1] + mins[2] + mins[3]; sum > length {
		return null, c.errorf(n, "the minimums add up to %d, more than length %d", sum, length)
	}
	var classes [4]string
	var rest strings.Builder
	for i, class := range randomClasses {
		classes[i] = strings.Map(func(r rune) rune {
			if strings.ContainsRune(avoid, r) {
				return -1
			}
			return r
		}, class)
		if mins[i] > 0 && classes[i] == "" {
			return null, c.errorf(n, "CharactersToAvoid leaves no characters for a minimum of %d", mins[i])
		}
		if mins[i] > 0 {
			rest.WriteString(classes[i])
		}
	}
	if rest.Len() == 0 {
		for _, class := range classes {
			rest.WriteString(class)
		}
	}
	pool := rest.String()
	if pool == "" {
		return null, c.errorf(n, "CharactersToAvoid leaves no characters")
	}
	rnd := c.random()
	out := make([]byte, 0, length)
	pick := func(from string) error {
		i, err := randIntn(rnd, len(from))
		out = append(out, from[i])
		return err
	}
	for i, m := range mins {
		for range m {
			if err := pick(classes[i]); err != nil {
				return null, c.errorf(n, "%w", err)
			}
		}
	}
	for int64(len(out)) < length {
		if err := pick(pool); err != nil {
			return null, c.errorf(n, "%w", err)
		}
	}
	for i := len(out) - 1; i > 0; i-- { // Fisher–Yates
		j, err := randIntn(rnd, i+1)
		if err != nil {
			return null, c.errorf(n, "%w", err)
		}
		out[i], out[j] = out[j], out[i]
	}
	return strV(string(out)), nil
}

// randIntn is a uniform random integer in [0, n) read from r.
func randIntn(r io.Reader, n int) (int, error) {
	limit := (1<<32 - 1) - (1<<32)%uint64(n)
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, err
		}
		if x := uint64(binary.LittleEndian.Uint32(b[:])); x < limit {
			return int(x % uint64(n)), nil
		}
	}
}
