package sender

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"mailflow/mailflow/config"
	"mailflow/store"
)

// tokenEndpoint hands out token-1, token-2, … to the right client.
func tokenEndpoint(t *testing.T) (*config.OAuth2, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, ok := r.BasicAuth(); !ok || id != "app-id" || secret != "app-secret" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("token-%d", n.Add(1)), "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(srv.Close)
	// Each test its own client id: tokens are kept per settings, process-wide.
	return &config.OAuth2{TokenURL: srv.URL, ClientID: "app-id", ClientSecret: "app-secret", Scopes: []string{t.Name()}}, &n
}

func withOAuth2(o *config.OAuth2) func(*config.SMTP) {
	return func(c *config.SMTP) {
		c.Auth, c.OAuth2, c.Username, c.Password = config.AuthOAuth2, o, "ehr@clinic.example", ""
	}
}

func TestOAuth2SendsWithXOAUTH2(t *testing.T) {
	f := newFixture(t)
	o, requests := tokenEndpoint(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		ts.username, ts.password, ts.mechs = "ehr@clinic.example", "token-1", []string{"PLAIN", "XOAUTH2"}
	})
	f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", withOAuth2(o))
	st, err := flush(t, s)
	if err != nil || st.Sent != 1 {
		t.Fatalf("Flush = %+v, %v; want 1 sent", st, err)
	}
	if r := ts.Received(); len(r) != 1 || r[0].Authed != "XOAUTH2" || !r[0].TLS {
		t.Fatalf("received %+v; want one mail over TLS after AUTH XOAUTH2", r)
	}
	f.enqueue(t, "k2", "dan@clinic.example")
	if st, err := flush(t, s); err != nil || st.Sent != 1 {
		t.Fatalf("second Flush = %+v, %v", st, err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d token requests for two connections, want 1 (the token is kept)", n)
	}
}

// TestOAuth2RefusedTokenIsRenewed: a token the server refuses (revoked, say)
// is not offered again; the next attempt gets a new one, and the mail
// keeps its attempts meanwhile.
func TestOAuth2RefusedTokenIsRenewed(t *testing.T) {
	f := newFixture(t)
	o, requests := tokenEndpoint(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		ts.username, ts.password, ts.mechs = "ehr@clinic.example", "token-2", []string{"XOAUTH2"}
	})
	f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", withOAuth2(o))
	_, err := flush(t, s)
	if err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("Flush with a refused token = %v, want the server's 535", err)
	}
	if strings.Contains(err.Error(), "token-1") {
		t.Errorf("the error shows the token: %v", err)
	}
	if row := f.row(t, "k1"); row.Status != store.MailQueued || row.Attempts != 0 {
		t.Errorf("row = %s, %d attempts; want queued, 0", row.Status, row.Attempts)
	}
	if st, err := flush(t, s); err != nil || st.Sent != 1 {
		t.Fatalf("Flush after the refusal = %+v, %v; want a new token and 1 sent", st, err)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestOAuth2ProviderRefusalKeepsMailQueued(t *testing.T) {
	f := newFixture(t)
	o, _ := tokenEndpoint(t)
	o.ClientSecret = "wrong"
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		ts.username, ts.password, ts.mechs = "ehr@clinic.example", "token-1", []string{"XOAUTH2"}
	})
	f.enqueue(t, "k1", "carol@clinic.example")
	_, err := flush(t, f.sender(t, ts, "starttls", withOAuth2(o)))
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("Flush = %v, want the provider's invalid_client", err)
	}
	if ts.Conns() != 0 {
		t.Errorf("the server was contacted %d times without a token", ts.Conns())
	}
	if row := f.row(t, "k1"); row.Status != store.MailQueued || row.Attempts != 0 {
		t.Errorf("row = %s, %d attempts; want queued, 0", row.Status, row.Attempts)
	}
}

// TestOAuth2TokenKeptWhenNotRefused: a failure that is not the server
// refusing the token (here it offers no XOAUTH2) keeps the token: asking
// the provider again would change nothing.
func TestOAuth2TokenKeptWhenNotRefused(t *testing.T) {
	f := newFixture(t)
	o, requests := tokenEndpoint(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		ts.username, ts.password, ts.mechs = "ehr@clinic.example", "token-1", []string{"PLAIN"}
	})
	f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", withOAuth2(o))
	for i := range 2 {
		if _, err := flush(t, s); err == nil || !strings.Contains(err.Error(), "XOAUTH2") {
			t.Fatalf("Flush %d to a server without XOAUTH2 = %v, want that said", i+1, err)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d token requests, want 1: the token was not what failed", n)
	}
}
