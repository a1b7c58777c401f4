package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
)

// A template is a URL or body with placeholders, compiled once and
// expanded per request without re-parsing. Each placeholder has one value
// per request, the same in the URL and the body however often it appears:
//
//	{{seq}}  a unique, increasing integer across all clients (from -seq-start)
//	{{rand}} a random integer in [0, -rand)
//	{{id}}   a random line of the -ids file
//	{{bool}} "True" and "False" alternately, as Entra sends booleans
type template struct {
	parts []part
}

type partKind int

const (
	literal partKind = iota
	seqVar
	randVar
	idVar
	boolVar
)

type part struct {
	kind partKind
	text string
}

// vars supplies placeholder values. It is shared by all clients.
type vars struct {
	seq     atomic.Int64
	flip    atomic.Int64
	randMax int
	ids     []string
}

// values are one request's placeholder values.
type values struct {
	seq  int64
	rand int
	id   string
	bool string
}

// next draws the values of one request.
func (v *vars) next(rng *rand.Rand) values {
	val := values{seq: v.seq.Add(1) - 1, bool: "False"}
	if v.flip.Add(1)%2 == 0 {
		val.bool = "True"
	}
	if v.randMax > 0 {
		val.rand = rng.IntN(v.randMax)
	}
	if len(v.ids) > 0 {
		val.id = v.ids[rng.IntN(len(v.ids))]
	}
	return val
}

func compileTemplate(s string, v *vars) (template, error) {
	var t template
	for s != "" {
		start := strings.Index(s, "{{")
		if start < 0 {
			t.parts = append(t.parts, part{kind: literal, text: s})
			break
		}
		end := strings.Index(s[start:], "}}")
		if end < 0 {
			return template{}, fmt.Errorf("unterminated placeholder in %q", s)
		}
		if start > 0 {
			t.parts = append(t.parts, part{kind: literal, text: s[:start]})
		}
		name := s[start+2 : start+end]
		kind, err := placeholderKind(name, v)
		if err != nil {
			return template{}, err
		}
		t.parts = append(t.parts, part{kind: kind})
		s = s[start+end+2:]
	}
	return t, nil
}

func placeholderKind(name string, v *vars) (partKind, error) {
	switch name {
	case "seq":
		return seqVar, nil
	case "rand":
		if v.randMax <= 0 {
			return 0, fmt.Errorf("{{rand}} needs -rand > 0")
		}
		return randVar, nil
	case "id":
		if len(v.ids) == 0 {
			return 0, fmt.Errorf("{{id}} needs a non-empty -ids file")
		}
		return idVar, nil
	case "bool":
		return boolVar, nil
	}
	return 0, fmt.Errorf("unknown placeholder {{%s}}", name)
}

// expand appends the expansion of t with val to dst.
func (t template) expand(dst []byte, val values) []byte {
	for _, p := range t.parts {
		switch p.kind {
		case literal:
			dst = append(dst, p.text...)
		case seqVar:
			dst = strconv.AppendInt(dst, val.seq, 10)
		case randVar:
			dst = strconv.AppendInt(dst, int64(val.rand), 10)
		case idVar:
			dst = append(dst, val.id...)
		case boolVar:
			dst = append(dst, val.bool...)
		}
	}
	return dst
}
