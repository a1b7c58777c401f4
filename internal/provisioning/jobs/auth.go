package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/credentials"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim/client"
)

// A job authenticates to its application with one of two methods.
const (
	// AuthSecretToken: a long-lived bearer token (Entra's Secret Token).
	AuthSecretToken = "secret-token"
	// AuthOAuth: an access token fetched with OAuth 2.0 client
	// credentials (RFC 6749 §4.4) and refreshed before it expires.
	AuthOAuth = "oauth-client-credentials"
)

// OAuthConfig sets a job's OAuth 2.0 client credentials, replacing its
// Secret Token. ClientSecret is write-only: required the first time and
// when the token URL or the Tenant URL moves to another origin, "" keeps
// the stored one otherwise.
type OAuthConfig struct {
	credentials.OAuth
	ClientSecret string
}

// Auth is how a job authenticates, as the API shows it (never a secret).
type Auth struct {
	Method string             // AuthSecretToken, AuthOAuth, or "" before credentials are set
	OAuth  *credentials.OAuth // the OAuth settings (AuthOAuth)
	// TokenExpires is the Secret Token's JWT exp claim; zero if unknown.
	TokenExpires time.Time
}

// storedOAuth is store.Job.OAuth: the settings and the sealed secret.
type storedOAuth struct {
	credentials.OAuth
	Secret []byte `json:"secret"` // secretbox, bound to oauthAD
}

// oauthAD binds a sealed client secret to its job and purpose, so that it
// never opens as the job's Secret Token or another job's secret.
func oauthAD(appID string) []byte { return []byte(appID + "\x00oauth-client-secret") }

// hasCredentials reports whether j has a Secret Token or OAuth client
// credentials.
func hasCredentials(j store.Job) bool { return len(j.Secret) > 0 || len(j.OAuth) > 0 }

// readOAuth decodes j's OAuth settings; nil for a job without.
func readOAuth(j store.Job) (*storedOAuth, error) {
	if len(j.OAuth) == 0 {
		return nil, nil
	}
	var o storedOAuth
	if err := json.Unmarshal(j.OAuth, &o); err != nil {
		return nil, fmt.Errorf("job of app %q: read oauth settings: %w", j.AppID, err)
	}
	return &o, nil
}

// applyCredentials applies c's Secret Token or OAuth client credentials
// to j (cur is the job before the change; isNew a job being created) and
// starts the credentials' state afresh when they change. It returns the
// problems found, which leave j unusable.
func (s *Service) applyCredentials(j *store.Job, cur store.Job, c Config, isNew bool) error {
	var errs []error
	switch {
	case c.SecretToken != "" && c.OAuth != nil:
		return errors.New("give a secret token or oauth client credentials, not both")
	case isNew && c.SecretToken == "" && c.OAuth == nil:
		return errors.New("a secret token is required (or oauth client credentials)")
	}
	old, err := readOAuth(cur)
	if err != nil {
		return err
	}
	moved := !isNew && origin(cur.TenantURL) != origin(j.TenantURL)
	switch {
	case c.SecretToken != "":
		sealed, err := s.box.Seal([]byte(c.SecretToken), []byte(j.AppID))
		if err != nil {
			return fmt.Errorf("encrypt secret token: %w", err)
		}
		j.Secret, j.OAuth = sealed, nil
	case c.OAuth != nil:
		o := storedOAuth{OAuth: c.OAuth.OAuth}
		errs = append(errs, o.Validate())
		switch {
		case c.OAuth.ClientSecret != "":
		case old == nil:
			errs = append(errs, errors.New("an oauth client secret is required"))
		case origin(old.TokenURL) != origin(o.TokenURL):
			errs = append(errs, fmt.Errorf("the oauth token url moves from %s to %s: send the client secret again, as the stored one belongs to %s", origin(old.TokenURL), origin(o.TokenURL), origin(old.TokenURL)))
		case moved:
			errs = append(errs, fmt.Errorf("the tenant url moves from %s to %s: send the oauth client secret again, as the tokens it gets belong to %s", origin(cur.TenantURL), origin(j.TenantURL), origin(cur.TenantURL)))
		default:
			o.Secret = old.Secret
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if c.OAuth.ClientSecret != "" {
			if o.Secret, err = s.box.Seal([]byte(c.OAuth.ClientSecret), oauthAD(j.AppID)); err != nil {
				return fmt.Errorf("encrypt oauth client secret: %w", err)
			}
		}
		b, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("oauth settings: %w", err)
		}
		j.OAuth, j.Secret = b, nil
	case moved && len(cur.Secret) > 0:
		return fmt.Errorf("the tenant url moves from %s to %s: send the secret token again, as the stored one belongs to %s", origin(cur.TenantURL), origin(j.TenantURL), origin(cur.TenantURL))
	case moved && old != nil:
		return fmt.Errorf("the tenant url moves from %s to %s: send the oauth client secret again, as the tokens it gets belong to %s", origin(cur.TenantURL), origin(j.TenantURL), origin(cur.TenantURL))
	}
	if isNew || cur.TenantURL != j.TenantURL || !bytes.Equal(cur.Secret, j.Secret) || !bytes.Equal(cur.OAuth, j.OAuth) {
		st := credentials.NewState(c.SecretToken)
		st.CheckExpiry(s.now()) // a token expiring soon warns at once
		b, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("credential state: %w", err)
		}
		j.CredentialState = b
	}
	return nil
}

