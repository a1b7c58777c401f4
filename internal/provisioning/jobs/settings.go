package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim/client"
)

// Configure creates the application's job or changes its settings. Every
// problem is reported at once, wrapped in ErrInvalid.
func (s *Service) Configure(ctx context.Context, appID string, c Config) (Job, error) {
	unlock := s.editLock(appID)
	var tell func() // the new credentials' warnings, told once unlocked
	defer func() {
		unlock()
		if tell != nil {
			tell()
		}
	}()
	cur, err := s.st.GetJobByApp(ctx, appID)
	isNew := errors.Is(err, store.ErrNotFound)
	if err != nil && !isNew {
		return Job{}, fmt.Errorf("configure job of app %q: %w", appID, err)
	}
	if isNew {
		cur = store.Job{AppID: appID, Scope: string(provisioning.ScopeAssigned), Interval: DefaultInterval, State: string(StateStopped)}
		if cur.Mappings, err = json.Marshal(DefaultMappings()); err != nil {
			return Job{}, fmt.Errorf("configure job of app %q: %w", appID, err)
		}
	}
	next, err := s.apply(cur, c, isNew)
	if err != nil {
		return Job{}, fmt.Errorf("configure job of app %q: %w", appID, err)
	}
	var warning string
	if c.TenantURL != "" || c.SecretToken != "" || c.OAuth != nil {
		warning = s.discoverOnSave(ctx, &next)
	}
	if c.Mappings != nil {
		if err := checkTargets(next); err != nil {
			return Job{}, fmt.Errorf("configure job of app %q: %w: %w", appID, ErrInvalid, err)
		}
	}
	if isNew {
		next, err = s.st.CreateJob(ctx, next)
	} else {
		next, err = s.st.UpdateJob(ctx, next)
	}
	if err != nil {
		return Job{}, own(err, "configure job of app %q", appID)
	}
	if err := s.saveThreshold(ctx, next.ID, c); err != nil {
		return Job{}, own(err, "configure job of app %q", appID)
	}
	if !isNew && (c.TenantURL != "" || c.SecretToken != "") {
		s.attemptNow(ctx, next, nil) // quarantine.go
	}
	s.setRetryAt(next.ID, time.Time{})
	if c.TenantURL != "" && outbound.Cleartext(next.TenantURL) {
		s.log.Warn("provisioning job: "+cleartextWarning, "app", appID)
	}
	if !isNew && !bytes.Equal(cur.Mappings, next.Mappings) {
		if err := s.restart(ctx, next); err != nil {
			return Job{}, err
		}
	}
	if saved := next; !bytes.Equal(cur.CredentialState, saved.CredentialState) {
		tell = func() { s.tellCredentials(saved, credentialState(saved).Warnings) }
	}
	v, err := s.view(next)
	if warning != "" {
		v.Warnings = append(v.Warnings, warning)
	}
	if err != nil {
		return v, err
	}
	return v, s.withGuard(ctx, &v)
}

// checkTargets checks the job's mappings against the application's
// discovered schema.
func checkTargets(j store.Job) error {
	ts, err := targetSchema(j)
	if err != nil {
		return err
	}
	var m Mappings
	if err := json.Unmarshal(j.Mappings, &m); err != nil {
		return fmt.Errorf("read mappings: %w", err)
	}
	return m.CheckTargets(ts)
}

// cleartextWarning is shown with a job whose Tenant URL is plain http to a
// host that is not loopback (see outbound.Cleartext).
const cleartextWarning = "the Tenant URL is plain http to a host that is not loopback: the Secret Token travels in clear; use https"

// apply validates c and applies it to j.
func (s *Service) apply(j store.Job, c Config, isNew bool) (store.Job, error) {
	cur := j
	var errs []error
	if c.TenantURL != "" {
		if err := validateTenantURL(c.TenantURL); err != nil {
			errs = append(errs, err)
		}
		j.TenantURL = c.TenantURL
	} else if isNew {
		errs = append(errs, errors.New("a tenant url is required"))
	}
	errs = append(errs, s.applyCredentials(&j, cur, c, isNew))
	switch c.Scope {
	case "":
	case provisioning.ScopeAssigned, provisioning.ScopeAll:
		j.Scope = string(c.Scope)
	default:
		errs = append(errs, fmt.Errorf("scope %q: want %q or %q", c.Scope, provisioning.ScopeAssigned, provisioning.ScopeAll))
	}
	switch {
	case c.Interval == 0:
	case c.Interval < MinInterval:
		errs = append(errs, fmt.Errorf("interval %s: want at least %s", c.Interval, MinInterval))
	default:
		j.Interval = c.Interval
	}
	if c.NotificationEmail != nil {
		if *c.NotificationEmail != "" {
			if a, err := mail.ParseAddress(*c.NotificationEmail); err != nil || a.Address != *c.NotificationEmail {
				errs = append(errs, fmt.Errorf("notification email %q is not an email address", *c.NotificationEmail))
			}
		}
		j.NotificationEmail = *c.NotificationEmail
	}
	if c.SkipOutOfScopeDeletions != nil {
		j.SkipOutOfScopeDeletions = *c.SkipOutOfScopeDeletions
	}
	if c.Bulk != nil {
		j.Bulk = *c.Bulk
	}
	errs = append(errs, checkThreshold(c))
	errs = append(errs, applyLimits(&j, c), applyReconcileEvery(&j, c))
	if c.Mappings != nil {
		ts, err := targetSchema(cur)
		errs = append(errs, err, c.Mappings.Check(ts))
		b, err := json.Marshal(c.Mappings)
		if err != nil {
			errs = append(errs, fmt.Errorf("mappings: %w", err))
		}
		j.Mappings = b
	}
	errs = append(errs, s.applyWebhook(&j, c))
	if err := errors.Join(errs...); err != nil {
		return j, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return j, nil
}

// validateTenantURL accepts an absolute http or https URL without
// credentials or fragment.
func validateTenantURL(raw string) error { return checkURL("tenant url", raw) }

// checkURL accepts an absolute http or https URL without credentials (a
// secret of its own carries them) or fragment; what names it in errors.
func checkURL(what, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s %q: want an absolute http or https url", what, raw)
	case u.Host == "":
		return fmt.Errorf("%s %q: no host", what, raw)
	case u.User != nil:
		return fmt.Errorf("%s must not contain credentials; use its secret", what)
	case u.Fragment != "":
		return fmt.Errorf("%s %q: no fragment allowed", what, raw)
	}
	return nil
}

