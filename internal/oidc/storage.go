package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Lifetimes of the stored artefacts.
const (
	authRequestTTL = 10 * time.Minute
	// codeTTL bounds a code's life (RFC 6749 §4.1.2: 10 minutes at most).
	codeTTL        = 5 * time.Minute
	accessTokenTTL = time.Hour
	// refreshTokenTTL is a refresh token's life; each use (rotation)
	// issues a new one with a new life.
	refreshTokenTTL = 30 * 24 * time.Hour
	// pruneGrace keeps expired rows an hour longer, so that a reused
	// code or refresh token shortly after expiry is still recognised as
	// a reuse and revokes its family.
	pruneGrace = time.Hour
)

// authRecord is the JSON Data of a stored authorization request.
type authRecord struct {
	Req      oidc.AuthRequest `json:"req"`
	Created  time.Time        `json:"created"`
	Subject  string           `json:"sub,omitempty"`
	AuthTime time.Time        `json:"auth_time"`
	Done     bool             `json:"done,omitempty"`
}

// authRequest is one authorization request (op.AuthRequest).
type authRequest struct {
	id  string
	rec authRecord
}

func (a *authRequest) GetID() string                      { return a.id }
func (a *authRequest) GetACR() string                     { return "" }
func (a *authRequest) GetAMR() []string                   { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string              { return []string{a.rec.Req.ClientID} }
func (a *authRequest) GetAuthTime() time.Time             { return a.rec.AuthTime }
func (a *authRequest) GetClientID() string                { return a.rec.Req.ClientID }
func (a *authRequest) GetNonce() string                   { return a.rec.Req.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.rec.Req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.rec.Req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.rec.Req.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.rec.Req.Scopes }
func (a *authRequest) GetState() string                   { return a.rec.Req.State }
func (a *authRequest) GetSubject() string                 { return a.rec.Subject }
func (a *authRequest) Done() bool                         { return a.rec.Done }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.rec.Req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.rec.Req.CodeChallenge, Method: a.rec.Req.CodeChallengeMethod}
}

// tokenData is the JSON Data of a stored token: what the grant allows.
type tokenData struct {
	Scopes   []string  `json:"scopes"`
	Audience []string  `json:"aud"`
	AMR      []string  `json:"amr,omitempty"`
	AuthTime time.Time `json:"auth_time"`
}

// refreshRequest is a refresh token's grant (op.RefreshTokenRequest).
type refreshRequest struct {
	hash, grantID, clientID, subject string
	data                             tokenData
}

func (r *refreshRequest) GetAMR() []string                 { return r.data.AMR }
func (r *refreshRequest) GetAudience() []string            { return r.data.Audience }
func (r *refreshRequest) GetAuthTime() time.Time           { return r.data.AuthTime }
func (r *refreshRequest) GetClientID() string              { return r.clientID }
func (r *refreshRequest) GetScopes() []string              { return r.data.Scopes }
func (r *refreshRequest) GetSubject() string               { return r.subject }
func (r *refreshRequest) SetCurrentScopes(scopes []string) { r.data.Scopes = scopes }

// storage implements op.Storage over the caller's interfaces; requests,
// codes and tokens are in [Grants], shared by every node.
type storage struct {
	cfg Config
	log *slog.Logger
}

var _ op.Storage = (*storage)(nil)

func newStorage(cfg Config) *storage {
	return &storage{cfg: cfg, log: cmpLogger(cfg.Logger)}
}

func cmpLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// notFound satisfies op.StorageNotFoundError.
type notFound struct{ error }

func (notFound) IsNotFound() {}

// CreateAuthRequest stores an authorization request. PKCE is S256 only
// and required for public clients (RFC 9700 §2.1.1).
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	c, err := s.cfg.Clients.Client(ctx, req.ClientID)
	if err != nil {
		return nil, fmt.Errorf("auth request client %q: %w", req.ClientID, err)
	}
	if req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if req.CodeChallenge == "" && c.Public {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge required for public clients")
	}
	now := s.cfg.Now()
	a := &authRequest{id: uuid.NewString(), rec: authRecord{Req: *req, Created: now}}
	if err := s.put(ctx, a, "", now.Add(authRequestTTL)); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *storage) put(ctx context.Context, a *authRequest, codeHash string, expires time.Time) error {
	data, err := json.Marshal(a.rec)
	if err != nil {
		return fmt.Errorf("auth request %q: %w", a.id, err)
	}
	return s.cfg.Grants.PutAuthRequest(ctx, AuthRequestRecord{ID: a.id, Data: data, CodeHash: codeHash, Expires: expires})
}