// bearer is the scim/client option that authenticates j's requests: its
// Secret Token, or the access token of its OAuth client credentials.
func (s *Service) bearer(j store.Job) (client.Option, error) {
	o, err := readOAuth(j)
	if err != nil {
		return nil, err
	}
	if o == nil {
		token, err := s.box.Open(j.Secret, []byte(j.AppID))
		if err != nil {
			return nil, fmt.Errorf("job of app %q: decrypt secret token (is %s the key it was stored with?): %w", j.AppID, secretbox.KeyEnv, err)
		}
		return client.WithStaticToken(string(token)), nil
	}
	src, err := s.oauthSource(j, o)
	if err != nil {
		return nil, err
	}
	return client.WithBearerToken(src.Token), nil
}

// cachedSource is a job's OAuth token source with the stored settings it
// was built from.
type cachedSource struct {
	oauth []byte // store.Job.OAuth
	src   *credentials.Source
}

// oauthSource returns the job's token source, kept in the job's memory
// across its cycles (so the access token is fetched once, not per cycle)
// until its OAuth settings change. A job not yet saved gets one of its own.
func (s *Service) oauthSource(j store.Job, o *storedOAuth) (*credentials.Source, error) {
	var mem *jobMemory
	if j.ID != "" {
		mem = s.memory(j.ID)
		s.cmu.Lock()
		c := mem.oauth
		s.cmu.Unlock()
		if c != nil && bytes.Equal(c.oauth, j.OAuth) {
			return c.src, nil
		}
	}
	secret, err := s.box.Open(o.Secret, oauthAD(j.AppID))
	if err != nil {
		return nil, fmt.Errorf("job of app %q: decrypt oauth client secret (is %s the key it was stored with?): %w", j.AppID, secretbox.KeyEnv, err)
	}
	src := credentials.NewSource(o.OAuth, string(secret), s.outbound.DialControl(o.TokenURL))
	if mem != nil {
		s.cmu.Lock()
		mem.oauth = &cachedSource{oauth: j.OAuth, src: src}
		s.cmu.Unlock()
	}
	return src, nil
}

// refusedByTokenEndpoint is the refusal of the job's cached token source's
// last fetch, nil if none.
func (s *Service) refusedByTokenEndpoint(j store.Job) error {
	if len(j.OAuth) == 0 {
		return nil
	}
	mem := s.memory(j.ID)
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if c := mem.oauth; c != nil && bytes.Equal(c.oauth, j.OAuth) {
		return c.src.Refused()
	}
	return nil
}

// credentialState decodes j's credential state (empty before any).
func credentialState(j store.Job) credentials.State {
	var st credentials.State
	if len(j.CredentialState) > 0 {
		_ = json.Unmarshal(j.CredentialState, &st) // written by the service; a bad one starts afresh
	}
	return st
}

// authView is how j authenticates and its credential warnings as of now
// (an expiring Secret Token is shown even before a cycle noticed it).
func authView(j store.Job, now time.Time) (Auth, []string, error) {
	var a Auth
	o, err := readOAuth(j)
	switch {
	case err != nil:
		return a, nil, err
	case o != nil:
		a.Method, a.OAuth = AuthOAuth, &o.OAuth
	case len(j.Secret) > 0:
		a.Method = AuthSecretToken
	}
	st := credentialState(j)
	a.TokenExpires = st.TokenExpiry
	st.CheckExpiry(now)
	return a, st.Messages(), nil
}

// view is j as the API shows it, with its authentication and credential
// warnings.
func (s *Service) view(j store.Job) (Job, error) {
	v, err := jobView(j)
	if err != nil {
		return v, err
	}
	var warnings []string
	if v.Auth, warnings, err = authView(j, s.now()); err != nil {
		return v, err
	}
	v.Warnings = append(v.Warnings, warnings...)
	return v, nil
}