// origin is the scheme, host and port of a Tenant URL (RFC 6454 §4), the
// default port made explicit: a stored Secret Token is only ever sent to
// the origin it was given for.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// Get returns the application's job.
func (s *Service) Get(ctx context.Context, appID string) (Job, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return Job{}, err
	}
	v, err := s.view(j)
	if err != nil {
		return v, err
	}
	return v, s.withGuard(ctx, &v)
}

// List returns every job, by application id.
func (s *Service) List(ctx context.Context) ([]Job, error) {
	js, err := s.st.ListJobs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	guards, err := s.guards(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Job, 0, len(js))
	for _, j := range js {
		v, err := s.view(j)
		if err != nil {
			return nil, err
		}
		v.DeletionThreshold = thresholdOf(guards[j.ID])
		out = append(out, v)
	}
	return out, nil
}

// Delete stops the application's job and removes it with its links, logs
// and cycles. The accounts in the application are left as they are.
func (s *Service) Delete(ctx context.Context, appID string) error {
	j, err := s.job(ctx, appID)
	if err != nil {
		return err
	}
	s.cancelRun(j.ID)
	s.cmu.Lock()
	delete(s.memories, j.ID)
	s.cmu.Unlock()
	s.mu.Lock()
	delete(s.counted, j.ID)
	s.mu.Unlock()
	if err := s.st.DeleteJob(ctx, j.ID); err != nil {
		return own(err, "delete job of app %q", appID)
	}
	return nil
}

// Start switches provisioning on: the scheduler runs the job every
// interval, the first cycle at its next tick.
func (s *Service) Start(ctx context.Context, appID string) (Job, error) {
	return s.setEnabled(ctx, appID, true)
}

// Stop switches provisioning off and cancels a running cycle (the next
// cycle picks up where it stopped).
func (s *Service) Stop(ctx context.Context, appID string) (Job, error) {
	j, err := s.setEnabled(ctx, appID, false)
	if err == nil {
		s.cancelRun(j.ID)
	}
	return j, err
}

func (s *Service) setEnabled(ctx context.Context, appID string, on bool) (Job, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return Job{}, err
	}
	if on && (j.TenantURL == "" || !hasCredentials(j)) {
		return Job{}, fmt.Errorf("start job of app %q: %w", appID, ErrNoToken)
	}
	j.Enabled = on
	if j, err = s.st.UpdateJob(ctx, j); err != nil {
		return Job{}, own(err, "update job of app %q", appID)
	}
	s.setRetryAt(j.ID, time.Time{})
	v, err := s.view(j)
	if err != nil {
		return v, err
	}
	return v, s.withGuard(ctx, &v)
}

// TestConnection tests the job's stored credentials as Entra does. A
// failure of the target is a *client.ConnectionError whose Reason says
// what is wrong (unreachable, tls, timeout, credentials, not-found,
// not-scim, ...).
func (s *Service) TestConnection(ctx context.Context, appID string) error {
	j, err := s.job(ctx, appID)
	if err != nil {
		return err
	}
	c, m, err := s.target(j)
	if err != nil {
		return err
	}
	err = c.TestConnection(ctx, m.MatchingTarget())
	s.afterTest(ctx, j, err) // quarantine.go
	s.noteTestCredentials(ctx, j, err)
	if err != nil {
		return err
	}
	return s.rediscover(ctx, j)
}

