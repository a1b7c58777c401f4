package credentials

import (
	"fmt"
	"slices"
	"time"
)

// ExpiryLead is how long before a Secret Token's exp the job warns.
const ExpiryLead = 7 * 24 * time.Hour

// Kinds of [Warning].
const (
	// WarnExpiring: the Secret Token's JWT exp is less than ExpiryLead
	// away, or past.
	WarnExpiring = "expiring"
	// WarnRefused: the application, or the OAuth token endpoint, started
	// refusing credentials that had worked.
	WarnRefused = "refused"
)

// Warning is one condition of a job's credentials that an administrator
// should act on before the job fails (and is quarantined).
type Warning struct {
	Kind    string    `json:"kind"`
	Message string    `json:"message"`
	Since   time.Time `json:"since"`
}

// State is what a job knows of its credentials' health. The job service
// stores it as JSON with the job, and starts it afresh ([NewState]) when
// the credentials change.
type State struct {
	// Worked: a request with these credentials succeeded (a cycle's or
	// Test Connection's).
	Worked bool `json:"worked,omitempty"`
	// TokenExpiry is the Secret Token's JWT exp; zero if none.
	TokenExpiry time.Time `json:"tokenExpiry,omitzero"`
	Warnings    []Warning `json:"warnings,omitempty"`
}

// NewState is the state of new credentials: a static Secret Token's
// expiry if it is a JWT with exp, nothing for OAuth ("").
func NewState(secretToken string) State {
	exp, _ := JWTExpiry(secretToken)
	return State{TokenExpiry: exp}
}

// CheckExpiry raises the expiring warning when now is within ExpiryLead
// of the token's expiry; isNew is true only the first time (and once more
// when the token has expired).
func (s *State) CheckExpiry(now time.Time) (w Warning, isNew bool) {
	if s.TokenExpiry.IsZero() || now.Before(s.TokenExpiry.Add(-ExpiryLead)) {
		return Warning{}, false
	}
	msg := fmt.Sprintf("the Secret Token expires at %s (its JWT exp claim): configure a new one before then, or the application will refuse the job", s.TokenExpiry.Format(time.RFC3339))
	if !now.Before(s.TokenExpiry) {
		msg = fmt.Sprintf("the Secret Token expired at %s (its JWT exp claim): configure a new one", s.TokenExpiry.Format(time.RFC3339))
	}
	return s.raise(Warning{Kind: WarnExpiring, Message: msg, Since: now})
}

// Refused records that the credentials were refused (why says how). It
// raises the refused warning only if they had worked before (a job never
// configured right is not "starting" to be refused) and only once until
// they work again.
func (s *State) Refused(why string, now time.Time) (w Warning, isNew bool) {
	if !s.Worked {
		return Warning{}, false
	}
	if i := s.find(WarnRefused); i >= 0 {
		return s.Warnings[i], false
	}
	return s.raise(Warning{Kind: WarnRefused, Message: "the application's credentials started being refused after they had worked: " + why, Since: now})
}

// Succeeded records that a request with the credentials succeeded: they
// work, and a refused warning ends. changed reports whether s changed.
func (s *State) Succeeded() (changed bool) {
	changed = !s.Worked
	s.Worked = true
	if i := s.find(WarnRefused); i >= 0 {
		s.Warnings = slices.Delete(s.Warnings, i, i+1)
		changed = true
	}
	return changed
}

// Messages are the warnings' messages, for a job's view and status.
func (s *State) Messages() []string {
	var out []string
	for _, w := range s.Warnings {
		out = append(out, w.Message)
	}
	return out
}

// raise adds w, replacing a warning of its kind whose message differs;
// an identical one is not new.
func (s *State) raise(w Warning) (Warning, bool) {
	i := s.find(w.Kind)
	switch {
	case i < 0:
		s.Warnings = append(s.Warnings, w)
	case s.Warnings[i].Message == w.Message:
		return s.Warnings[i], false
	default:
		s.Warnings[i] = w
	}
	return w, true
}

func (s *State) find(kind string) int {
	return slices.IndexFunc(s.Warnings, func(w Warning) bool { return w.Kind == kind })
}
