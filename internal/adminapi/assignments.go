package adminapi

import (
	"context"
	"net/http"
	"sort"

	"github.com/provisio-dev/provisio/internal/directory"
)

// assignmentJSON is an assignment with its principal's name
// (userPrincipalName or displayName).
type assignmentJSON struct {
	directory.Assignment
	PrincipalName string `json:"principalName,omitempty"`
}

func (a *API) listAssignments(w http.ResponseWriter, r *http.Request) error {
	d, app, err := a.app(r)
	if err != nil {
		return err
	}
	as, err := d.Assignments(r.Context(), app.ID)
	if err != nil {
		return public(err)
	}
	names, err := principalNames(r.Context(), d.Store(), as)
	if err != nil {
		return err
	}
	out := make([]assignmentJSON, 0, len(as))
	for _, x := range as {
		out = append(out, assignmentJSON{x, names[x.PrincipalID]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PrincipalName < out[j].PrincipalName })
	writeJSON(w, http.StatusOK, struct {
		Assignments []assignmentJSON `json:"assignments"`
	}{out})
	return nil
}

// assignRequest names exactly one of a user (userPrincipalName or object
// id) and a group (displayName or object id), with an optional app role.
type assignRequest struct {
	User  string `json:"user"`
	Group string `json:"group"`
	Role  string `json:"role"`
}

func (a *API) assign(w http.ResponseWriter, r *http.Request) error {
	d, app, err := a.app(r)
	if err != nil {
		return err
	}
	var req assignRequest
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
		return public(err)
	}
	names, err := principalNames(r.Context(), d.Store(), []directory.Assignment{as})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, assignmentJSON{as, names[as.PrincipalID]})
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
			return public(err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
