package intake_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/internal/dovecottest"
	"mailflow/mailflow/oauth"
	"mailflow/mailflow/oauth/oauthtest"
	"mailflow/store"
)

// TestOAuth2Login signs in to Dovecot with tokens from a provider, as
// mailflow does with Microsoft 365: Dovecot checks each token at an
// introspection endpoint that knows which tokens are good. A token the
// server refuses (revoked, say) fails the cycle and is not offered again:
// the next cycle gets a new one and handles the mail.
func TestOAuth2Login(t *testing.T) {
	tests := []struct {
		name          string
		mech          string
		good          string // the token Dovecot accepts
		failedCycles  int
		tokenRequests int32
		refusal       string
	}{
		{"first token accepted", "XOAUTH2", "token-1", 0, 1, ""},
		{"refused token is renewed", "XOAUTH2", "token-2", 1, 2, "AUTHENTICATE XOAUTH2 as ehr: the server refused the token (status 401"},
		{"OAUTHBEARER", "OAUTHBEARER", "token-1", 0, 1, ""},
		{"OAUTHBEARER refused token is renewed", "OAUTHBEARER", "token-2", 1, 2, "AUTHENTICATE OAUTHBEARER as ehr: imap: NO"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Dovecot offers both; XOAUTH2 comes first unless the client
			// speaks only the other.
			defer func(m []string) { oauth.Mechanisms = m }(oauth.Mechanisms)
			oauth.Mechanisms = []string{tc.mech}
			introspect := httptest.NewServer(dovecottest.IntrospectionHandler(map[string]string{tc.good: "ehr"}))
			t.Cleanup(introspect.Close)
			srv := dovecottest.Start(t, dovecottest.WithUser("ehr", "pw-unused"), dovecottest.WithOAuth2(introspect.URL),
				dovecottest.WithConfig("auth_failure_delay = 0")) // refusals need not be slow here
			prov := oauthtest.Start(t, time.Hour)
			o := prov.Settings(t)
			imapCfg := config.IMAP{Endpoint: config.Endpoint{Address: srv.Addr, Security: "insecure", Username: "ehr", Auth: config.AuthOAuth2}}
			e := newEnv(t, imapCfg, "INBOX", withOAuth2(o))
			id := "oauth-" + strings.ReplaceAll(tc.good, "-", "") + "@" + domain
			srv.Append("INBOX", fixture(t, "minutes.eml", id))

			for i := range tc.failedCycles {
				err := e.poller().Once(context.Background())
				if err == nil || !strings.Contains(err.Error(), tc.refusal) {
					t.Fatalf("cycle %d with a refused token: %v, want the refusal", i+1, err)
				}
				t.Logf("cycle %d: %v", i+1, err)
				if srv.Count("INBOX") != 1 {
					t.Fatal("mail moved without a login")
				}
			}
			once(t, e.poller())
			if m := e.message(id); m.Outcome != store.OutcomeProcessed || srv.Count("INBOX") != 0 {
				t.Errorf("message %s/%s, INBOX %d: not handled after signing in with a token", m.Kind, m.Outcome, srv.Count("INBOX"))
			}
			if n := prov.Requests(); n != tc.tokenRequests {
				t.Errorf("%d token requests, want %d", n, tc.tokenRequests)
			}
			for _, tok := range []string{"token-1", "token-2"} {
				if strings.Contains(e.logs.String(), tok) {
					t.Errorf("the log shows the token %s", tok)
				}
			}
		})
	}
}

// TestOAuth2SessionRenewedBeforeTokenExpires: Microsoft 365 ends an IMAP
// session when its token expires, so the poller signs in again with a new
// token shortly before, quietly, and goes on handling mail. Tokens here
// live 4 s, so the session renews at half that.
func TestOAuth2SessionRenewedBeforeTokenExpires(t *testing.T) {
	introspect := httptest.NewServer(dovecottest.IntrospectionHandler(map[string]string{
		"token-1": "ehr", "token-2": "ehr", "token-3": "ehr", "token-4": "ehr", "token-5": "ehr", "token-6": "ehr"}))
	t.Cleanup(introspect.Close)
	srv := dovecottest.Start(t, dovecottest.WithUser("ehr", "pw-unused"), dovecottest.WithOAuth2(introspect.URL))
	prov := oauthtest.Start(t, 4*time.Second)
	o := prov.Settings(t)
	imapCfg := config.IMAP{Endpoint: config.Endpoint{Address: srv.Addr, Security: "insecure", Username: "ehr", Auth: config.AuthOAuth2}, PollInterval: config.Duration{Duration: time.Minute}}
	e := newEnv(t, imapCfg, "INBOX", withOAuth2(o))
	e.run(e.poller())
	waitFor(t, 10*time.Second, "a third sign-in", func() bool { return prov.Requests() >= 3 })
	id := "after-renewal@" + domain
	srv.Append("INBOX", fixture(t, "minutes.eml", id))
	waitFor(t, 10*time.Second, "the mail moved out of the inbox", func() bool { return srv.Count("INBOX") == 0 })
	if m := e.message(id); m.Outcome != store.OutcomeProcessed {
		t.Errorf("message %s after renewals, want processed (%s)", m.Outcome, m.Error)
	}
	if n := e.logs.count("level=WARN"); n != 0 {
		t.Errorf("%d warnings for routine renewals:\n%s", n, e.logs)
	}
}
