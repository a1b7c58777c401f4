package adminapi

import (
	"context"
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
)

func (a *API) createGroup(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	var req apitypes.CreateGroup
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	g, err := d.CreateGroup(r.Context(), directory.Group{ObjectID: req.ObjectID, DisplayName: req.DisplayName,
		Description: req.Description, Mail: req.Mail, MailNickname: req.MailNickname})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/groups/"+g.ObjectID)
	writeJSON(w, http.StatusCreated, groupWire(g, nil))
	return nil
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request) error {
	list := func(d Directory, ctx context.Context, q dirsvc.UserQuery) ([]directory.Group, error) {
		return d.ListGroups(ctx, dirsvc.GroupQuery{After: q.After, Limit: q.Limit, Deleted: q.Deleted})
	}
	return listPage(a, w, r, list, func(groups []directory.Group, q dirsvc.UserQuery) apitypes.GroupPage {
		return apitypes.GroupPage{Groups: wireList(groups, func(g directory.Group) apitypes.Group { return groupWire(g, nil) }),
			Next: nextKey(groups, q.Limit, func(g directory.Group) string { return g.DisplayName })}
	})
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	g, err := d.GetGroup(r.Context(), r.PathValue("group"))
	if err != nil {
		return err
	}
	return a.writeGroup(w, r, d, g)
}

// writeGroup answers with a group whose members carry their names.
func (a *API) writeGroup(w http.ResponseWriter, r *http.Request, d Directory, g directory.Group) error {
	as := make([]directory.Assignment, len(g.Members))
	for i, m := range g.Members {
		as[i] = directory.Assignment{PrincipalID: m.ID, PrincipalKind: m.Kind}
	}
	names, err := d.PrincipalNames(r.Context(), as)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, groupWire(g, names))
	return nil
}

// deleteGroup soft-deletes a group, or with ?permanent=true purges it.
func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	ref := r.PathValue("group")
	return softOrPermanent(w, r, func() error { return d.PurgeGroup(r.Context(), ref) }, func() error {
		g, err := d.DeleteGroup(r.Context(), ref)
		if err != nil {
			return err
		}
		return a.writeGroup(w, r, d, g)
	})
}

// restoreGroup takes a group out of the recycle bin.
func (a *API) restoreGroup(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	g, err := d.RestoreGroup(r.Context(), r.PathValue("group"))
	if err != nil {
		return err
	}
	return a.writeGroup(w, r, d, g)
}

func (a *API) changeMembers(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	var req apitypes.MembersChange
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	if len(req.Add) == 0 && len(req.Remove) == 0 {
		return badRequest("nothing to change: give \"add\" or \"remove\"")
	}
	group := r.PathValue("group")
	var out apitypes.MembersChanged
	if len(req.Add) > 0 {
		if out.Added, err = d.AddMembers(r.Context(), group, req.Add); err != nil {
			return err
		}
	}
	if len(req.Remove) > 0 {
		if out.Removed, err = d.RemoveMembers(r.Context(), group, req.Remove); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