// rediscover reads the application's schema again (Test Connection) and
// saves it, with the job's default mappings fitted to it; a change of the
// mappings restarts the job. A failure to read it is logged, not returned:
// the connection itself works.
func (s *Service) rediscover(ctx context.Context, j store.Job) error {
	c, _, err := s.target(j)
	if err != nil {
		return nil
	}
	ts, err := s.discover(ctx, c)
	if err != nil {
		s.log.Warn("provisioning job: schema discovery", "app", j.AppID, "err", err)
		return nil
	}
	return s.recordDiscovery(ctx, j, ts)
}

// recordDiscovery saves a schema discovered with j's credentials, with the
// job's default mappings fitted to it, unless the credentials changed
// meanwhile; a change of the mappings restarts the job.
func (s *Service) recordDiscovery(ctx context.Context, was store.Job, ts *TargetSchema) error {
	appID := was.AppID
	defer s.editLock(appID)()
	j, err := s.st.GetJobByApp(ctx, appID)
	if err != nil {
		return own(err, "read job of app %q", appID)
	}
	if j.TenantURL != was.TenantURL || !bytes.Equal(j.Secret, was.Secret) || !bytes.Equal(j.OAuth, was.OAuth) {
		return nil // read with credentials no longer the job's
	}
	next := j
	if s.fitSchema(&next, ts) != "" {
		return nil
	}
	if next, err = s.st.UpdateJob(ctx, next); err != nil {
		return own(err, "update job of app %q", j.AppID)
	}
	if !bytes.Equal(j.Mappings, next.Mappings) {
		return s.restart(ctx, next)
	}
	return nil
}

// TestCredentials tests a Tenant URL and Secret Token before they are
// saved, querying userName.
func (s *Service) TestCredentials(ctx context.Context, tenantURL, token string) error {
	if err := validateTenantURL(tenantURL); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	c, err := s.newClient(tenantURL, client.WithStaticToken(token))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return c.TestConnection(ctx, "userName")
}

// job reads the application's job, mapping a missing one to ErrNotFound.
func (s *Service) job(ctx context.Context, appID string) (store.Job, error) {
	j, err := s.st.GetJobByApp(ctx, appID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Job{}, fmt.Errorf("app %q: %w", appID, ErrNotFound)
	}
	if err != nil {
		return store.Job{}, own(err, "read job of app %q", appID)
	}
	return j, nil
}

func jobView(j store.Job) (Job, error) {
	v := Job{ID: j.ID, AppID: j.AppID, TenantURL: j.TenantURL, TokenSet: len(j.Secret) > 0, Enabled: j.Enabled,
		Scope: provisioning.ScopeMode(j.Scope), Interval: j.Interval, NotificationEmail: j.NotificationEmail,
		SkipOutOfScopeDeletions: j.SkipOutOfScopeDeletions, Created: j.Created, Updated: j.Updated,
		WebhookURL: j.WebhookURL, WebhookSecretSet: len(j.WebhookSecret) > 0, RateLimit: j.RateLimit, MaxConcurrency: j.MaxConcurrency,
		ReconcileEvery: j.ReconcileEvery, Bulk: j.Bulk}
	if err := json.Unmarshal(j.Mappings, &v.Mappings); err != nil {
		return Job{}, fmt.Errorf("job of app %q: read mappings: %w", j.AppID, err)
	}
	ts, err := targetSchema(j)
	if err != nil {
		return Job{}, err
	}
	v.Schema = schemaReport(ts)
	if err := v.Mappings.CheckTargets(ts); err != nil {
		v.Warnings = append(v.Warnings, strings.Split(err.Error(), "\n")...)
	}
	if outbound.Cleartext(j.TenantURL) {
		v.Warnings = append(v.Warnings, cleartextWarning)
	}
	v.Warnings = append(v.Warnings, webhookWarnings(j)...)
	return v, nil
}

// target builds the job's SCIM client with the decrypted token.
func (s *Service) target(j store.Job) (*client.Client, Mappings, error) {
	var m Mappings
	if j.TenantURL == "" || !hasCredentials(j) {
		return nil, m, fmt.Errorf("app %q: %w", j.AppID, ErrNoToken)
	}
	if err := json.Unmarshal(j.Mappings, &m); err != nil {
		return nil, m, fmt.Errorf("job of app %q: read mappings: %w", j.AppID, err)
	}
	bearer, err := s.bearer(j)
	if err != nil {
		return nil, m, err
	}
	th, err := s.throttle(j)
	if err != nil {
		return nil, m, fmt.Errorf("job of app %q: %w", j.AppID, err)
	}
	c, err := s.newClient(j.TenantURL, bearer, client.WithThrottle(th))
	if err != nil {
		return nil, m, fmt.Errorf("job of app %q: %w", j.AppID, err)
	}
	return c, m, nil
}

// newClient is the SCIM client of a Tenant URL, authenticated by bearer
// and held to the outbound policy.
func (s *Service) newClient(tenantURL string, bearer client.Option, extra ...client.Option) (*client.Client, error) {
	opts := append([]client.Option{bearer, client.WithLogger(s.log), client.WithRetryPolicy(provisioning.RetryPolicy)},
		s.outbound.ClientOptions(tenantURL)...)
	return client.New(tenantURL, append(append(opts, extra...), s.copts...)...)
}
