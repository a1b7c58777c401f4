package config

import "testing"

func TestLoadServeTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"default: none", nil, nil, "", false},
		{"env", nil, map[string]string{"PROVISIO_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"}, "10.0.0.0/8,192.0.2.7/32", false},
		{"flag over env", []string{"--trusted-proxies=fd00::/8"}, map[string]string{"PROVISIO_TRUSTED_PROXIES": "10.0.0.0/8"}, "fd00::/8", false},
		{"junk", []string{"--trusted-proxies=proxy.example.com"}, nil, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadServe(flagSet(t, ServeOptions(), tt.args...), envFrom(tt.env))
			if (err != nil) != tt.wantErr || (err == nil && got.TrustedProxies != tt.want) {
				t.Errorf("LoadServe(%v) = %q, %v, want %q (error %v)", tt.args, got.TrustedProxies, err, tt.want, tt.wantErr)
			}
		})
	}
}