func (s *storage) decode(r AuthRequestRecord) (*authRequest, error) {
	a := &authRequest{id: r.ID}
	if err := json.Unmarshal(r.Data, &a.rec); err != nil {
		return nil, fmt.Errorf("auth request %q: %w", r.ID, err)
	}
	return a, nil
}

// AuthRequestByID returns a pending (not expired, not redeemed) request.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.cfg.Grants.AuthRequest(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && (r.Exchanged || s.cfg.Now().After(r.Expires))) {
		return nil, notFound{errors.New("auth request not found or expired")}
	}
	if err != nil {
		return nil, err
	}
	return s.decode(r)
}

// AuthRequestByCode returns the request of a code not yet redeemed and
// not expired. A redeemed code presented again revokes the tokens issued
// from it (RFC 6749 §4.1.2); the caller answers invalid_grant.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.cfg.Grants.AuthRequestByCode(ctx, hashValue(code))
	if errors.Is(err, ErrNotFound) {
		return nil, notFound{errors.New("code not found")}
	}
	if err != nil {
		return nil, err
	}
	if r.Exchanged {
		s.revokeGrant(ctx, r.ID, "authorization code reused")
		return nil, notFound{errors.New("code already used")}
	}
	if s.cfg.Now().After(r.Expires) {
		return nil, notFound{errors.New("code expired")}
	}
	a, err := s.decode(r)
	if err != nil {
		return nil, err
	}
	if !a.rec.Done {
		return nil, notFound{errors.New("auth request not completed")}
	}
	return a, nil
}

// SaveAuthCode stores the code's hash; the code lives codeTTL.
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	r, err := s.cfg.Grants.AuthRequest(ctx, id)
	if err != nil {
		return fmt.Errorf("save code: %w", err)
	}
	a, err := s.decode(r)
	if err != nil {
		return err
	}
	return s.put(ctx, a, hashValue(code), s.cfg.Now().Add(codeTTL))
}

// DeleteAuthRequest is called once a code is exchanged: it marks the
// code redeemed. A concurrent second redemption loses: its tokens and
// the winner's are revoked (RFC 6749 §4.1.2).
func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	first, err := s.cfg.Grants.ExchangeAuthRequest(ctx, id)
	if err != nil {
		return err
	}
	if !first {
		s.revokeGrant(ctx, id, "authorization code redeemed twice")
		return oidc.ErrInvalidGrant().WithDescription("code already used")
	}
	return nil
}

func (s *storage) revokeGrant(ctx context.Context, grantID, why string) {
	n, err := s.cfg.Grants.RevokeGrant(ctx, grantID, s.cfg.Now())
	if err != nil {
		s.log.ErrorContext(ctx, "oidc: revoke grant", "reason", why, "err", err)
		return
	}
	s.log.WarnContext(ctx, "oidc: grant revoked", "reason", why, "grant", grantID, "tokens", n)
}

// complete marks the request authenticated by userID, if the user is
// assigned to the client's application.
func (s *storage) complete(ctx context.Context, id, userID string) error {
	r, err := s.AuthRequestByID(ctx, id)
	if err != nil {
		return err
	}
	a := r.(*authRequest)
	c, err := s.cfg.Clients.Client(ctx, a.GetClientID())
	if err != nil {
		return fmt.Errorf("complete auth request: %w", err)
	}
	ok, err := s.allowed(ctx, c, userID)
	if err != nil {
		return fmt.Errorf("complete auth request: %w", err)
	}
	if !ok {
		return errNotAssigned
	}
	now := s.cfg.Now()
	a.rec.Subject, a.rec.AuthTime, a.rec.Done = userID, now, true
	return s.put(ctx, a, "", a.rec.Created.Add(authRequestTTL))
}

var errNotAssigned = errors.New("user is not assigned to the application")

// allowed reports whether the user may sign in to the client's
// application: assigned to it (directly or through a group) when the
// application requires assignment (issue 13, the default); any enabled,
// non-deleted directory user when it does not.
func (s *storage) allowed(ctx context.Context, c Client, userID string) (bool, error) {
	if !c.AssignmentOptional {
		return s.cfg.Directory.Assigned(ctx, c.AppID, userID)
	}
	u, err := s.cfg.Directory.User(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return u.Enabled, nil
}

// grantOf returns what a token request carries into its tokens.
func grantOf(req op.TokenRequest) (grantID, clientID string, d tokenData) {
	d = tokenData{Scopes: req.GetScopes(), Audience: req.GetAudience()}
	switch r := req.(type) {
	case *authRequest:
		return r.id, r.GetClientID(), tokenData{Scopes: r.GetScopes(), Audience: r.GetAudience(), AMR: r.GetAMR(), AuthTime: r.GetAuthTime()}
	case *refreshRequest:
		return r.grantID, r.clientID, r.data
	}
	return uuid.NewString(), "", d
}

func (s *storage) addToken(ctx context.Context, kind, value, grantID, clientID, subject string, d tokenData, ttl time.Duration) (time.Time, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return time.Time{}, err
	}
	now := s.cfg.Now()
	t := TokenRecord{Hash: hashValue(value), Kind: kind, GrantID: grantID, ClientID: clientID, Subject: subject,
		Data: data, Created: now, Expires: now.Add(ttl)}
	if err := s.cfg.Grants.AddToken(ctx, t); err != nil {
		return time.Time{}, err
	}
	return t.Expires, nil
}

