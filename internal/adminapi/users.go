package adminapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
)

// decodeAttrs reads a user attribute object: attribute names (Entra's,
// case-insensitive, or extension_<name>) to strings, accountEnabled also
// to a boolean, null or "" to clear; "extensions" may hold extension
// attributes as an object, as GET answers show them.
func decodeAttrs(w http.ResponseWriter, r *http.Request, max int64) (map[string]any, error) {
	var raw map[string]json.RawMessage
	if err := decodeBody(w, r, max, &raw, false); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, badRequest("request body must be a JSON object of user attributes")
	}
	attrs := make(map[string]any, len(raw))
	for name, v := range raw {
		if name == "extensions" {
			var ext map[string]*string
			if err := json.Unmarshal(v, &ext); err != nil {
				return nil, badRequest("field \"extensions\": want an object of strings")
			}
			for k, s := range ext {
				if !strings.HasPrefix(strings.ToLower(k), dirsvc.ExtensionPrefix) {
					k = dirsvc.ExtensionPrefix + k
				}
				attrs[k] = deref(s)
			}
			continue
		}
		s, err := attrValue(v)
		if err != nil {
			return nil, badRequest("field %q: %s", name, err)
		}
		attrs[name] = s
	}
	return attrs, nil
}

// attrValue turns one JSON attribute value into a string or a bool.
func attrValue(v json.RawMessage) (any, error) {
	v = bytes.TrimSpace(v)
	switch {
	case bytes.Equal(v, []byte("null")):
		return "", nil
	case bytes.Equal(v, []byte("true")), bytes.Equal(v, []byte("false")):
		return bytes.Equal(v, []byte("true")), nil
	case len(v) > 0 && v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	return "", fmt.Errorf("want a string, a boolean or null")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	attrs, err := decodeAttrs(w, r, a.cfg.MaxBody)
	if err != nil {
		return err
	}
	u, err := dirsvc.NewUser(attrs)
	if err != nil {
		return err
	}
	u, err = d.CreateUser(r.Context(), u)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ObjectID)
	writeJSON(w, http.StatusCreated, userWire(u))
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	return listPage(a, w, r, Directory.ListUsers, func(users []directory.User, q dirsvc.UserQuery) apitypes.UserPage {
		return apitypes.UserPage{Users: wireList(users, userWire),
			Next: nextKey(users, q.Limit, func(u directory.User) string { return u.UserPrincipalName })}
	})
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	u, err := d.GetUser(r.Context(), r.PathValue("user"))
	if err != nil {
		return err
	}
	wire, err := a.withAdminRole(r.Context(), userWire(u))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	attrs, err := decodeAttrs(w, r, a.cfg.MaxBody)
	if err != nil {
		return err
	}
	if len(attrs) == 0 {
		return badRequest("no attributes to change")
	}
	u, err := d.UpdateUser(r.Context(), r.PathValue("user"), attrs)
	return answer(w, http.StatusOK, userWire, u, err)
}

// deleteUser soft-deletes (answering the user with its deletedAt), or
// with ?permanent=true hard-deletes (204).
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	ref := r.PathValue("user")
	return softOrPermanent(w, r, func() error { return d.PurgeUser(r.Context(), ref) }, func() error {
		u, err := d.DeleteUser(r.Context(), ref)
		return answer(w, http.StatusOK, userWire, u, err)
	})
}

// userAction serves disable, enable and restore: no body, the user back.
func (a *API) userAction(do func(Directory, context.Context, string) (directory.User, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := a.dir()
		if err != nil {
			return err
		}
		u, err := do(d, r.Context(), r.PathValue("user"))
		return answer(w, http.StatusOK, userWire, u, err)
	}
}

// importUsers creates users from a text/csv body, streamed: rows are
// written in batches as they arrive, so the client's upload progress is
// the import's progress (and each batch extends the read deadline: a
// million rows take longer than the server's ReadTimeout). With ?update=true rows naming existing users
// update them.
func (a *API) importUsers(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		return &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "request body must be text/csv"}
	}
	var opts dirsvc.ImportOptions
	switch r.URL.Query().Get("update") {
	case "", "false":
	case "true":
		opts.Update = true
	default:
		return badRequest("query parameter \"update\" must be true or false")
	}
	if a.cfg.ReadTimeout > 0 {
		rc := http.NewResponseController(w)
		opts.Progress = func(dirsvc.ImportProgress) {
			_ = rc.SetReadDeadline(time.Now().Add(a.cfg.ReadTimeout)) // unsupported: the server's deadline stays
		}
	}
	body := http.MaxBytesReader(w, r.Body, a.cfg.MaxImport)
	res, err := d.ImportUsers(r.Context(), body, opts)
	return answer(w, http.StatusOK, importWire, res, err)
}
