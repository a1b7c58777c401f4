package expr

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/uuid"
)

// function is one function of the language: its name (as Entra spells
// it), how many arguments it takes (max < 0: no upper bound), how it
// evaluates a call and an optional parse-time check of a call.
type function struct {
	name     string
	min, max int
	call     func(c evalCtx, n *node) (value, error)
	check    func(n *node) error
	id       int // bit of Expr.funcs
}

// functions are the supported functions, in Entra's documentation order
// ("Reference for writing expressions for attribute mappings", List of
// Functions). At most 64 (Expr.funcs is a bit set).
var functions = []*function{
	{name: "Append", min: 2, max: 2, call: callAppend},
	{name: "AppRoleAssignmentsComplex", min: 1, max: 1, call: callRolesComplex},
	{name: "AssertiveAppRoleAssignmentsComplex", min: 1, max: 1, call: callRolesComplex},
	{name: "BitAnd", min: 2, max: 2, call: callBitAnd},
	{name: "CBool", min: 1, max: 1, call: callCBool},
	{name: "CDate", min: 1, max: 1, call: callCDate},
	{name: "Coalesce", min: 1, max: -1, call: callCoalesce},
	{name: "ConvertToBase64", min: 1, max: 1, call: callConvertToBase64},
	{name: "ConvertToUTF8Hex", min: 1, max: 1, call: callConvertToUTF8Hex},
	{name: "Count", min: 1, max: 1, call: callCount},
	{name: "CStr", min: 1, max: 1, call: callCStr},
	{name: "DateAdd", min: 3, max: 3, call: callDateAdd, check: checkInterval},
	{name: "DateDiff", min: 3, max: 3, call: callDateDiff, check: checkInterval},
	{name: "DateFromNum", min: 1, max: 1, call: callDateFromNum},
	{name: "FormatDateTime", min: 4, max: 4, call: callFormatDateTime, check: checkFormats},
	{name: "Guid", min: 0, max: 0, call: callGuid},
	{name: "IgnoreFlowIfNullOrEmpty", min: 1, max: 1, call: callIgnoreFlowIfNullOrEmpty},
	{name: "IIF", min: 3, max: 3, call: callIIF},
	{name: "InStr", min: 2, max: 4, call: callInStr},
	{name: "IsNull", min: 1, max: 1, call: callIsNull},
	{name: "IsNullOrEmpty", min: 1, max: 1, call: callIsNullOrEmpty},
	{name: "IsPresent", min: 1, max: 1, call: callIsPresent},
	{name: "IsString", min: 1, max: 1, call: callIsString},
	{name: "Item", min: 2, max: 2, call: callItem},
	{name: "Join", min: 2, max: -1, call: callJoin},
	{name: "Left", min: 2, max: 2, call: callLeft},
	{name: "Len", min: 1, max: 1, call: callLen},
	{name: "Mid", min: 3, max: 3, call: callMid},
	{name: "NormalizeDiacritics", min: 1, max: 1, call: callNormalizeDiacritics},
	{name: "Not", min: 1, max: 1, call: callNot},
	{name: "Now", min: 0, max: 0, call: callNow},
	{name: "NumFromDate", min: 1, max: 1, call: callNumFromDate},
	{name: "PCase", min: 1, max: 2, call: callPCase},
	{name: "RandomString", min: 5, max: 6, call: callRandomString},
	{name: "Redact", min: 1, max: 1, call: callRedact},
	{name: "RemoveDuplicates", min: 1, max: 1, call: callRemoveDuplicates},
	{name: "Replace", min: 3, max: 7, call: callReplace, check: checkReplace},
	{name: "SelectUniqueValue", min: 2, max: -1, call: callSelectUniqueValue},
	{name: "SingleAppRoleAssignment", min: 1, max: 1, call: callSingleAppRoleAssignment},
	{name: "Split", min: 2, max: 2, call: callSplit},
	{name: "StripSpaces", min: 1, max: 1, call: callStripSpaces},
	{name: "Switch", min: 4, max: -1, call: callSwitch, check: checkSwitch},
	{name: "ToLower", min: 1, max: 2, call: callToLower},
	{name: "ToUpper", min: 1, max: 2, call: callToUpper},
	{name: "Word", min: 3, max: 3, call: callWord},
}

