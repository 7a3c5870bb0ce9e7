// Package oauthtest is an OAuth 2.0 token endpoint for tests of the code
// that signs in with its tokens.
package oauthtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"mailflow/mailflow/config"
)

// The client the provider knows.
const (
	ClientID     = "app-id"
	ClientSecret = "app-secret"
)

// Provider hands out token-1, token-2, … to the client ClientID (with
// ClientSecret in HTTP Basic authentication, as golang.org/x/oauth2 tries
// first), each good for the lifetime Start was given.
type Provider struct {
	URL      string
	requests atomic.Int32
}

// Start starts a provider whose tokens live lifetime; it stops when the
// test ends.
func Start(t testing.TB, lifetime time.Duration) *Provider {
	p := &Provider{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if id, secret, ok := r.BasicAuth(); !ok || id != ClientID || secret != ClientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		n := p.requests.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{ // fails only when the client has gone
			"access_token": fmt.Sprintf("token-%d", n), "token_type": "Bearer", "expires_in": int(lifetime.Seconds())})
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Requests returns how many tokens the provider handed out.
func (p *Provider) Requests() int32 { return p.requests.Load() }

// Settings returns [oauth2] settings for the provider. Tokens are kept per
// settings for the whole process, so the scope is the test's name: each
// test gets tokens of its own.
func (p *Provider) Settings(t testing.TB) config.OAuth2 {
	return config.OAuth2{TokenURL: p.URL, ClientID: ClientID, ClientSecret: ClientSecret, Scopes: []string{t.Name()}}
}