// CreateAccessToken stores an access token; the bearer value is the
// token id encrypted by the provider, the store keeps the id's hash.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	grantID, clientID, d := grantOf(req)
	id := randomToken()
	exp, err := s.addToken(ctx, KindAccess, id, grantID, clientID, req.GetSubject(), d, accessTokenTTL)
	return id, exp, err
}

// CreateAccessAndRefreshTokens issues an access token and a refresh
// token. With currentRefreshToken (the refresh grant) it rotates: the
// presented token is marked used, once; losing that race means the token
// was used twice, and the whole family is revoked (RFC 9700 §4.14.2).
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	grantID, clientID, d := grantOf(req)
	if currentRefreshToken != "" {
		first, err := s.cfg.Grants.UseToken(ctx, hashValue(currentRefreshToken), s.cfg.Now())
		if err != nil {
			return "", "", time.Time{}, err
		}
		if !first {
			s.revokeGrant(ctx, grantID, "refresh token reused")
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
		}
	}
	accessID, exp, err := s.CreateAccessToken(ctx, req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	refresh := randomToken()
	if _, err := s.addToken(ctx, KindRefresh, refresh, grantID, clientID, req.GetSubject(), d, refreshTokenTTL); err != nil {
		return "", "", time.Time{}, err
	}
	return accessID, refresh, exp, nil
}

// TokenRequestByRefreshToken returns the grant of a valid refresh token.
// An already used (rotated) token revokes its family (RFC 9700 §4.14.2).
// The directory is read on every refresh: a user disabled, soft-deleted,
// deleted or no longer assigned gets invalid_grant at once, and the
// family is revoked.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.cfg.Grants.Token(ctx, hashValue(token))
	if errors.Is(err, ErrNotFound) || (err == nil && t.Kind != KindRefresh) {
		return nil, op.ErrInvalidRefreshToken
	}
	if err != nil {
		return nil, err
	}
	switch {
	case t.Revoked != nil:
		return nil, fmt.Errorf("refresh token revoked: %w", op.ErrInvalidRefreshToken)
	case t.Used != nil:
		s.revokeGrant(ctx, t.GrantID, "refresh token reused")
		return nil, fmt.Errorf("refresh token already used: %w", op.ErrInvalidRefreshToken)
	case s.cfg.Now().After(t.Expires):
		return nil, fmt.Errorf("refresh token expired: %w", op.ErrInvalidRefreshToken)
	}
	if err := s.stillAllowed(ctx, t.Subject, t.ClientID); err != nil {
		s.revokeGrant(ctx, t.GrantID, err.Error())
		return nil, fmt.Errorf("%w: %w", err, op.ErrInvalidRefreshToken)
	}
	r := &refreshRequest{hash: t.Hash, grantID: t.GrantID, clientID: t.ClientID, subject: t.Subject}
	if err := json.Unmarshal(t.Data, &r.data); err != nil {
		return nil, fmt.Errorf("refresh token data: %w", err)
	}
	return r, nil
}

var errNoLongerAllowed = errors.New("user is disabled, deleted or no longer assigned")

// stillAllowed checks the directory now: the user exists, is enabled and
// is assigned to the client's application.
func (s *storage) stillAllowed(ctx context.Context, userID, clientID string) error {
	c, err := s.cfg.Clients.Client(ctx, clientID)
	if err != nil {
		return fmt.Errorf("client %q: %w", clientID, err)
	}
	u, err := s.cfg.Directory.User(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return errNoLongerAllowed
	}
	if err != nil {
		return err
	}
	if !u.Enabled {
		return errNoLongerAllowed
	}
	ok, err := s.allowed(ctx, c, userID)
	if err != nil {
		return err
	}
	if !ok {
		return errNoLongerAllowed
	}
	return nil
}

func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	return s.cfg.Grants.RevokeSubject(ctx, userID, clientID, s.cfg.Now())
}

// refreshPrefix marks, between GetRefreshTokenInfo and RevokeToken, the
// hash of a refresh token.
const refreshPrefix = "rt:"

