package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "apps/{app}/mappings/{type}", (*UI).mappings)
	handle("POST", "apps/{app}/mappings/{type}", (*UI).setMapping)
	handle("POST", "apps/{app}/mappings/{type}/remove", (*UI).removeMapping)
	handle("POST", "apps/{app}/mappings/{type}/evaluate", (*UI).evaluate)
	handle("POST", "apps/{app}/restore-defaults", (*UI).restoreDefaults)
	handle("POST", "apps/{app}/scoping/{type}", (*UI).addScoping)
	handle("POST", "apps/{app}/scoping/{type}/remove", (*UI).removeScoping)
	handle("POST", "apps/{app}/scoping/{type}/clear", (*UI).clearScoping)
	notices["mapping"] = "Mapping saved."
	notices["mapping-removed"] = "Mapping removed."
	notices["defaults"] = "Default mappings restored; every scoping filter was dropped."
	notices["scoping"] = "Scoping filter added."
	notices["scoping-removed"] = "Scoping filter removed."
	notices["scoping-cleared"] = "Every scoping filter of the type was removed."
}

// scopingOperators are the operators a scoping clause offers: Entra's 14,
// then MEMBER_OF and NOT_MEMBER_OF (no attribute) and the date operators
// (internal/expr/scoping).
var scopingOperators = []struct {
	Op              string
	NoAttr, NoValue bool
}{
	{Op: "EQUALS"}, {Op: "NOT EQUALS"}, {Op: "IS TRUE", NoValue: true}, {Op: "IS FALSE", NoValue: true},
	{Op: "IS NULL", NoValue: true}, {Op: "IS NOT NULL", NoValue: true}, {Op: "REGEX MATCH"}, {Op: "NOT REGEX MATCH"},
	{Op: "&"}, {Op: "!&"}, {Op: "Greater_Than"}, {Op: "Greater_Than_OR_EQUALS"}, {Op: "Includes"}, {Op: "ENDS_WITH"},
	{Op: "MEMBER_OF", NoAttr: true}, {Op: "NOT_MEMBER_OF", NoAttr: true},
	{Op: "OLDER_THAN"}, {Op: "NEWER_THAN"}, {Op: "AFTER"}, {Op: "BEFORE"},
}

// clauseRows is how many clause rows the add-filter form has (blank rows
// are ignored; a filter's clauses are ANDed).
const clauseRows = 3

// mappingForm is the add/edit form's values as entered.
type mappingForm struct {
	Target, Type, Source, Value, Expression, Default, Apply, Match string
	User                                                           string // the expression editor's user
	// Original is the target of the mapping being edited ("" when adding):
	// a new target replaces it.
	Original string
}