// credWatch is the Observer of one cycle that counts the requests the
// application refused for the credentials (401/403) and the actions that
// succeeded.
type credWatch struct {
	refused, ok atomic.Int64
}

// CycleStarted implements Observer.
func (*credWatch) CycleStarted(CycleInfo) {}

// CycleFinished implements Observer.
func (*credWatch) CycleFinished(CycleInfo, *CycleSummary, error) {}

// ActionLogged implements Observer. Calls come from several goroutines.
func (w *credWatch) ActionLogged(_ CycleInfo, e provisioning.LogEntry) {
	switch {
	case e.Status == provisioning.StatusSuccess:
		w.ok.Add(1)
	case e.Status == provisioning.StatusFailure && refusal(e.ErrorCode):
		w.refused.Add(1)
	}
}

// refusal reports whether a log entry's error code (engine's errorCode:
// "http-401", "http-403-<scimType>") is a refusal of the credentials.
func refusal(code string) bool {
	for _, p := range []string{"http-401", "http-403"} {
		if code == p || strings.HasPrefix(code, p+"-") {
			return true
		}
	}
	return false
}

// noteCredentials records what requests with j's credentials showed: ok
// (one succeeded), else refused (why, "" if not refused); and checks the
// Secret Token's expiry. New warnings are told to every JobObserver
// (EventCredentialsWarn), each once per condition: the state is stored
// with the job. Credentials changed meanwhile are left alone.
func (s *Service) noteCredentials(ctx context.Context, was store.Job, ok bool, refused string) error {
	unlock := s.editLock(was.AppID)
	j, err := s.st.GetJobByApp(ctx, was.AppID)
	if err != nil {
		unlock()
		return own(err, "read job of app %q", was.AppID)
	}
	if j.TenantURL != was.TenantURL || !bytes.Equal(j.Secret, was.Secret) || !bytes.Equal(j.OAuth, was.OAuth) {
		unlock()
		return nil
	}
	st := credentialState(j)
	changed := false
	var raised []credentials.Warning
	if ok {
		changed = st.Succeeded()
	} else if refused != "" {
		if w, isNew := st.Refused(refused, s.now()); isNew {
			raised = append(raised, w)
		}
	}
	if w, isNew := st.CheckExpiry(s.now()); isNew {
		raised = append(raised, w)
	}
	if changed || len(raised) > 0 {
		if j.CredentialState, err = json.Marshal(st); err == nil {
			_, err = s.st.UpdateJob(ctx, j)
		}
	}
	unlock()
	if err != nil {
		return own(err, "record credential state of app %q", j.AppID)
	}
	s.tellCredentials(j, raised)
	return nil
}

// tellCredentials logs the new warnings of j's credentials and tells every
// JobObserver (EventCredentialsWarn). No lock of the Service is held.
func (s *Service) tellCredentials(j store.Job, raised []credentials.Warning) {
	for _, w := range raised {
		s.log.Warn("provisioning job: credentials", "app", j.AppID, "warning", w.Message)
		s.jobEvent(JobEvent{Kind: EventCredentialsWarn, JobID: j.ID, AppID: j.AppID, AppName: j.AppID,
			NotificationEmail: j.NotificationEmail, Reason: w.Message, Since: w.Since})
	}
}

// noteCycleCredentials is noteCredentials after a cycle that w watched.
func (s *Service) noteCycleCredentials(ctx context.Context, j store.Job, w *credWatch) {
	refused := ""
	if err := s.refusedByTokenEndpoint(j); err != nil {
		refused = err.Error()
	} else if n := w.refused.Load(); n > 0 {
		refused = fmt.Sprintf("the application answered HTTP 401 or 403 to %d requests of the last cycle", n)
	}
	if err := s.noteCredentials(ctx, j, w.ok.Load() > 0, refused); err != nil {
		s.log.Warn("provisioning job: record credential state", "app", j.AppID, "err", err)
	}
}

// noteTestCredentials is noteCredentials after Test Connection's err.
func (s *Service) noteTestCredentials(ctx context.Context, j store.Job, err error) {
	var ce *client.ConnectionError
	refused := ""
	switch {
	case err == nil:
	case s.refusedByTokenEndpoint(j) != nil:
		refused = s.refusedByTokenEndpoint(j).Error()
	case errors.As(err, &ce) && ce.Reason == client.ReasonCredentials:
		refused = "Test Connection: " + ce.Error()
	default:
		return // says nothing of the credentials
	}
	if nerr := s.noteCredentials(ctx, j, err == nil, refused); nerr != nil {
		s.log.Warn("provisioning job: record credential state", "app", j.AppID, "err", nerr)
	}
}