var (
	byName   = map[string]*function{}
	fnRedact *function
)

func init() {
	for i, fn := range functions {
		fn.id = i
		byName[strings.ToLower(fn.name)] = fn
	}
	fnRedact = byName["redact"]
}

// lookup finds a function by name, ignoring case.
func lookup(name string) (*function, bool) {
	fn, ok := byName[name]
	if !ok {
		fn, ok = byName[strings.ToLower(name)]
	}
	return fn, ok
}

// ErrNoUniqueValue is the error of a SelectUniqueValue whose candidates
// are all taken (Entra escrows the object).
var ErrNoUniqueValue = errors.New("no unique value")

// Append(source, suffix): null source is null, null suffix appends nothing.
func callAppend(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	suffix, _, err := c.text(n, 1)
	if err != nil {
		return null, err
	}
	return strV(s + suffix), nil
}

// roles is the app role assignments argument: the role values.
func (c evalCtx) roles(n *node) ([]string, error) {
	v, err := c.arg(n, 0)
	switch {
	case err != nil:
		return nil, err
	case v.k == kList:
		return v.l, nil
	case v.k == kString && v.s != "":
		return []string{v.s}, nil
	case v.k == kNull || v.k == kString:
		return nil, nil
	}
	return nil, c.errorf(n, "%s is not app role assignments", c.source(n, 0))
}

// AppRoleAssignmentsComplex([appRoleAssignments]) and its Assertive twin:
// the roles as SCIM complex values; null without roles. (The two differ in
// how the engine PATCHes them, not in value.)
func callRolesComplex(c evalCtx, n *node) (value, error) {
	roles, err := c.roles(n)
	if err != nil || len(roles) == 0 {
		return null, err
	}
	out := make([]map[string]any, len(roles))
	for i, r := range roles {
		out[i] = map[string]any{"primary": false, "type": "WindowsAzureActiveDirectoryRole", "display": r, "value": r}
	}
	return value{k: kComplex, c: out}, nil
}

// SingleAppRoleAssignment([appRoleAssignments]): the first role; null
// without roles.
func callSingleAppRoleAssignment(c evalCtx, n *node) (value, error) {
	roles, err := c.roles(n)
	if err != nil || len(roles) == 0 {
		return null, err
	}
	return strV(roles[0]), nil
}

// BitAnd(value1, value2): bitwise AND of two integers.
func callBitAnd(c evalCtx, n *node) (value, error) {
	a, ok, err := c.integer(n, 0)
	if err != nil || !ok {
		return null, err
	}
	b, ok, err := c.integer(n, 1)
	if err != nil || !ok {
		return null, err
	}
	return intV(a & b), nil
}