// evalView is an evaluation shown under the expression editor: a value,
// or an error with its caret (the error's line and a "^" under its
// column).
type evalView struct {
	OK        bool   `json:"ok"`
	Value     string `json:"value,omitempty"`
	Type      string `json:"type,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Error     string `json:"error,omitempty"`
	Line      string `json:"line,omitempty"`
	Caret     string `json:"caret,omitempty"`
	Position  *int   `json:"position,omitempty"`
	Unchecked bool   `json:"-"` // nothing to evaluate yet
}

// clauseRow is one row of the add-filter form.
type clauseRow struct{ N, Attribute, Operator, Value string }

// mappingsView is the data of the mappings page.
type mappingsView struct {
	App        apitypes.App
	Type       string // user or group
	M          apitypes.TypeMappings
	Form       mappingForm
	FieldError map[string]string // the API's refusal next to the field it is about
	Eval       *evalView
	Users      []string // UPNs offered by the user picker
	Operators  any
	Clauses    []clauseRow
	ScopeError string
	Filters    []filterRow
}

// filterRow is one scoping filter as listed, numbered from 1 as the API
// removes it.
type filterRow struct {
	N       int
	Clauses []string
}

func objectType(req *request) (string, bool) {
	t := req.R.PathValue("type")
	if t != apiclient.TypeUser && t != apiclient.TypeGroup {
		http.NotFound(req.W, req.R)
		return "", false
	}
	return t, true
}

// userChoices lists the directory's users (up to the API's page size) for
// the user pickers' <datalist>: the browser filters it as the UPN is
// typed. Any UPN or object id may be entered.
func userChoices(req *request) ([]string, error) {
	p, err := req.API.Users(req.Ctx, apiclient.ListQuery{Limit: 1000})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(p.Users))
	for i, u := range p.Users {
		out[i] = u.UserPrincipalName
	}
	return out, nil
}

// mappingsPage gathers the page's data from the API.
func (u *UI) mappingsPage(req *request, typ string) (mappingsView, error) {
	a, err := req.API.App(req.Ctx, req.R.PathValue("app"))
	if err != nil {
		return mappingsView{}, err
	}
	m, err := req.API.JobMappings(req.Ctx, a.ID, typ)
	if err != nil {
		return mappingsView{}, err
	}
	users, err := userChoices(req)
	if err != nil {
		return mappingsView{}, err
	}
	v := mappingsView{App: a, Type: typ, M: m, Users: users, Operators: scopingOperators, FieldError: map[string]string{},
		Form: mappingForm{Type: "direct", Apply: "always"}}
	for i, f := range m.Scoping {
		v.Filters = append(v.Filters, filterRow{N: i + 1, Clauses: f.Clauses})
	}
	for i := range clauseRows {
		v.Clauses = append(v.Clauses, clauseRow{N: strconv.Itoa(i + 1), Operator: "EQUALS"})
	}
	if edit := req.R.URL.Query().Get("edit"); edit != "" {
		for _, am := range m.Attributes {
			if strings.EqualFold(am.Target, edit) {
				v.Form = formOf(am)
			}
		}
	}
	return v, nil
}

// formOf is the form prefilled with a mapping, to edit it.
func formOf(m apitypes.AttributeMapping) mappingForm {
	f := mappingForm{Target: m.Target, Type: m.Type, Source: m.Source, Expression: m.Expression, Apply: m.Apply, Original: m.Target}
	if f.Apply == "" {
		f.Apply = "always"
	}
	if m.Value != nil {
		f.Value = scalar(m.Value)
	}
	if m.Default != nil {
		f.Default = scalar(m.Default)
	}
	if m.Match > 0 {
		f.Match = strconv.Itoa(m.Match)
	}
	return f
}

// scalar writes a constant or default: a string as is, anything else as
// JSON.
func scalar(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (u *UI) renderMappings(req *request, status int, v mappingsView, notice, problem string) {
	title := v.App.Name + " · Attribute mappings (" + v.Type + "s)"
	u.render(req.W, req.S, status, "mappings", view{Title: title, Nav: "apps", Data: v, Notice: notice, Problem: problem})
}

func (u *UI) mappings(req *request) error {
	typ, ok := objectType(req)
	if !ok {
		return nil
	}
	v, err := u.mappingsPage(req, typ)
	if err != nil {
		return err
	}
	u.renderMappings(req, http.StatusOK, v, notices[req.R.URL.Query().Get("done")], "")
	return nil
}

// formMapping reads the add/edit form.
func formMapping(r *http.Request) mappingForm {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return mappingForm{Target: f("target"), Type: f("mappingType"), Source: f("source"), Value: r.PostFormValue("value"),
		Expression: r.PostFormValue("expression"), Default: r.PostFormValue("default"), Apply: f("apply"), Match: f("match"),
		User: f("user"), Original: f("original")}
}

// setMapping adds or replaces a mapping; with action=evaluate (the
// expression editor without JavaScript) it evaluates the expression
// against the chosen user instead and shows the page again.
func (u *UI) setMapping(req *request) error {
	typ, ok := objectType(req)
	if !ok {
		return nil
	}
	form := formMapping(req.R)
	if req.R.PostFormValue("action") == "evaluate" {
		v, err := u.mappingsPage(req, typ)
		if err != nil {
			return err
		}
		v.Form = form
		ev, err := evaluateFor(req, v.App.ID, form.Expression, form.User)
		if err != nil {
			return err
		}
		v.Eval = &ev
		u.renderMappings(req, http.StatusOK, v, "", "")
		return nil
	}
	m := apitypes.AttributeMapping{Target: form.Target, Type: form.Type, Apply: form.Apply}
	field := map[string]string{}
	switch form.Type {
	case "direct":
		m.Source = form.Source
	case "constant":
		m.Value = form.Value
	case "expression":
		m.Expression = form.Expression
	}
	if form.Default != "" {
		m.Default = form.Default
	}
	if form.Match != "" {
		n, err := strconv.Atoi(form.Match)
		if err != nil || n < 0 {
			field["match"] = "Enter a whole number: 1 is matched first; empty is not a matching attribute."
		}
		m.Match = n
	}
	var err error
	if len(field) == 0 {
		_, err = req.API.SetJobMapping(req.Ctx, req.R.PathValue("app"), typ, m)
		if err == nil && form.Original != "" && !strings.EqualFold(form.Original, form.Target) {
			_, err = req.API.RemoveJobMapping(req.Ctx, req.R.PathValue("app"), typ, form.Original)
		}
		if err == nil {
			return req.redirect("apps/" + req.R.PathValue("app") + "/mappings/" + typ + "?done=mapping")
		}
		ae, refusedOK := refused(err)
		if !refusedOK {
			return err
		}
		field[fieldOf(form, ae)] = ae.Message
	}
	v, perr := u.mappingsPage(req, typ)
	if perr != nil {
		return perr
	}
	v.Form, v.FieldError = form, field
	if ae, ok := refused(err); ok && ae.Position != nil {
		ev := caretOf(form.Expression, ae.Message, *ae.Position)
		v.Eval = &ev
	}
	u.renderMappings(req, http.StatusBadRequest, v, "", "The mapping was not saved: see the field marked below.")
	return nil
}

// fieldOf picks the form field an API refusal is about: an expression's
// syntax error is the expression's; otherwise the field the message
// names, else the mapping type's value field.
func fieldOf(f mappingForm, ae *apiclient.Error) string {
	msg := strings.ToLower(ae.Message)
	switch {
	case ae.Position != nil:
		return "expression"
	case strings.Contains(msg, "target"):
		return "target"
	case strings.Contains(msg, "default"):
		return "default"
	case strings.Contains(msg, "match"):
		return "match"
	case strings.Contains(msg, "apply"):
		return "apply"
	}
	switch f.Type {
	case "direct":
		return "source"
	case "constant":
		return "value"
	case "expression":
		return "expression"
	}
	return "mappingType"
}

// caretOf shows an error at byte offset pos of src: the line it is on
// and a "^" under its column (in characters).
func caretOf(src, msg string, pos int) evalView {
	pos = min(max(pos, 0), len(src))
	start := strings.LastIndexByte(src[:pos], '\n') + 1
	end := strings.IndexByte(src[pos:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += pos
	}
	col := utf8.RuneCountInString(src[start:pos])
	return evalView{Error: msg, Line: src[start:end], Caret: strings.Repeat(" ", col) + "^", Position: &pos}
}

// evaluateFor evaluates an expression against a user (UPN or object id)
// as the application's job sees the user; a refusal of the API (a syntax
// error, an unknown user) is the evalView's error.
func evaluateFor(req *request, app, expression, user string) (evalView, error) {
	if strings.TrimSpace(expression) == "" {
		return evalView{Unchecked: true}, nil
	}
	q := apitypes.EvaluateExpression{Expression: expression, User: user}
	if user != "" {
		q.App = app
	}
	res, err := req.API.EvaluateExpression(req.Ctx, q)
	if ae, ok := refused(err); ok {
		if ae.Position != nil {
			return caretOf(expression, ae.Message, *ae.Position), nil
		}
		return evalView{Error: ae.Message}, nil
	}
	if err != nil {
		return evalView{}, err
	}
	ev := evalView{OK: true, Type: res.Type, Scope: res.Scope, Value: string(res.Value)}
	if res.Null {
		ev.Value = "null (the attribute does not flow)"
	}
	return ev, nil
}

// evaluate answers the expression editor's script: the evaluation as
// JSON (the script shows a value, or the error with its caret).
func (u *UI) evaluate(req *request) error {
	if _, ok := objectType(req); !ok {
		return nil
	}
	ev, err := evaluateFor(req, req.R.PathValue("app"), req.R.PostFormValue("expression"), strings.TrimSpace(req.R.PostFormValue("user")))
	if err != nil {
		return err
	}
	req.W.Header().Set("Content-Type", "application/json")
	req.W.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(req.W).Encode(ev)
}

func (u *UI) removeMapping(req *request) error {
	typ, ok := objectType(req)
	if !ok {
		return nil
	}
	_, err := req.API.RemoveJobMapping(req.Ctx, req.R.PathValue("app"), typ, req.R.PostFormValue("target"))
	return u.afterMappingChange(req, typ, err, "mapping-removed")
}

func (u *UI) restoreDefaults(req *request) error {
	_, err := req.API.RestoreJobDefaults(req.Ctx, req.R.PathValue("app"))
	return u.afterMappingChange(req, apiclient.TypeUser, err, "defaults")
}

// afterMappingChange redirects to the mappings page with a notice, or
// shows it again with the API's refusal.
func (u *UI) afterMappingChange(req *request, typ string, err error, done string) error {
	if ae, ok := refused(err); ok {
		v, perr := u.mappingsPage(req, typ)
		if perr != nil {
			return perr
		}
		u.renderMappings(req, ae.Status, v, "", ae.Message)
		return nil
	}
	if err != nil {
		return err
	}
	return req.redirect("apps/" + req.R.PathValue("app") + "/mappings/" + typ + "?done=" + done)
}

// clauseText writes a clause as the API reads it ("ATTRIBUTE OPERATOR
// [VALUE]"); a value with space around it is quoted.
func clauseText(attr, op, value string) string {
	parts := []string{}
	noAttr, noValue := false, false
	for _, o := range scopingOperators {
		if o.Op == op {
			noAttr, noValue = o.NoAttr, o.NoValue
		}
	}
	if !noAttr {
		parts = append(parts, attr)
	}
	parts = append(parts, op)
	if !noValue {
		if value != strings.TrimSpace(value) || strings.HasPrefix(value, `"`) {
			value = strconv.Quote(value)
		}
		parts = append(parts, value)
	}
	return strings.Join(parts, " ")
}

