package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/spf13/pflag"
)

// JobOAuthSecretEnv names the environment variable that may hold the OAuth
// client secret for `job configure`, instead of --oauth-client-secret-file.
const JobOAuthSecretEnv = "PROVISIO_JOB_OAUTH_CLIENT_SECRET"

// oauthFlags are job configure's OAuth 2.0 client credentials flags.
type oauthFlags struct {
	tokenURL, clientID, secretFile string
	scopes                         []string
}

func addOAuthFlags(fl *pflag.FlagSet) *oauthFlags {
	o := &oauthFlags{}
	fl.StringVar(&o.tokenURL, "oauth-token-url", "", "authenticate with OAuth 2.0 client credentials from this token endpoint (https) instead of a Secret Token")
	fl.StringVar(&o.clientID, "oauth-client-id", "", "the OAuth client id")
	fl.StringVar(&o.secretFile, "oauth-client-secret-file", "", "a file holding the OAuth client secret (or $"+JobOAuthSecretEnv+")")
	fl.StringArrayVar(&o.scopes, "oauth-scope", nil, "an OAuth scope to ask for (repeatable)")
	return o
}

// request is the configure request's oauth: nil when no --oauth-* flag is
// given. The secret comes from --oauth-client-secret-file, else
// $PROVISIO_JOB_OAUTH_CLIENT_SECRET, else the stored one is kept.
func (o *oauthFlags) request(e *env) (*apitypes.ConfigureOAuth, error) {
	if o.tokenURL == "" && o.clientID == "" && o.secretFile == "" && len(o.scopes) == 0 {
		return nil, nil
	}
	if o.tokenURL == "" || o.clientID == "" {
		return nil, fmt.Errorf("OAuth client credentials need --oauth-token-url and --oauth-client-id")
	}
	req := &apitypes.ConfigureOAuth{TokenURL: o.tokenURL, ClientID: o.clientID, Scopes: o.scopes,
		ClientSecret: strings.TrimSpace(e.getenv(JobOAuthSecretEnv))}
	if o.secretFile != "" {
		b, err := e.readFile(o.secretFile)
		if err != nil {
			return nil, fmt.Errorf("read --oauth-client-secret-file: %w", err)
		}
		if req.ClientSecret = strings.TrimSpace(string(b)); req.ClientSecret == "" {
			return nil, fmt.Errorf("--oauth-client-secret-file %s is empty", o.secretFile)
		}
	}
	return req, nil
}

// authText says how a job authenticates, for `job get`.
func authText(a apitypes.JobAuth) string {
	switch {
	case a.OAuth != nil:
		s := fmt.Sprintf("oauth client credentials (client id %s, token url %s", a.OAuth.ClientID, a.OAuth.TokenURL)
		if len(a.OAuth.Scopes) > 0 {
			s += ", scopes " + strings.Join(a.OAuth.Scopes, " ")
		}
		return s + ")"
	case a.Method == "secret-token" && !a.TokenExpires.IsZero():
		return "secret token (expires " + a.TokenExpires.Format("2006-01-02 15:04 MST") + ")"
	case a.Method == "secret-token":
		return "secret token"
	}
	return "not set"
}

// printWarnings prints a job's warnings, one a line.
func printWarnings(w io.Writer, warnings []string) {
	for _, msg := range warnings {
		fmt.Fprintf(w, "\nWarning: %s.\n", msg)
	}
}
