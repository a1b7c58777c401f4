package adminapi

import (
	"context"
	"net/http"
	"sort"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/directory"
)

func (a *API) listAssignments(w http.ResponseWriter, r *http.Request) error {
	d, app, err := a.app(r)
	if err != nil {
		return err
	}
	as, err := d.Assignments(r.Context(), app.ID)
	if err != nil {
		return err
	}
	names, err := d.PrincipalNames(r.Context(), as)
	if err != nil {
		return err
	}
	out := wireList(as, func(x directory.Assignment) apitypes.Assignment { return assignmentWire(x, names[x.PrincipalID]) })
	sort.SliceStable(out, func(i, j int) bool { return out[i].PrincipalName < out[j].PrincipalName })
	writeJSON(w, http.StatusOK, apitypes.AssignmentList{Assignments: out})
	return nil
}

func (a *API) assign(w http.ResponseWriter, r *http.Request) error {
	d, app, err := a.app(r)
	if err != nil {
		return err
	}
	var req apitypes.Assign
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	var as directory.Assignment
	switch {
	case (req.User == "") == (req.Group == ""):
		return badRequest("give exactly one of \"user\" and \"group\"")
	case req.User != "":
		as, err = d.AssignUser(r.Context(), app.ID, req.User, req.Role)
	default:
		as, err = d.AssignGroup(r.Context(), app.ID, req.Group, req.Role)
	}
	if err != nil {
		return err
	}
	names, err := d.PrincipalNames(r.Context(), []directory.Assignment{as})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, assignmentWire(as, names[as.PrincipalID]))
	return nil
}

// unassign serves the removal of a user's or a group's assignment: param
// is the path value naming the principal, do removes it from the app.
func (a *API) unassign(param string, do func(Directory, context.Context, string, string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, app, err := a.app(r)
		if err != nil {
			return err
		}
		if err := do(d, r.Context(), app.ID, r.PathValue(param)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