// addScoping adds one scoping filter of the form's non-blank clause rows.
func (u *UI) addScoping(req *request) error {
	typ, ok := objectType(req)
	if !ok {
		return nil
	}
	var clauses []string
	var rows []clauseRow
	for i := 1; i <= clauseRows; i++ {
		n := strconv.Itoa(i)
		row := clauseRow{N: n, Attribute: strings.TrimSpace(req.R.PostFormValue("attribute" + n)),
			Operator: req.R.PostFormValue("operator" + n), Value: req.R.PostFormValue("value" + n)}
		rows = append(rows, row)
		if row.Attribute == "" && strings.TrimSpace(row.Value) == "" {
			continue // a blank row (MEMBER_OF needs a value, an attribute-less operator no attribute)
		}
		clauses = append(clauses, clauseText(row.Attribute, row.Operator, row.Value))
	}
	var problem string
	if len(clauses) == 0 {
		problem = "Enter at least one clause: an attribute, an operator and (for most operators) a value."
	} else {
		_, err := req.API.AddJobScopingFilter(req.Ctx, req.R.PathValue("app"), typ, clauses)
		if err == nil {
			return req.redirect("apps/" + req.R.PathValue("app") + "/mappings/" + typ + "?done=scoping#scoping-h")
		}
		ae, ok := refused(err)
		if !ok {
			return err
		}
		problem = ae.Message
	}
	v, err := u.mappingsPage(req, typ)
	if err != nil {
		return err
	}
	v.Clauses, v.ScopeError = rows, problem
	u.renderMappings(req, http.StatusBadRequest, v, "", "The scoping filter was not added: see below.")
	return nil
}

func (u *UI) removeScoping(req *request) error {
	typ, ok := objectType(req)
	if !ok {
		return nil
	}
	n, err := strconv.Atoi(req.R.PostFormValue("n"))
	if err != nil {
		http.Error(req.W, "bad filter number", http.StatusBadRequest)
		return nil
	}
	_, err = req.API.RemoveJobScopingFilter(req.Ctx, req.R.PathValue("app"), typ, n)
	return u.afterMappingChange(req, typ, err, "scoping-removed")
}

func (u *UI) clearScoping(req *request) error {
	typ, ok := objectType(req)
	if !ok {
		return nil
	}
	_, err := req.API.ClearJobScoping(req.Ctx, req.R.PathValue("app"), typ)
	return u.afterMappingChange(req, typ, err, "scoping-cleared")
}
