package web

import (
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// testCredentials runs Test Connection with the form's Tenant URL and
// Secret Token without saving them (POST /api/v1/apps/{app}/job/test with
// a body); an empty token tests the stored one when the Tenant URL is the
// stored one. The diagnosis is shown inline; the token is not rendered
// back, so Save needs it entered again (TestedUnsaved tells the page).
func (u *UI) testCredentials(req *request, v provisioningView, tenantURL, token string) error {
	res, err := req.API.TestJobWith(req.Ctx, v.App.ID, apitypes.TestCredentials{TenantURL: tenantURL, Token: token})
	if err != nil {
		if ae, ok := refused(err); ok {
			u.again(req, v, ae.Status, ae.Message)
			return nil
		}
		return err
	}
	v.Test = &res
	v.TestedUnsaved = v.Job == nil || tenantURL != v.Job.TenantURL || token != ""
	req.render(u, "provisioning", view{Title: v.App.Name + " · Provisioning", Nav: "apps", Data: v})
	return nil
}
