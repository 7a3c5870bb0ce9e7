package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailflow/mailflow/config"
)

// tokenServer is a provider's token endpoint: it checks the client's
// credentials and the grant, and hands out numbered tokens.
type tokenServer struct {
	*httptest.Server
	requests  atomic.Int32
	expiresIn int // seconds
	lastForm  atomic.Value
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{expiresIn: 3600}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := ts.requests.Add(1)
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		ts.lastForm.Store(r.PostForm)
		w.Header().Set("Content-Type", "application/json")
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != "app-id" || secret != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1234"}`)
			return
		}
		switch r.PostForm.Get("grant_type") {
		case "client_credentials":
		case "refresh_token":
			if r.PostForm.Get("refresh_token") != "1//refresh" {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`)
				return
			}
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"unsupported_grant_type"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("token-%d", n), "token_type": "Bearer", "expires_in": ts.expiresIn})
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) settings() *config.OAuth2 {
	return &config.OAuth2{TokenURL: ts.URL + "/token", ClientID: "app-id", ClientSecret: "s3cret",
		Scopes: []string{"https://outlook.office365.com/.default"}}
}

func (ts *tokenServer) form() url.Values { return ts.lastForm.Load().(url.Values) }

// token is Token's value, failing the test on an error.
func token(t *testing.T, s *config.OAuth2, minLife time.Duration) string {
	t.Helper()
	b, err := Token(context.Background(), s, minLife)
	if err != nil {
		t.Fatal(err)
	}
	return b.Token
}

func TestClientCredentialsTokenIsKeptWhileItLives(t *testing.T) {
	ts := newTokenServer(t)
	s := ts.settings()
	b, err := Token(context.Background(), s, MinLife)
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(b.Expiry); left < 59*time.Minute || left > time.Hour {
		t.Errorf("expiry in %s, want the hour the provider gave", left)
	}
	first := b.Token
	if got := ts.form(); got["grant_type"][0] != "client_credentials" || got["scope"][0] != "https://outlook.office365.com/.default" {
		t.Errorf("request form = %v", got)
	}
	if again := token(t, s, 15*time.Minute); again != first || ts.requests.Load() != 1 {
		t.Errorf("second Token = %q after %d requests; want the kept %q after 1", again, ts.requests.Load(), first)
	}
	if Forget(s, "some older token") {
		t.Error("Forget dropped the kept token for another one's refusal")
	}
	if !Forget(s, first) {
		t.Fatal("Forget kept a refused token")
	}
	renewed := token(t, s, MinLife)
	if renewed == first {
		t.Errorf("after Forget: Token = %q again", renewed)
	}
	// A second refusal soon after is not worth another request: the
	// first new token was refused too, so the cause is not the token.
	if Forget(s, renewed) {
		t.Errorf("Forget dropped a token again within %s", forgetEvery)
	}
}

func TestTokenWithTooLittleLifeIsReplaced(t *testing.T) {
	ts := newTokenServer(t)
	ts.expiresIn = 10 * 60
	s := ts.settings()
	a := token(t, s, MinLife)
	if b := token(t, s, MinLife); b != a {
		t.Errorf("a token with 10 minutes left was replaced for a 2-minute need")
	}
	if c := token(t, s, 15*time.Minute); c == a {
		t.Errorf("a token with 10 minutes left was handed out for a 15-minute need")
	}
	ts.expiresIn = 60 // less than anyone's need: never kept
	d, e := token(t, s, 15*time.Minute), token(t, s, MinLife)
	if d == e {
		t.Errorf("a token with a minute to live was reused")
	}
}

func TestChangedSecretGetsItsOwnToken(t *testing.T) {
	ts := newTokenServer(t)
	s := ts.settings()
	a := token(t, s, MinLife)
	rotated := *s
	rotated.ClientSecret = "wrong" // a SIGHUP with a changed secret
	if _, err := Token(context.Background(), &rotated, MinLife); err == nil {
		t.Fatal("a token kept for the old secret was handed out for the new one")
	}
	if b := token(t, s, MinLife); b != a {
		t.Errorf("the old settings' token changed")
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	var leaked atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked.Add(1) }))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/token", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	s := &config.OAuth2{TokenURL: srv.URL, ClientID: "app-id", ClientSecret: "s3cret", RefreshToken: "1//refresh"}
	_, err := Token(context.Background(), s, MinLife)
	if err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("Token = %v, want the 307 as an error", err)
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests (with the secret)", n)
	}
}

func TestWaitingCallerKeepsItsDeadline(t *testing.T) {
	release := make(chan struct{})
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-release
		http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	s := &config.OAuth2{TokenURL: srv.URL, ClientID: "app-id", ClientSecret: "s3cret", Scopes: []string{"x"}}
	first := make(chan error, 1)
	go func() { _, err := Token(context.Background(), s, MinLife); first <- err }()
	for requests.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Token(ctx, s, MinLife)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("waiting caller: %v after %s; want its own deadline's error", err, time.Since(start))
	}
	close(release)
	if err := <-first; err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("first caller: %v, want the 503", err)
	}
	// Callers right after a failure get it too, without a request each
	// (x/oauth2 made two: client authentication in a header, then in the
	// form).
	if _, err := Token(context.Background(), s, MinLife); err == nil || requests.Load() > 2 {
		t.Errorf("caller after the failure: %v after %d requests; want the held error", err, requests.Load())
	}
}

func TestRefreshTokenGrant(t *testing.T) {
	ts := newTokenServer(t)
	s := ts.settings()
	s.Scopes, s.RefreshToken = nil, "1//refresh"
	b, err := Token(context.Background(), s, MinLife)
	tok := b.Token
	if err != nil || !strings.HasPrefix(tok, "token-") {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	if got := ts.form(); got["grant_type"][0] != "refresh_token" || got["refresh_token"][0] != "1//refresh" {
		t.Errorf("request form = %v", got)
	}
}

func TestProviderRefusalIsExplained(t *testing.T) {
	ts := newTokenServer(t)
	tests := []struct {
		name   string
		change func(*config.OAuth2)
		want   []string
	}{
		{"wrong secret", func(s *config.OAuth2) { s.ClientSecret = "wrong" },
			[]string{"401", "invalid_client", "AADSTS7000215: Invalid client secret provided.", "client_credentials grant", ts.URL}},
		{"revoked refresh token", func(s *config.OAuth2) { s.RefreshToken = "1//revoked" },
			[]string{"400", "invalid_grant", "expired or revoked", "refresh_token grant"}},
		{"nobody there", func(s *config.OAuth2) { s.TokenURL = "http://127.0.0.1:1/token" },
			[]string{"127.0.0.1:1", "connect"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ts.settings()
			tc.change(s)
			_, err := Token(context.Background(), s, MinLife)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "Trace ID") || strings.Contains(err.Error(), "wrong") {
				t.Errorf("error %q carries more than the first line, or the secret", err)
			}
		})
	}
}

func TestTokenRequestEndsWithContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	s := &config.OAuth2{TokenURL: srv.URL, ClientID: "app-id", ClientSecret: "s3cret", Scopes: []string{"x"}}
	done := make(chan error, 1)
	go func() { _, err := Token(ctx, s, MinLife); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("no error from a provider that never answers")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Token did not return when its context ended")
	}
}

func TestSASLMessages(t *testing.T) {
	tests := []struct {
		mech, user       string
		wantStart        string
		challenge        string
		wantNext         string
		wantRefusalParts []string
	}{
		{"XOAUTH2", "ehr@example.org", "user=ehr@example.org\x01auth=Bearer tok\x01\x01",
			`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`, "",
			[]string{"status 401", "scope https://mail.google.com/"}},
		{"OAUTHBEARER", "a,b=c@example.org", "n,a=a=2Cb=3Dc@example.org,\x01auth=Bearer tok\x01\x01",
			`{"status":"invalid_token"}`, "\x01", []string{"status invalid_token"}},
		{"XOAUTH2", "ehr@example.org", "user=ehr@example.org\x01auth=Bearer tok\x01\x01",
			"AUTHENTICATE failed.", "", []string{"AUTHENTICATE failed."}},
	}
	for _, tc := range tests {
		t.Run(tc.mech, func(t *testing.T) {
			c, err := NewClient(tc.mech, tc.user, "tok")
			if err != nil {
				t.Fatal(err)
			}
			mech, ir, err := c.Start()
			if err != nil || mech != tc.mech || string(ir) != tc.wantStart {
				t.Errorf("Start = %q, %q, %v; want %q, %q", mech, ir, err, tc.mech, tc.wantStart)
			}
			resp, err := c.Next([]byte(tc.challenge))
			if tc.mech == "XOAUTH2" {
				// No answer it could send reaches the server intact: Next
				// ends the exchange with the reason.
				var re *RefusedError
				if !errors.As(err, &re) || re.Reason != c.Refusal() {
					t.Errorf("Next = %q, %v; want a RefusedError with %q", resp, err, c.Refusal())
				}
			} else if err != nil || string(resp) != tc.wantNext {
				t.Errorf("Next = %q, %v; want %q", resp, err, tc.wantNext)
			}
			for _, w := range tc.wantRefusalParts {
				if !strings.Contains(c.Refusal(), w) {
					t.Errorf("Refusal %q lacks %q", c.Refusal(), w)
				}
			}
		})
	}
	if _, err := NewClient("PLAIN", "u", "t"); err == nil {
		t.Error("NewClient accepted PLAIN")
	}
}
