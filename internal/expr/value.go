package expr

import (
	"fmt"
	"strconv"
	"time"
)

// kind is the type of a value during evaluation.
type kind uint8

const (
	kNull    kind = iota // absent
	kString              // string
	kBool                // bool, n is 0 or 1
	kInt                 // int64
	kList                // []string, multi-valued
	kComplex             // []map[string]any, complex multi-valued (roles)
	kDate                // DateTime (CDate, Now, DateAdd, DateFromNum)
)

// value is one value during evaluation, kept out of interfaces so that
// nested calls do not allocate for boxing.
type value struct {
	k kind
	s string
	n int64
	t time.Time
	l []string
	c []map[string]any
}

var null value

func strV(s string) value { return value{k: kString, s: s} }
func intV(n int64) value  { return value{k: kInt, n: n} }
func dateV(t time.Time) value {
	return value{k: kDate, t: t.UTC()}
}
func boolV(b bool) value {
	if b {
		return value{k: kBool, n: 1}
	}
	return value{k: kBool}
}

// empty reports null, "" or a list without values.
func (v value) empty() bool {
	switch v.k {
	case kNull:
		return true
	case kString:
		return v.s == ""
	case kList:
		return len(v.l) == 0
	case kComplex:
		return len(v.c) == 0
	}
	return false
}

// entraDate is the string form of a DateTime in Entra's functions
// (CDate, Now, DateAdd): M/d/yyyy h:mm:ss tt, UTC.
const entraDate = "1/2/2006 3:04:05 PM"

// text is v as a single string, as Entra's functions read it: null is "",
// a bool "True" or "False". ok is false for a multi-valued value.
func (v value) text() (s string, ok bool) {
	switch v.k {
	case kNull:
		return "", true
	case kString:
		return v.s, true
	case kBool:
		if v.n != 0 {
			return "True", true
		}
		return "False", true
	case kInt:
		return strconv.FormatInt(v.n, 10), true
	case kDate:
		return v.t.Format(entraDate), true
	}
	return "", false
}

// out is v as Eval returns it.
func (v value) out() (any, bool) {
	switch v.k {
	case kNull:
		return nil, false
	case kBool:
		return v.n != 0, true
	case kInt:
		return v.n, true
	case kList:
		return v.l, true
	case kComplex:
		return v.c, true
	}
	s, _ := v.text()
	return s, true
}

// fromAttr is an attribute value as Env.Attr gives it.
func fromAttr(a any) (value, error) {
	switch x := a.(type) {
	case nil:
		return null, nil
	case string:
		return strV(x), nil
	case bool:
		return boolV(x), nil
	case int64:
		return intV(x), nil
	case int:
		return intV(int64(x)), nil
	case []string:
		return value{k: kList, l: x}, nil
	case time.Time:
		return dateV(x), nil
	}
	return null, fmt.Errorf("unsupported value type %T", a)
}
