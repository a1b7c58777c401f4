package adminapi

import (
	"net/http"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/directory"
)

func (a *API) createApp(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	var req apitypes.CreateApp
	if err := decodeBody(w, r, a.cfg.MaxBody, &req, false); err != nil {
		return err
	}
	app, err := d.CreateApp(r.Context(), req.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/apps/"+app.ID)
	writeJSON(w, http.StatusCreated, appWire(app))
	return nil
}

func (a *API) listApps(w http.ResponseWriter, r *http.Request) error {
	d, err := a.dir()
	if err != nil {
		return err
	}
	apps, err := d.ListApps(r.Context())
	return answer(w, http.StatusOK, func(apps []directory.App) apitypes.AppList {
		return apitypes.AppList{Apps: wireList(apps, appWire)}
	}, apps, err)
}

// app resolves the {app} path value (id or name).
func (a *API) app(r *http.Request) (Directory, directory.App, error) {
	d, err := a.dir()
	if err != nil {
		return nil, directory.App{}, err
	}
	app, err := d.GetApp(r.Context(), r.PathValue("app"))
	if err != nil {
		return nil, directory.App{}, err
	}
	return d, app, nil
}

func (a *API) getApp(w http.ResponseWriter, r *http.Request) error {
	_, app, err := a.app(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, appWire(app))
	return nil
}

// deleteApp deletes the app's provisioning job (if any), then the app
// with its assignments. Accounts in the application stay as they are.
func (a *API) deleteApp(w http.ResponseWriter, r *http.Request) error {
	d, app, err := a.app(r)
	if err != nil {
		return err
	}
	if a.cfg.Jobs != nil {
		if err := a.cfg.Jobs.Delete(r.Context(), app.ID); err != nil && !isJobNotFound(err) {
			return err
		}
	}
	if err := d.DeleteApp(r.Context(), app.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
