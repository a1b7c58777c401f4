package oidc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Lifetimes of the in-memory artefacts.
const (
	authRequestTTL = 10 * time.Minute
	accessTokenTTL = time.Hour
)

// authRequest is one authorization request (op.AuthRequest).
type authRequest struct {
	id       string
	created  time.Time
	req      oidc.AuthRequest
	subject  string
	authTime time.Time
	done     bool
}

func (a *authRequest) GetID() string                      { return a.id }
func (a *authRequest) GetACR() string                     { return "" }
func (a *authRequest) GetAMR() []string                   { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string              { return []string{a.req.ClientID} }
func (a *authRequest) GetAuthTime() time.Time             { return a.authTime }
func (a *authRequest) GetClientID() string                { return a.req.ClientID }
func (a *authRequest) GetNonce() string                   { return a.req.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.req.Scopes }
func (a *authRequest) GetState() string                   { return a.req.State }
func (a *authRequest) GetSubject() string                 { return a.subject }
func (a *authRequest) Done() bool                         { return a.done }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}

// accessToken is what an opaque access token's id refers to.
type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}

// storage implements op.Storage over the caller's interfaces and in-memory
// requests, codes and tokens.
type storage struct {
	cfg Config

	mu       sync.Mutex
	requests map[string]*authRequest // by id
	codes    map[string]string       // code -> request id
	tokens   map[string]accessToken  // by id
}

var _ op.Storage = (*storage)(nil)

func newStorage(cfg Config) *storage {
	return &storage{
		cfg:      cfg,
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		tokens:   map[string]accessToken{},
	}
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
	a := &authRequest{id: uuid.NewString(), created: s.cfg.Now(), req: *req}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gcLocked()
	s.requests[a.id] = a
	return a, nil
}

// gcLocked drops expired requests and tokens.
func (s *storage) gcLocked() {
	now := s.cfg.Now()
	for id, a := range s.requests {
		if now.Sub(a.created) > authRequestTTL {
			delete(s.requests, id)
		}
	}
	for code, id := range s.codes {
		if _, ok := s.requests[id]; !ok {
			delete(s.codes, code)
		}
	}
	for id, t := range s.tokens {
		if now.After(t.expires) {
			delete(s.tokens, id)
		}
	}
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return nil, notFound{errors.New("auth request not found")}
	}
	return a, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, notFound{errors.New("code not found")}
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once a code is exchanged: the code cannot
// be used again (RFC 6749 §4.1.2).
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// complete marks the request authenticated by userID, if the user is
// assigned to the client's application.
func (s *storage) complete(ctx context.Context, id, userID string) error {
	a, err := s.AuthRequestByID(ctx, id)
	if err != nil {
		return err
	}
	c, err := s.cfg.Clients.Client(ctx, a.GetClientID())
	if err != nil {
		return fmt.Errorf("complete auth request: %w", err)
	}
	ok, err := s.cfg.Directory.Assigned(ctx, c.AppID, userID)
	if err != nil {
		return fmt.Errorf("complete auth request: %w", err)
	}
	if !ok {
		return errNotAssigned
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := a.(*authRequest)
	r.subject, r.authTime, r.done = userID, s.cfg.Now(), true
	return nil
}

var errNotAssigned = errors.New("user is not assigned to the application")

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID := ""
	if a, ok := req.(*authRequest); ok {
		clientID = a.GetClientID()
	}
	t := accessToken{subject: req.GetSubject(), clientID: clientID, scopes: req.GetScopes(), expires: s.cfg.Now().Add(accessTokenTTL)}
	id := uuid.NewString()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[id] = t
	return id, t.expires, nil
}

var errNoRefresh = errors.New("refresh tokens are not supported")

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNoRefresh
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.tokens, id)
		}
	}
	return nil
}

func (s *storage) RevokeToken(_ context.Context, token, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[token]; ok && t.clientID == clientID {
		delete(s.tokens, token)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{s.cfg.Keys.current()}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	var out []op.Key
	for _, k := range s.cfg.Keys.Keys() {
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
	return s.setUserinfo(ctx, ui, req.GetSubject(), scopes)
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || s.cfg.Now().After(t.expires) {
		return errors.New("access token not found or expired")
	}
	return s.setUserinfo(ctx, ui, subject, t.scopes)
}

// setUserinfo maps a directory user to standard claims (OpenID Connect
// Core 1.0 §5.4): profile gives preferred_username, name, given_name and
// family_name; email gives email.
func (s *storage) setUserinfo(ctx context.Context, ui *oidc.UserInfo, userID string, scopes []string) error {
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
