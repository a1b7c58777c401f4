package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning/mapping"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim/client"
)

// Schema discovery: a job reads the application's /Schemas and
// /ResourceTypes (RFC 7644 §4) when it is configured with credentials and
// on Test Connection, as Entra reads /Schemas when the provisioning
// configuration is saved; the default mappings are fitted to what the
// application declares (mapping.Mappings.Fit) and mappings saved later are
// checked against it (mapping.Mappings.CheckTargets).

// discoveryTimeout bounds one discovery; defaultDiscoveryWait is how long
// saving settings waits for it (Options.DiscoveryWait), so that a slow
// application never holds up a save.
const (
	discoveryTimeout     = 15 * time.Second
	defaultDiscoveryWait = 3 * time.Second
)

// TargetSchema is what a job knows of its application's schema.
type TargetSchema = mapping.TargetSchema

// Exclusion is a default mapping left out for the application.
type Exclusion = mapping.Exclusion

// SchemaReport is what a job's settings say of the application's schema.
type SchemaReport struct {
	// Status is "declared" (/Schemas read), "not-declared" (/Schemas
	// answered 404: all defaults kept, targets not checked) or "unknown"
	// (not read yet).
	Status   string
	Message  string
	Checked  time.Time
	Excluded []Exclusion // default mappings the application does not take
}

// Schema statuses.
const (
	SchemaDeclared    = "declared"
	SchemaNotDeclared = "not-declared"
	SchemaUnknown     = "unknown"
)

// discover reads the application's /Schemas and /ResourceTypes. A 404 of
// /Schemas is an answer (Declared false), not an error.
func (s *Service) discover(ctx context.Context, c *client.Client) (*TargetSchema, error) {
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	ts := &TargetSchema{Checked: s.now().UTC()}
	schemas, err := c.Schemas(ctx)
	if client.IsNotFound(err) {
		return ts, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the application's /Schemas: %w", err)
	}
	if len(schemas) == 0 { // an answer that declares nothing tells nothing
		return ts, nil
	}
	ts.Declared, ts.Schemas = true, schemas
	rts, err := c.ResourceTypes(ctx)
	switch {
	case client.IsNotFound(err):
	case err != nil:
		return nil, fmt.Errorf("read the application's /ResourceTypes: %w", err)
	default:
		ts.ResourceTypesDeclared, ts.ResourceTypes = true, rts
	}
	return ts, nil
}

// discoverOnSave discovers the application's schema with the credentials
// being saved on j and records it there, fitting j's default mappings to
// it. It waits at most Options.DiscoveryWait: an application slow to answer goes
// on being read in the background (up to discoveryTimeout) and its schema
// is recorded when it answers (recordDiscovery). A failure leaves j as it
// was and is returned as a warning.
func (s *Service) discoverOnSave(ctx context.Context, j *store.Job) (warning string) {
	c, _, err := s.target(*j)
	if err != nil {
		return ""
	}
	type result struct {
		ts  *TargetSchema
		err error
	}
	done := make(chan result, 1)
	// The discovery belongs to the service, not to the request: it may
	// outlive the save and ends with Close.
	s.wg.Go(func() {
		ts, err := s.discover(s.base, c)
		done <- result{ts, err}
	})
	wait := time.NewTimer(s.discoveryWait)
	defer wait.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			s.log.Warn("provisioning job: schema discovery", "app", j.AppID, "err", r.err)
			return "could not read the application's schema, mappings not fitted to it: " + r.err.Error()
		}
		return s.fitSchema(j, r.ts)
	case <-wait.C:
	case <-ctx.Done():
	}
	saved := *j
	s.wg.Go(func() {
		r := <-done
		if r.err != nil {
			s.log.Warn("provisioning job: schema discovery", "app", saved.AppID, "err", r.err)
			return
		}
		if err := s.recordDiscovery(s.base, saved, r.ts); err != nil {
			s.log.Warn("provisioning job: record schema discovery", "app", saved.AppID, "err", err)
		}
	})
	return fmt.Sprintf("the application has not answered /Schemas within %s: it is read in the background and `job get` shows the result", s.discoveryWait)
}

// fitSchema records ts on j and fits j's default mappings to it.
func (s *Service) fitSchema(j *store.Job, ts *TargetSchema) (warning string) {
	_, m, err := s.target(*j)
	if err != nil {
		return ""
	}
	b, err := json.Marshal(ts)
	if err != nil {
		return "could not record the application's schema: " + err.Error()
	}
	fitted, err := json.Marshal(m.Fit(ts))
	if err != nil {
		return "could not record the application's schema: " + err.Error()
	}
	j.TargetSchema, j.Mappings = b, fitted
	return ""
}

// targetSchema decodes the job's discovered schema; nil before the first
// discovery.
func targetSchema(j store.Job) (*TargetSchema, error) {
	if len(j.TargetSchema) == 0 {
		return nil, nil
	}
	var ts TargetSchema
	if err := json.Unmarshal(j.TargetSchema, &ts); err != nil {
		return nil, fmt.Errorf("job of app %q: read target schema: %w", j.AppID, err)
	}
	return &ts, nil
}

// schemaReport describes the discovered schema for the job's settings.
func schemaReport(ts *TargetSchema) SchemaReport {
	switch {
	case ts == nil:
		return SchemaReport{Status: SchemaUnknown, Message: "the application's /Schemas has not been read yet (it is on Test Connection and when credentials are saved): default mappings not fitted, targets not checked"}
	case !ts.Declared:
		return SchemaReport{Status: SchemaNotDeclared, Checked: ts.Checked, Message: "the application answers no /Schemas (404 or no schema): all default mappings kept, targets not checked"}
	}
	r := SchemaReport{Status: SchemaDeclared, Checked: ts.Checked, Excluded: ts.Excluded(),
		Message: "mappings fitted to the application's /Schemas and /ResourceTypes"}
	if len(r.Excluded) > 0 {
		r.Message = fmt.Sprintf("mappings fitted to the application's /Schemas and /ResourceTypes: %d default mappings excluded", len(r.Excluded))
	}
	return r
}
