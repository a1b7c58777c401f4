package server

import (
	"context"
	"net/http"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
	"github.com/provisio-dev/provisio/scim/patch"
)

// checked is the Backend a Handler calls: it holds every write and query
// to the string limits of the scim package (scim.CheckStrings,
// scim.CheckIdentifier) before the backend sees it, so that all backends
// take and refuse the same input (RFC 7643 §2.3.1 leaves string limits
// to the service provider):
//   - a document to create, and the result of a PUT or PATCH, breaking a
//     limit is 400 invalidValue naming the attribute (RFC 7644 §3.12);
//   - so is a member value, $ref, type or display of a membership change;
//   - a filter comparing with a string no value can hold (a control
//     character, invalid UTF-8, over MaxStringLength) is 400 invalidFilter;
//   - a resource id in the URL that no resource can have is 404, as an
//     unknown id is, without asking the backend.
type checked struct{ backend.Backend }

// Create implements [backend.Backend].
func (b checked) Create(ctx context.Context, rt *scim.ResourceType, doc scim.Resource) (scim.Resource, error) {
	if err := scim.CheckStrings(doc); err != nil {
		return nil, err
	}
	return b.Backend.Create(ctx, rt, doc)
}

// Get implements [backend.Backend].
func (b checked) Get(ctx context.Context, rt *scim.ResourceType, id string, opts backend.GetOptions) (scim.Resource, error) {
	if err := checkID(rt, id); err != nil {
		return nil, err
	}
	return b.Backend.Get(ctx, rt, id, opts)
}

// Update implements [backend.Backend]: the document change.Apply returns
// is checked before the backend stores it.
func (b checked) Update(ctx context.Context, rt *scim.ResourceType, id, ifMatch string, change backend.Change, opts backend.GetOptions) (scim.Resource, error) {
	if err := checkID(rt, id); err != nil {
		return nil, err
	}
	if err := checkMembers(change.Members); err != nil {
		return nil, err
	}
	if apply := change.Apply; apply != nil {
		change.Apply = func(cur scim.Resource) (scim.Resource, error) {
			next, err := apply(cur)
			if err != nil {
				return nil, err
			}
			if err := scim.CheckStrings(next); err != nil {
				return nil, err
			}
			return next, nil
		}
	}
	return b.Backend.Update(ctx, rt, id, ifMatch, change, opts)
}

// Delete implements [backend.Backend].
func (b checked) Delete(ctx context.Context, rt *scim.ResourceType, id, ifMatch string) error {
	if err := checkID(rt, id); err != nil {
		return err
	}
	return b.Backend.Delete(ctx, rt, id, ifMatch)
}

// List implements [backend.Backend].
func (b checked) List(ctx context.Context, rt *scim.ResourceType, q backend.Query) (backend.Page, error) {
	if err := checkFilter(q.Filter); err != nil {
		return backend.Page{}, err
	}
	return b.Backend.List(ctx, rt, q)
}

// checkID answers 404 for an id that no resource can have (RFC 7644
// §3.12: the resource does not exist). The id is not echoed.
func checkID(rt *scim.ResourceType, id string) error {
	if scim.CheckIdentifier("id", id) != nil {
		return scim.Errorf(http.StatusNotFound, "", "%s not found", rt.Name)
	}
	return nil
}

// checkMembers checks the members a change adds or removes as
// scim.CheckStrings checks a group's "members".
func checkMembers(mc *patch.MembersChange) error {
	if mc == nil {
		return nil
	}
	for _, m := range mc.Add {
		err := scim.CheckStrings(scim.Resource{"members": []any{map[string]any{
			"value": m.Value, "$ref": m.Ref, "type": m.Type, "display": m.Display}}})
		if err != nil {
			return err
		}
	}
	for _, id := range mc.Remove {
		if err := scim.CheckIdentifier("members.value", id); err != nil {
			return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidValue, "%v", err)
		}
	}
	return nil
}

// checkFilter refuses a filter comparing with a string that breaks the
// text limits with 400 invalidFilter (RFC 7644 §3.4.2.2).
func checkFilter(e filter.Expr) error {
	switch e := e.(type) {
	case *filter.And:
		return checkFilters(e.L, e.R)
	case *filter.Or:
		return checkFilters(e.L, e.R)
	case *filter.Not:
		return checkFilter(e.X)
	case *filter.ValuePath:
		return checkFilter(e.Filter)
	case *filter.Compare:
		if s, ok := e.Value.(string); ok {
			if err := scim.CheckText("a filter value", s, scim.MaxStringLength); err != nil {
				return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidFilter, "%v", err)
			}
		}
		return checkFilter(e.Filter)
	}
	return nil
}

func checkFilters(l, r filter.Expr) error {
	if err := checkFilter(l); err != nil {
		return err
	}
	return checkFilter(r)
}