// CBool(expression): a boolean; a number is true when non-zero.
func callCBool(c evalCtx, n *node) (value, error) {
	b, ok, err := c.boolean(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return boolV(b), nil
}

// Not(source): the boolean flipped.
func callNot(c evalCtx, n *node) (value, error) {
	b, ok, err := c.boolean(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return boolV(!b), nil
}

// Coalesce(source1, …, defaultValue): the first argument that is not null.
func callCoalesce(c evalCtx, n *node) (value, error) {
	for _, a := range n.args {
		v, err := c.eval(a)
		if err != nil || v.k != kNull {
			return v, err
		}
	}
	return null, nil
}

// ConvertToBase64(source): base64 of the UTF-16LE bytes (.NET's Unicode).
func callConvertToBase64(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, x := range u {
		b[2*i], b[2*i+1] = byte(x), byte(x>>8)
	}
	return strV(base64.StdEncoding.EncodeToString(b)), nil
}

// ConvertToUTF8Hex(source): the UTF-8 bytes in upper-case hex.
func callConvertToUTF8Hex(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return strV(strings.ToUpper(hex.EncodeToString([]byte(s)))), nil
}

// Count(attribute): the number of values; 0 for null.
func callCount(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	switch {
	case err != nil:
		return null, err
	case v.k == kNull:
		return intV(0), nil
	case v.k == kList:
		return intV(int64(len(v.l))), nil
	case v.k == kComplex:
		return intV(int64(len(v.c))), nil
	}
	return intV(1), nil
}

// CStr(value): the value as a string ("True"/"False" for a boolean).
func callCStr(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return strV(s), nil
}

// CDate(expression): a DateTime from a date string.
func callCDate(c evalCtx, n *node) (value, error) {
	t, ok, err := c.date(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return dateV(t), nil
}

// Now(): the current time, from Env.Now.
func callNow(c evalCtx, _ *node) (value, error) {
	if c.env.Now != nil {
		return dateV(c.env.Now()), nil
	}
	return dateV(time.Now()), nil
}

var intervals = []string{"yyyy", "q", "m", "y", "d", "w", "ww", "h", "n", "s"}

// checkInterval rejects a literal interval DateAdd and DateDiff do not know.
func checkInterval(n *node) error {
	if a := n.args[0]; a.kind == nString && !isInterval(a.s) {
		return &SyntaxError{Pos: a.pos, Msg: fmt.Sprintf("%s: unknown interval %q", n.fn.name, a.s),
			Hint: "use one of " + strings.Join(intervals, " ")}
	}
	return nil
}

func isInterval(s string) bool {
	for _, i := range intervals {
		if strings.EqualFold(s, i) {
			return true
		}
	}
	return false
}

// DateAdd(interval, value, dateTime): dateTime plus value intervals.
func callDateAdd(c evalCtx, n *node) (value, error) {
	interval, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	k, ok, err := c.integer(n, 1)
	if err != nil || !ok {
		return null, err
	}
	t, ok, err := c.date(n, 2)
	if err != nil || !ok {
		return null, err
	}
	t, ok = addInterval(strings.ToLower(interval), k, t)
	if !ok {
		return null, c.errorf(n, "unknown interval %q", interval)
	}
	return dateV(t), nil
}

// DateDiff(interval, date1, date2): date2 - date1 in intervals.
func callDateDiff(c evalCtx, n *node) (value, error) {
	interval, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	d1, ok, err := c.date(n, 1)
	if err != nil || !ok {
		return null, err
	}
	d2, ok, err := c.date(n, 2)
	if err != nil || !ok {
		return null, err
	}
	d, ok := diffInterval(strings.ToLower(interval), d1, d2)
	if !ok {
		return null, c.errorf(n, "unknown interval %q", interval)
	}
	return intV(d), nil
}

// DateFromNum(value): the DateTime of an AD integer date.
func callDateFromNum(c evalCtx, n *node) (value, error) {
	x, ok, err := c.integer(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return dateV(fromFileTime(x)), nil
}

// NumFromDate(value): the AD integer date of an ISO 8601 date.
func callNumFromDate(c evalCtx, n *node) (value, error) {
	t, ok, err := c.date(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return intV(toFileTime(t)), nil
}

// checkFormats checks literal .NET formats of FormatDateTime.
func checkFormats(n *node) error {
	for _, a := range n.args[2:] {
		if a.kind == nString {
			if _, err := dnTokens(a.s); err != nil {
				return &SyntaxError{Pos: a.pos, Msg: "FormatDateTime: " + err.Error()}
			}
		}
	}
	return nil
}

// FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat): the
// date in source, read in inputFormat, written in outputFormat. A DateTime
// source (CDate, Now) needs no inputFormat. dateTimeStyles is accepted
// and ignored: Provisio always reads as Entra's default does.
func callFormatDateTime(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	if err != nil || v.k == kNull {
		return null, err
	}
	if _, err := c.arg(n, 1); err != nil {
		return null, err
	}
	t := v.t
	if v.k != kDate {
		s, err := c.single(n, 0, v)
		if err != nil {
			return null, err
		}
		in, ok, err := c.text(n, 2)
		if err != nil {
			return null, err
		}
		if !ok {
			return null, c.errorf(n, "inputFormat is null")
		}
		if t, err = parseDotNet(s, in); err != nil {
			return null, c.errorf(n, "%w", err)
		}
	}
	out, ok, err := c.text(n, 3)
	if err != nil {
		return null, err
	}
	if !ok {
		return null, c.errorf(n, "outputFormat is null")
	}
	s, err := formatDotNet(t, out)
	if err != nil {
		return null, c.errorf(n, "%w", err)
	}
	return strV(s), nil
}

// random is Env.Rand, or crypto/rand.
func (c evalCtx) random() io.Reader {
	if c.env.Rand != nil {
		return c.env.Rand
	}
	return rand.Reader
}

// Guid(): a new random (version 4) GUID, lower case.
func callGuid(c evalCtx, n *node) (value, error) {
	u, err := uuid.NewRandomFromReader(c.random())
	if err != nil {
		return null, c.errorf(n, "%w", err)
	}
	return strV(u.String()), nil
}

// IgnoreFlowIfNullOrEmpty(expression): null when expression is null or
// empty, so the attribute does not flow.
func callIgnoreFlowIfNullOrEmpty(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	if err != nil || v.empty() {
		return null, err
	}
	return v, nil
}

// IIF(condition, valueIfTrue, valueIfFalse): only the chosen value is
// evaluated.
func callIIF(c evalCtx, n *node) (value, error) {
	b, ok, err := c.boolean(n, 0)
	if err != nil {
		return null, err
	}
	if !ok {
		return null, c.errorf(n, "condition %s is null", c.source(n, 0))
	}
	if b {
		return c.arg(n, 1)
	}
	return c.arg(n, 2)
}

// InStr(value1, value2, start, compareType): the 1-based position of
// value2 in value1 from start, 0 if absent; compareType vbTextCompare
// ignores case, vbBinaryCompare (the default) does not.
func callInStr(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	sub, ok, err := c.text(n, 1)
	if err != nil || !ok {
		return null, err
	}
	start, ok, err := c.integer(n, 2)
	if err != nil {
		return null, err
	}
	if !ok {
		start = 1
	}
	if start < 1 {
		return null, c.errorf(n, "start %d is less than 1", start)
	}
	fold := false
	switch v, err := c.arg(n, 3); {
	case err != nil:
		return null, err
	case v.k == kNull, v.k == kInt && v.n == 0, v.k == kString && (strings.EqualFold(v.s, "vbBinaryCompare") || v.s == "0"):
	case v.k == kInt && v.n == 1, v.k == kString && (strings.EqualFold(v.s, "vbTextCompare") || v.s == "1"):
		fold = true
	default:
		return null, c.errorf(n, "compareType %s: want vbBinaryCompare or vbTextCompare", c.source(n, 3))
	}
	return intV(int64(inStr([]rune(s), []rune(sub), int(min(start, int64(len(s)+1))), fold))), nil
}

func inStr(s, sub []rune, start int, fold bool) int {
	for i := start - 1; i+len(sub) <= len(s); i++ {
		match := true
		for j, r := range sub {
			if x := s[i+j]; x != r && (!fold || unicode.ToLower(x) != unicode.ToLower(r)) {
				match = false
				break
			}
		}
		if match {
			return i + 1
		}
	}
	return 0
}

// IsNull(expression): true when null.
func callIsNull(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	return boolV(v.k == kNull), err
}

// IsNullOrEmpty(expression): true when null or empty.
func callIsNullOrEmpty(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	return boolV(v.empty()), err
}

// IsPresent(expression): true when neither null nor empty.
func callIsPresent(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	return boolV(!v.empty()), err
}

// IsString(expression): true when a string (a DateTime is one).
func callIsString(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	return boolV(v.k == kString || v.k == kDate), err
}

// Item(attribute, index): value index (1-based; 0 is taken as 1) of a
// multi-valued attribute; null out of range. A single value is a list of
// one.
func callItem(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	if err != nil || v.k == kNull {
		return null, err
	}
	i, ok, err := c.integer(n, 1)
	if err != nil || !ok || i < 0 {
		return null, err
	}
	i = max(i, 1)
	switch v.k {
	case kList:
		if i > int64(len(v.l)) {
			return null, nil
		}
		return strV(v.l[i-1]), nil
	case kComplex:
		return null, c.errorf(n, "%s is complex", c.source(n, 0))
	}
	if i > 1 {
		return null, nil
	}
	return v, nil
}

// Join(separator, source1, …): the values joined by separator; a
// multi-valued source adds each of its values. Null and empty values are
// skipped (Entra's example: Join(", ", "", [surname], [givenName]) is
// "Doe, John"); null when every source is null.
func callJoin(c evalCtx, n *node) (value, error) {
	sep, _, err := c.text(n, 0)
	if err != nil {
		return null, err
	}
	var b strings.Builder
	b.Grow(64)
	some, first := false, true
	add := func(s string) {
		if s == "" {
			return
		}
		if !first {
			b.WriteString(sep)
		}
		b.WriteString(s)
		first = false
	}
	for i := 1; i < len(n.args); i++ {
		v, err := c.eval(n.args[i])
		if err != nil {
			return null, err
		}
		switch v.k {
		case kNull:
			continue
		case kList:
			for _, s := range v.l {
				add(s)
			}
		default:
			s, err := c.single(n, i, v)
			if err != nil {
				return null, err
			}
			add(s)
		}
		some = true
	}
	if !some {
		return null, nil
	}
	return strV(b.String()), nil
}

// Left(string, numChars): the first numChars characters; 0 gives "", a
// negative number the whole string, null "".
func callLeft(c evalCtx, n *node) (value, error) {
	s, _, err := c.text(n, 0)
	if err != nil {
		return null, err
	}
	k, ok, err := c.integer(n, 1)
	if err != nil || !ok || k < 0 {
		return strV(s), err
	}
	return strV(prefix(s, k)), nil
}

// prefix is the first k runes of s.
func prefix(s string, k int64) string {
	for i := range s {
		if k == 0 {
			return s[:i]
		}
		k--
	}
	return s
}

// Len(string): the number of characters; 0 for null.
func callLen(c evalCtx, n *node) (value, error) {
	s, _, err := c.text(n, 0)
	if err != nil {
		return null, err
	}
	return intV(int64(utf8.RuneCountInString(s))), nil
}

// Mid(source, start, length): length characters from start (1-based).
func callMid(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	start, ok, err := c.integer(n, 1)
	if err != nil || !ok {
		return null, err
	}
	length, ok, err := c.integer(n, 2)
	if err != nil || !ok {
		return null, err
	}
	if start < 1 {
		return null, c.errorf(n, "start %d is less than 1", start)
	}
	if length < 0 {
		return null, c.errorf(n, "length %d is negative", length)
	}
	for i := range s {
		if start == 1 {
			return strV(prefix(s[i:], length)), nil
		}
		start--
	}
	return strV(""), nil
}

// NormalizeDiacritics(source): letters without their diacritics.
func callNormalizeDiacritics(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return strV(normalizeDiacritics(s)), nil
}

// PCase(source, wordSeparators): each word's first letter upper case, the
// rest lower case. Without wordSeparators any character but a letter,
// digit, combining mark or apostrophe separates words (.NET ToTitleCase).
func callPCase(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	seps, _, err := c.text(n, 1)
	if err != nil {
		return null, err
	}
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		var sep bool
		if seps != "" {
			sep = strings.ContainsRune(seps, r)
		} else {
			sep = !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && r != '\''
		}
		switch {
		case sep:
			start = true
		case start:
			r, start = unicode.ToTitle(r), false
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return strV(b.String()), nil
}

// Redact(value): the value; logs show "[Redact]" (Expr.Redacted).
func callRedact(c evalCtx, n *node) (value, error) { return c.arg(n, 0) }

// RemoveDuplicates(attribute): the values without repeats, first kept.
func callRemoveDuplicates(c evalCtx, n *node) (value, error) {
	v, err := c.arg(n, 0)
	if err != nil || v.k != kList {
		return v, err
	}
	seen := make(map[string]bool, len(v.l))
	out := make([]string, 0, len(v.l))
	for _, s := range v.l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return value{k: kList, l: out}, nil
}

// SelectUniqueValue(rule1, rule2, …): the first rule whose value is
// neither null nor empty nor Env.Taken; ErrNoUniqueValue if none is.
// Rules are evaluated one at a time, as needed.
func callSelectUniqueValue(c evalCtx, n *node) (value, error) {
	for i, a := range n.args {
		v, err := c.eval(a)
		if err != nil {
			return null, err
		}
		if v.empty() {
			continue
		}
		s, err := c.single(n, i, v)
		if err != nil {
			return null, err
		}
		if c.env.Taken == nil {
			return strV(s), nil
		}
		taken, err := c.env.Taken(s)
		if err != nil {
			return null, c.errorf(n, "check %q: %w", s, err)
		}
		if !taken {
			return strV(s), nil
		}
	}
	return null, c.errorf(n, "%w: all %d candidates are taken or empty", ErrNoUniqueValue, len(n.args))
}

// Split(source, delimiter): the parts of source between delimiters.
func callSplit(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	sep, _, err := c.text(n, 1)
	if err != nil {
		return null, err
	}
	if sep == "" {
		return value{k: kList, l: []string{s}}, nil
	}
	return value{k: kList, l: strings.Split(s, sep)}, nil
}

// StripSpaces(source): source without space characters.
func callStripSpaces(c evalCtx, n *node) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	return strV(strings.ReplaceAll(s, " ", "")), nil
}

// checkSwitch checks that keys and values come in pairs.
func checkSwitch(n *node) error {
	if len(n.args)%2 != 0 {
		return &SyntaxError{Pos: n.pos, Msg: fmt.Sprintf("Switch takes an even number of arguments, got %d",
			len(n.args)), Hint: "Switch(source, defaultValue, key1, value1, key2, value2, …)"}
	}
	return nil
}

// Switch(source, defaultValue, key1, value1, …): the value of the first
// key equal to source (case-sensitive), else defaultValue. A null source
// matches the key "" (Entra's documented idiom Switch([x], [x], "", "Other")).
func callSwitch(c evalCtx, n *node) (value, error) {
	src, _, err := c.text(n, 0)
	if err != nil {
		return null, err
	}
	for i := 2; i+1 < len(n.args); i += 2 {
		key, _, err := c.text(n, i)
		if err != nil {
			return null, err
		}
		if key == src {
			return c.arg(n, i+1)
		}
	}
	return c.arg(n, 1)
}

// caseOf is the special casing of a culture (ToLower, ToUpper): Turkish
// and Azeri dotted and dotless i; nil for the invariant culture.
func (c evalCtx) caseOf(n *node) (unicode.SpecialCase, error) {
	culture, _, err := c.text(n, 1)
	if err != nil {
		return nil, err
	}
	lang, _, _ := strings.Cut(strings.ToLower(culture), "-")
	if lang == "tr" || lang == "az" {
		return unicode.TurkishCase, nil
	}
	return nil, nil
}

// ToLower(source, culture): source in lower case.
func callToLower(c evalCtx, n *node) (value, error) {
	return changeCase(c, n, strings.ToLower, strings.ToLowerSpecial)
}

// ToUpper(source, culture): source in upper case.
func callToUpper(c evalCtx, n *node) (value, error) {
	return changeCase(c, n, strings.ToUpper, strings.ToUpperSpecial)
}

// changeCase is ToLower and ToUpper: the invariant culture's mapping, or
// the special one of the culture argument.
func changeCase(c evalCtx, n *node, invariant func(string) string, special func(unicode.SpecialCase, string) string) (value, error) {
	s, ok, err := c.text(n, 0)
	if err != nil || !ok {
		return null, err
	}
	sc, err := c.caseOf(n)
	if err != nil {
		return null, err
	}
	if sc != nil {
		return strV(special(sc, s)), nil
	}
	return strV(invariant(s)), nil
}

// Word(string, wordNumber, delimiters): word wordNumber (1-based), words
// being the non-empty runs between delimiter characters; "" if there is
// no such word or string is null.
func callWord(c evalCtx, n *node) (value, error) {
	s, _, err := c.text(n, 0)
	if err != nil {
		return null, err
	}
	k, ok, err := c.integer(n, 1)
	if err != nil || !ok || k < 1 {
		return strV(""), err
	}
	delims, _, err := c.text(n, 2)
	if err != nil {
		return null, err
	}
	for w := range strings.FieldsFuncSeq(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		if k--; k == 0 {
			return strV(w), nil
		}
	}
	return strV(""), nil
}
