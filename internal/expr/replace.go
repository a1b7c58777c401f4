package expr

import (
	"fmt"
	"regexp"
	"strings"
)

// Replace's arguments (Entra: Replace(source, oldValue, regexPattern,
// regexGroupName, replacementValue, replacementAttributeName, template)).
const (
	rSource = iota
	rOld
	rPattern
	rGroup
	rValue
	rAttribute
	rTemplate
)

// given reports whether Replace's argument i is given (not empty): which
// are given chooses the form, as Entra's documentation lists them.
func given(n *node, i int) bool { return i < len(n.args) && n.args[i].kind != nEmpty }

// checkReplace checks that the given arguments make one of Replace's forms
// and compiles a literal regexPattern, so evaluation does not.
func checkReplace(n *node) error {
	switch {
	case given(n, rPattern) && given(n, rGroup) && given(n, rAttribute):
	case given(n, rOld) && (given(n, rTemplate) || given(n, rValue)):
	case given(n, rTemplate):
	case given(n, rPattern) && given(n, rValue):
	default:
		return &SyntaxError{Pos: n.pos, Msg: "Replace: no form matches the arguments given",
			Hint: "give oldValue and replacementValue, oldValue and template, regexPattern and replacementValue " +
				"(and regexGroupName), or regexPattern, regexGroupName and replacementAttributeName"}
	}
	if !given(n, rPattern) || n.args[rPattern].kind != nString {
		return nil
	}
	a := n.args[rPattern]
	re, err := regexp.Compile(a.s)
	if err != nil {
		return &SyntaxError{Pos: a.pos, Msg: fmt.Sprintf("Replace: regexPattern: %v", err)}
	}
	if given(n, rGroup) {
		if g := n.args[rGroup]; g.kind == nString && re.SubexpIndex(g.s) < 0 {
			return &SyntaxError{Pos: g.pos, Msg: fmt.Sprintf("Replace: regexPattern has no group %q", g.s)}
		}
	}
	n.compiled = re
	return nil
}

// callReplace is Replace, case-sensitive, in the form its given arguments
// choose:
//   - regexPattern, regexGroupName, replacementAttributeName: source if it
//     has a value, else group regexGroupName of regexPattern's first match
//     in replacementAttributeName's value (null if none);
//   - oldValue, template: template with each oldValue replaced by source;
//   - template alone (a Provisio extension): template with each {0}
//     replaced by source;
//   - oldValue, replacementValue: each oldValue replaced;
//   - regexPattern, regexGroupName, replacementValue: the text of group
//     regexGroupName in each match replaced by replacementValue;
//   - regexPattern, replacementValue: each match replaced by
//     replacementValue, in which $1, ${name}, $& and $$ (.NET's
//     substitutions) refer to the match.
func callReplace(c evalCtx, n *node) (value, error) {
	src, ok, err := c.text(n, rSource)
	if err != nil {
		return null, err
	}
	if given(n, rPattern) && given(n, rGroup) && given(n, rAttribute) {
		if ok && src != "" {
			return strV(src), nil
		}
		re, group, err := c.regexGroup(n)
		if err != nil {
			return null, err
		}
		s, ok, err := c.text(n, rAttribute)
		if err != nil || !ok {
			return null, err
		}
		m := re.FindStringSubmatchIndex(s)
		if m == nil || m[2*group] < 0 {
			return null, nil
		}
		return strV(s[m[2*group]:m[2*group+1]]), nil
	}
	if !ok {
		return null, nil
	}
	old, _, err := c.text(n, rOld)
	if err != nil {
		return null, err
	}
	if given(n, rTemplate) {
		tmpl, _, err := c.text(n, rTemplate)
		if err != nil {
			return null, err
		}
		if !given(n, rOld) {
			old = "{0}"
		}
		if old == "" {
			return null, c.errorf(n, "oldValue is empty")
		}
		return strV(strings.ReplaceAll(tmpl, old, src)), nil
	}
	repl, _, err := c.text(n, rValue)
	if err != nil {
		return null, err
	}
	if given(n, rOld) {
		if old == "" {
			return null, c.errorf(n, "oldValue is empty")
		}
		return strV(strings.ReplaceAll(src, old, repl)), nil
	}
	if !given(n, rGroup) {
		re, err := c.regexp(n)
		if err != nil {
			return null, err
		}
		return strV(re.ReplaceAllString(src, goTemplate(repl))), nil
	}
	re, group, err := c.regexGroup(n)
	if err != nil {
		return null, err
	}
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
		if m[2*group] < 0 || m[2*group] < last {
			continue
		}
		b.WriteString(src[last:m[2*group]])
		b.WriteString(repl)
		last = m[2*group+1]
	}
	b.WriteString(src[last:])
	return strV(b.String()), nil
}

// regexp is Replace's regexPattern, compiled at parse time if a literal.
func (c evalCtx) regexp(n *node) (*regexp.Regexp, error) {
	if re, ok := n.compiled.(*regexp.Regexp); ok {
		return re, nil
	}
	p, ok, err := c.text(n, rPattern)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, c.errorf(n, "regexPattern is null")
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, c.errorf(n, "regexPattern: %w", err)
	}
	return re, nil
}

// regexGroup is Replace's regexPattern and the index of regexGroupName.
func (c evalCtx) regexGroup(n *node) (*regexp.Regexp, int, error) {
	re, err := c.regexp(n)
	if err != nil {
		return nil, 0, err
	}
	name, _, err := c.text(n, rGroup)
	if err != nil {
		return nil, 0, err
	}
	i := re.SubexpIndex(name)
	if i < 0 {
		return nil, 0, c.errorf(n, "regexPattern has no group %q", name)
	}
	return re, i, nil
}

// goTemplate turns a .NET replacement pattern into Go's: $1 and ${name}
// as they are (digits braced, so "$1a" stays group 1 then "a"), $& the
// whole match, $$ a dollar; any other $ is literal.
func goTemplate(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			if s[i] == '$' {
				b.WriteString("$$")
				continue
			}
			b.WriteByte(s[i])
			continue
		}
		switch next := s[i+1]; {
		case next == '$':
			b.WriteString("$$")
			i++
		case next == '&':
			b.WriteString("${0}")
			i++
		case next == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				b.WriteString("$$")
				continue
			}
			b.WriteString(s[i : i+end+1])
			i += end
		case isDigit(next):
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			b.WriteString("${" + s[i+1:j] + "}")
			i = j - 1
		default:
			b.WriteString("$$")
		}
	}
	return b.String()
}
