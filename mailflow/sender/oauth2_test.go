package sender

import (
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/oauth/oauthtest"
	"mailflow/store"
)

// oauth2Case is a sender that signs in with tokens from a test provider to
// a STARTTLS server offering mechs and accepting the token good, with one
// mail queued.
func oauth2Case(t *testing.T, mechs []string, good string, change func(*config.OAuth2)) (*fixture, *testServer, *Sender, *oauthtest.Provider) {
	f := newFixture(t)
	prov := oauthtest.Start(t, time.Hour)
	o := prov.Settings(t)
	if change != nil {
		change(&o)
	}
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		ts.username, ts.password, ts.mechs = "ehr@clinic.example", good, mechs
	})
	f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", func(c *config.SMTP) {
		c.Auth, c.OAuth2, c.Username, c.Password = config.AuthOAuth2, &o, "ehr@clinic.example", ""
	})
	return f, ts, s, prov
}

func TestOAuth2SendsWithXOAUTH2(t *testing.T) {
	f, ts, s, prov := oauth2Case(t, []string{"PLAIN", "XOAUTH2"}, "token-1", nil)
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
	if n := prov.Requests(); n != 1 {
		t.Errorf("%d token requests for two connections, want 1 (the token is kept)", n)
	}
}

// TestOAuth2RefusedTokenIsRenewed: a token the server refuses (revoked, say)
// is not offered again; the next attempt gets a new one, and the mail
// keeps its attempts meanwhile.
func TestOAuth2RefusedTokenIsRenewed(t *testing.T) {
	f, _, s, prov := oauth2Case(t, []string{"XOAUTH2"}, "token-2", nil)
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
	if n := prov.Requests(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestOAuth2ProviderRefusalKeepsMailQueued(t *testing.T) {
	f, ts, s, _ := oauth2Case(t, []string{"XOAUTH2"}, "token-1", func(o *config.OAuth2) { o.ClientSecret = "wrong" })
	_, err := flush(t, s)
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
	_, _, s, prov := oauth2Case(t, []string{"PLAIN"}, "token-1", nil)
	for i := range 2 {
		if _, err := flush(t, s); err == nil || !strings.Contains(err.Error(), "XOAUTH2") {
			t.Fatalf("Flush %d to a server without XOAUTH2 = %v, want that said", i+1, err)
		}
	}
	if n := prov.Requests(); n != 1 {
		t.Errorf("%d token requests, want 1: the token was not what failed", n)
	}
}
