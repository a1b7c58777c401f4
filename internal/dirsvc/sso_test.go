package dirsvc_test

import (
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

func TestSetSSOClient(t *testing.T) {
	s, st := newSSOService(t)
	for _, tt := range []struct {
		name string
		uris []string
		want svcerr.Kind
	}{
		{"none", nil, svcerr.Invalid},
		{"relative", []string{"/cb"}, svcerr.Invalid},
		{"http not loopback", []string{"http://app.example.com/cb"}, svcerr.Invalid},
		{"fragment", []string{"https://app.example.com/cb#x"}, svcerr.Invalid},
	} {
		if _, _, err := s.SetSSOClient(ctx, "Portal", tt.uris, false); svcerr.KindOf(err) != tt.want {
			t.Errorf("SetSSOClient(%s) = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, _, err := s.SetSSOClient(ctx, "nope", []string{"https://a/cb"}, false); svcerr.KindOf(err) != svcerr.NotFound {
		t.Errorf("SetSSOClient(unknown app) = %v, want NotFound", err)
	}

	c1, sec1, err := s.SetSSOClient(ctx, "Portal", []string{"https://app.example.com/cb", "http://localhost:8080/cb"}, false)
	if err != nil || !strings.HasPrefix(sec1, dirsvc.ClientSecretPrefix) {
		t.Fatalf("SetSSOClient(confidential) = %+v, %q, %v, want a pvc_ secret", c1, sec1, err)
	}
	stored, err := st.OIDC().OIDCClient(ctx, c1.ClientID)
	if err != nil || stored.SecretHash != dirsvc.HashClientSecret(sec1) || stored.SecretHash == sec1 {
		t.Errorf("stored client = %+v, %v, want the secret hashed", stored, err)
	}
	c2, sec2, err := s.SetSSOClient(ctx, "Portal", []string{"https://app.example.com/cb"}, true)
	if err != nil || sec2 != "" || c2.ClientID == c1.ClientID || !c2.Public {
		t.Errorf("SetSSOClient(rotate, public) = %+v, %q, %v, want a new public client without secret", c2, sec2, err)
	}
	if _, err := st.OIDC().OIDCClient(ctx, c1.ClientID); err == nil {
		t.Error("old client still found after rotation, want it replaced")
	}
}
