package dovecottest_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"mailflow/mailflow/internal/dovecottest"
)

// xoauth2 is the client side of XOAUTH2, which go-sasl lacks.
type xoauth2 struct{ user, token string }

func (x xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the JSON error the server sends before it refuses a token:
// XOAUTH2 wants an empty response to it. (go-imap beta.8 sends that as
// "=", which Dovecot 2.3 answers with BAD "Invalid base64 data in continued
// response" rather than NO; a refusal either way.)
func (x xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }

func TestOAuth2(t *testing.T) {
	const (
		goodToken  = "tok-mailflow-5f1e"
		otherToken = "tok-someone-else-8a2c"
	)
	var introspections atomic.Int32
	handler := dovecottest.IntrospectionHandler(map[string]string{
		goodToken:  "mailflow",
		otherToken: "someone-else",
	})
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		introspections.Add(1)
		handler.ServeHTTP(w, r)
	}))
	defer idp.Close()
	s := dovecottest.Start(t, dovecottest.WithOAuth2(idp.URL+"/introspect"))

	c, err := imapclient.DialInsecure(s.Addr, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	for _, mech := range []string{"XOAUTH2", "OAUTHBEARER", "PLAIN"} {
		if !c.Caps().Has(imap.AuthCap(mech)) {
			t.Errorf("capabilities %v lack AUTH=%s", c.Caps(), mech)
		}
	}
	c.Close()

	bearer := func(user, token string) sasl.Client {
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: user, Token: token})
	}
	// Refusals that reach the passdb cost the next login from 127.0.0.1
	// Dovecot's auth penalty (seconds): the PLAIN refusal comes last.
	tests := []struct {
		name       string
		client     sasl.Client
		ok         bool
		introspect bool // whether the token endpoint is asked
	}{
		{"OAUTHBEARER valid token", bearer(s.Username, goodToken), true, true},
		{"XOAUTH2 valid token", xoauth2{s.Username, goodToken}, true, true},
		{"OAUTHBEARER unknown token", bearer(s.Username, "tok-unknown"), false, true},
		{"XOAUTH2 unknown token", xoauth2{s.Username, "tok-unknown"}, false, true},
		// The login name is the client's; the endpoint's username must
		// match it.
		{"XOAUTH2 another user's token", xoauth2{s.Username, otherToken}, false, true},
		// Without the passdbs' mechanisms filters, these two would log in.
		{"XOAUTH2 password as token", xoauth2{s.Username, s.Password}, false, true},
		{"PLAIN token as password", sasl.NewPlainClient("", s.Username, goodToken), false, false},
		{"PLAIN password", sasl.NewPlainClient("", s.Username, s.Password), true, false},
	}
	appended := 0
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := introspections.Load()
			c, err := imapclient.DialInsecure(s.Addr, nil)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			// A refused OAUTHBEARER leaves the command unfinished: go-sasl
			// returns the server's error instead of answering it.
			defer c.Close()
			err = c.Authenticate(tt.client)
			if asked := introspections.Load() != before; asked != tt.introspect {
				t.Errorf("introspection endpoint asked = %v, want %v", asked, tt.introspect)
			}
			if !tt.ok {
				if err == nil {
					t.Fatal("Authenticate succeeded, want a refusal")
				}
				var be *sasl.OAuthBearerError
				if errors.As(err, &be) && be.Status != "invalid_token" {
					t.Errorf("OAUTHBEARER error status %q, want invalid_token", be.Status)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			// Logged in as the user: the message lands in the mailbox
			// the password login reads below.
			cmd := c.Append("INBOX", int64(len(msg(i))), nil)
			if _, err := cmd.Write(msg(i)); err != nil {
				t.Fatalf("append: %v", err)
			}
			if err := cmd.Close(); err != nil {
				t.Fatalf("append: %v", err)
			}
			if _, err := cmd.Wait(); err != nil {
				t.Fatalf("append: %v", err)
			}
			appended++
		})
	}
	if got := s.Count("INBOX"); got != appended {
		t.Errorf("Count(INBOX) = %d after %d appends by the logins, want equal", got, appended)
	}
}

func TestIntrospectionHandler(t *testing.T) {
	valid := map[string]string{"tok": "alice"}
	h := dovecottest.IntrospectionHandler(valid)
	valid["late"] = "mallory" // copied: no effect
	tests := []struct {
		token, want string
	}{
		{"tok", `{"active":true,"username":"alice"}`},
		{"late", `{"active":false}`},
		{"", `{"active":false}`},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/introspect", strings.NewReader(url.Values{"token": {tt.token}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := strings.TrimSpace(w.Body.String()); got != tt.want || w.Code != http.StatusOK {
			t.Errorf("token %q: %d %s, want 200 %s", tt.token, w.Code, got, tt.want)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("token %q: Content-Type %q, want application/json", tt.token, ct)
		}
	}
}