// GetRefreshTokenInfo identifies a refresh token for revocation.
func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.cfg.Grants.Token(ctx, hashValue(token))
	if errors.Is(err, ErrNotFound) || (err == nil && t.Kind != KindRefresh) {
		return "", "", op.ErrInvalidRefreshToken
	}
	if err != nil {
		return "", "", err
	}
	return t.Subject, refreshPrefix + t.Hash, nil
}

// RevokeToken revokes a token (RFC 7009 §2.1). A refresh token revokes
// its whole grant, access tokens included (§2.1: SHOULD); an access token
// only itself. An unknown token is not an error (§2.2); another client's
// token is refused.
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, _, clientID string) *oidc.Error {
	hash, isRefresh := strings.CutPrefix(tokenOrID, refreshPrefix)
	if !isRefresh {
		hash = hashValue(tokenOrID)
	}
	t, err := s.cfg.Grants.Token(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if t.ClientID != clientID {
		return oidc.ErrUnauthorizedClient().WithDescription("token was not issued to this client")
	}
	if isRefresh {
		if _, err := s.cfg.Grants.RevokeGrant(ctx, t.GrantID, s.cfg.Now()); err != nil {
			return oidc.ErrServerError().WithParent(err)
		}
		return nil
	}
	if err := s.cfg.Grants.RevokeToken(ctx, hash, s.cfg.Now()); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.cfg.Keys.signer(ctx)
	if err != nil {
		return nil, err
	}
	return signingKey{k}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	var out []op.Key
	for _, k := range s.cfg.Keys.published(ctx) {
		out = append(out, publicKey{k})
	}
	return out, nil
}

func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, err := s.cfg.Clients.Client(ctx, clientID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound{err}
		}
		return nil, fmt.Errorf("get client %q: %w", clientID, err)
	}
	return &client{c: c, loginURL: s.cfg.Issuer + loginPath}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	c, err := s.cfg.Clients.Client(ctx, clientID)
	if err != nil {
		return fmt.Errorf("authorize client %q: %w", clientID, err)
	}
	if !secretMatches(c.SecretHash, secret) {
		return oidc.ErrInvalidClient().WithDescription("invalid client secret")
	}
	return nil
}

// SetUserinfoFromScopes leaves the id_token claims to SetUserinfoFromRequest.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the id_token claims (op.CanSetUserinfoFromRequest).
func (s *storage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(ctx, ui, req.GetSubject(), req.GetClientID(), scopes)
}

// SetUserinfoFromToken answers userinfo: the access token must be
// stored, not revoked nor expired, and its user still enabled and
// assigned (the directory is read on every call).
func (s *storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.cfg.Grants.Token(ctx, hashValue(tokenID))
	if err != nil || t.Kind != KindAccess || t.Revoked != nil || t.Subject != subject || s.cfg.Now().After(t.Expires) {
		return errors.New("access token not found, revoked or expired")
	}
	if err := s.stillAllowed(ctx, subject, t.ClientID); err != nil {
		return err
	}
	var d tokenData
	if err := json.Unmarshal(t.Data, &d); err != nil {
		return fmt.Errorf("access token data: %w", err)
	}
	return s.setUserinfo(ctx, ui, subject, t.ClientID, d.Scopes)
}

// setUserinfo maps a directory user to standard claims (OpenID Connect
// Core 1.0 §5.4): profile gives preferred_username, name, given_name and
// family_name; email gives email. roles (always, when the user has any)
// are the user's app role assignments for the client's application.
func (s *storage) setUserinfo(ctx context.Context, ui *oidc.UserInfo, userID, clientID string, scopes []string) error {
	u, err := s.cfg.Directory.User(ctx, userID)
	if err != nil {
		return fmt.Errorf("userinfo %q: %w", userID, err)
	}
	if !u.Enabled {
		return fmt.Errorf("userinfo %q: account disabled", userID)
	}
	ui.Subject = u.ID
	if slices.Contains(scopes, oidc.ScopeProfile) {
		ui.PreferredUsername = u.UserPrincipalName
		ui.Name = u.DisplayName
		ui.GivenName = u.GivenName
		ui.FamilyName = u.Surname
	}
	if slices.Contains(scopes, oidc.ScopeEmail) {
		ui.Email = u.Email
	}
	c, err := s.cfg.Clients.Client(ctx, clientID)
	if err != nil {
		return fmt.Errorf("userinfo client %q: %w", clientID, err)
	}
	roles, err := s.cfg.Directory.AppRoles(ctx, c.AppID, userID)
	if err != nil {
		return fmt.Errorf("userinfo %q roles: %w", userID, err)
	}
	if len(roles) > 0 {
		ui.AppendClaims("roles", roles)
	}
	return nil
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("introspection is not supported")
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt is not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("jwt profile is not supported")
}

func (s *storage) Health(context.Context) error { return nil }
