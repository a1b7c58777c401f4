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

// discoveryTimeout bounds one discovery, so that saving settings never
// waits long on a slow application.
const discoveryTimeout = 15 * time.Second

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

// discoverInto discovers the application's schema with the job's
// credentials and records it on j, fitting j's default mappings to it. A
// failure leaves j as it was and is returned as a warning.
func (s *Service) discoverInto(ctx context.Context, j *store.Job) (warning string) {
	c, m, err := s.target(*j)
	if err != nil {
		return ""
	}
	ts, err := s.discover(ctx, c)
	if err != nil {
		s.log.Warn("provisioning job: schema discovery", "app", j.AppID, "err", err)
		return "could not read the application's schema, mappings not fitted to it: " + err.Error()
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
