package dirsvc

import (
	"context"
	"fmt"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// ssoAdmin returns the store's read-and-delete of OIDC clients.
func (s *Service) ssoAdmin() (store.OIDCClientAdmin, error) {
	if s.sso == nil {
		return nil, svcerr.Errorf(svcerr.Invalid, "single sign-on is not configured")
	}
	ca, ok := s.sso.(store.OIDCClientAdmin)
	if !ok {
		return nil, fmt.Errorf("oidc store %T cannot read clients by application", s.sso)
	}
	return ca, nil
}

// GetSSOClient returns the OIDC client of an application named by ID or
// name (NotFound when it has none). The secret is never returned, only
// whether one is set.
func (s *Service) GetSSOClient(ctx context.Context, appRef string) (SSOClient, error) {
	ca, err := s.ssoAdmin()
	if err != nil {
		return SSOClient{}, err
	}
	a, err := s.app(ctx, appRef)
	if err != nil {
		return SSOClient{}, fmt.Errorf("app %q: %w", appRef, err)
	}
	c, err := ca.OIDCClientOfApp(ctx, a.ID)
	if err != nil {
		return SSOClient{}, fmt.Errorf("sso client of app %q: %w", appRef, own(err))
	}
	return SSOClient{AppID: c.AppID, ClientID: c.ClientID, RedirectURIs: c.RedirectURIs, Public: c.Public,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, AssignmentRequired: !c.AssignmentOptional, HasSecret: c.SecretHash != "", Updated: c.Updated}, nil
}

// SetSSOAssignmentRequired turns the "assignment required" setting of an
// application's OIDC client on or off (issue 13), keeping its client id
// and secret; NotFound when the application has no client. It returns
// the client as [Service.GetSSOClient] does.
func (s *Service) SetSSOAssignmentRequired(ctx context.Context, appRef string, required bool) (SSOClient, error) {
	ca, err := s.ssoAdmin()
	if err != nil {
		return SSOClient{}, err
	}
	a, err := s.app(ctx, appRef)
	if err != nil {
		return SSOClient{}, fmt.Errorf("app %q: %w", appRef, err)
	}
	c, err := ca.OIDCClientOfApp(ctx, a.ID)
	if err != nil {
		return SSOClient{}, fmt.Errorf("sso client of app %q: %w", appRef, own(err))
	}
	if c.AssignmentOptional == !required {
		return s.GetSSOClient(ctx, a.ID)
	}
	c.AssignmentOptional, c.Updated = !required, s.now()
	if err := s.sso.PutOIDCClient(ctx, c); err != nil {
		return SSOClient{}, fmt.Errorf("set sso client of app %q: %w", appRef, own(err))
	}
	s.log.InfoContext(ctx, "sso assignment required changed", "app", a.Name, "assignment_required", required)
	return s.GetSSOClient(ctx, a.ID)
}

// DeleteSSOClient deletes the OIDC client of an application named by ID
// or name (NotFound when it has none): its client_id stops working at
// once for new sign-ins and token requests.
func (s *Service) DeleteSSOClient(ctx context.Context, appRef string) error {
	ca, err := s.ssoAdmin()
	if err != nil {
		return err
	}
	a, err := s.app(ctx, appRef)
	if err != nil {
		return fmt.Errorf("app %q: %w", appRef, err)
	}
	if err := ca.DeleteOIDCClient(ctx, a.ID); err != nil {
		return fmt.Errorf("delete sso client of app %q: %w", appRef, own(err))
	}
	s.log.InfoContext(ctx, "sso client deleted", "app", a.Name)
	return nil
}

func (s *Service) admins() (store.Admins, error) {
	a, ok := s.st.(store.Admins)
	if !ok {
		return nil, fmt.Errorf("directory store %T keeps no administrator role", s.st)
	}
	return a, nil
}

// SetAdmin grants or revokes the administrator role of a user named by
// userPrincipalName or ObjectID (issue 13: the admin web UI signs
// administrators in through the OpenID provider and then asks
// [Service.IsAdmin]). It returns the user.
func (s *Service) SetAdmin(ctx context.Context, ref string, admin bool) (directory.User, error) {
	u, err := on(ctx, "user", ref, s.user, func(u directory.User) (directory.User, error) {
		if admin && u.SoftDeleted() {
			return u, ErrInvalid.With("is deleted")
		}
		a, err := s.admins()
		if err != nil {
			return u, err
		}
		return u, a.SetAdmin(ctx, u.ObjectID, admin, s.now())
	})
	if err != nil {
		return directory.User{}, fmt.Errorf("set admin role: %w", err)
	}
	s.log.InfoContext(ctx, "admin role set", "user", u.UserPrincipalName, "admin", admin)
	return u, nil
}

// HasAdminRole reports whether the user with ObjectID userID holds the
// administrator role, whatever its state (for display).
func (s *Service) HasAdminRole(ctx context.Context, userID string) (bool, error) {
	a, err := s.admins()
	if err != nil {
		return false, err
	}
	ok, err := a.IsAdmin(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("admin role: %w", own(err))
	}
	return ok, nil
}

// IsAdmin reports whether the user with ObjectID userID may administer
// Provisio now: it holds the administrator role, is enabled and is not
// soft-deleted. An unknown user is not (false, nil). The admin UI calls
// it after every sign-in through the OpenID provider.
func (s *Service) IsAdmin(ctx context.Context, userID string) (bool, error) {
	ok, err := s.HasAdminRole(ctx, userID)
	if err != nil || !ok {
		return false, err
	}
	u, err := s.st.GetUser(ctx, userID)
	if err != nil {
		if svcerr.KindOf(own(err)) == svcerr.NotFound {
			return false, nil
		}
		return false, fmt.Errorf("admin role: %w", own(err))
	}
	return u.AccountEnabled && !u.SoftDeleted(), nil
}
