// Package oauth signs mailflow in to mail servers with OAuth 2.0: it gets
// access tokens from the provider's token endpoint (client-credentials or
// refresh-token grant, through golang.org/x/oauth2), keeps each until
// shortly before it expires, and speaks the SASL mechanisms that carry them
// (XOAUTH2, which Microsoft 365 and Google take, and OAUTHBEARER, RFC 7628).
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"mailflow/mailflow/config"
)

// RequestTimeout bounds one request to the token endpoint when the caller's
// context has no earlier deadline.
const RequestTimeout = 30 * time.Second

// renewBefore is how long before its expiry a token is replaced: long
// enough that a token handed to a slow login does not expire on the way.
const renewBefore = 2 * time.Minute

// cache holds one token per set of settings, shared by every connection of
// the process: IMAP, its second connection for moves and the sender sign in
// with the same token instead of each asking the provider.
var cache = struct {
	sync.Mutex
	entries map[key]*entry
}{entries: map[key]*entry{}}

type key struct {
	tokenURL, clientID, secret, refresh, scopes string
}

type entry struct {
	mu  sync.Mutex // held while fetching, so callers share one request
	tok *oauth2.Token
}

func keyOf(s *config.OAuth2) key {
	return key{s.TokenURL, s.ClientID, s.ClientSecret, s.RefreshToken, strings.Join(s.Scopes, " ")}
}

func entryOf(s *config.OAuth2) *entry {
	cache.Lock()
	defer cache.Unlock()
	k := keyOf(s)
	e := cache.entries[k]
	if e == nil {
		e = &entry{}
		cache.entries[k] = e
	}
	return e
}

// Token returns an access token for s: the one fetched before while it has
// more than a couple of minutes left, else a new one from s.TokenURL.
func Token(ctx context.Context, s *config.OAuth2) (string, error) {
	if s == nil {
		return "", errors.New("oauth2: no [oauth2] settings")
	}
	e := entryOf(s)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tok != nil && (e.tok.Expiry.IsZero() || time.Until(e.tok.Expiry) > renewBefore) {
		return e.tok.AccessToken, nil
	}
	tok, err := fetch(ctx, s)
	if err != nil {
		return "", fmt.Errorf("get an OAuth 2.0 token from %s (%s grant): %w", s.TokenURL, s.Grant(), describe(err))
	}
	if tok.AccessToken == "" {
		return "", fmt.Errorf("get an OAuth 2.0 token from %s: the answer holds no access_token", s.TokenURL)
	}
	e.tok = tok
	return tok.AccessToken, nil
}

// Forget drops the token kept for s, so that the next Token asks the
// provider again: a server that refused a token (revoked, or its
// permissions changed) is not offered it again until it expires.
func Forget(s *config.OAuth2) {
	if s == nil {
		return
	}
	e := entryOf(s)
	e.mu.Lock()
	e.tok = nil
	e.mu.Unlock()
}

func fetch(ctx context.Context, s *config.OAuth2) (*oauth2.Token, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, RequestTimeout)
		defer cancel()
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: RequestTimeout})
	if s.RefreshToken != "" {
		c := &oauth2.Config{ClientID: s.ClientID, ClientSecret: s.ClientSecret, Scopes: s.Scopes,
			Endpoint: oauth2.Endpoint{TokenURL: s.TokenURL}}
		// A source made for this one request: its Token uses ctx.
		return c.TokenSource(ctx, &oauth2.Token{RefreshToken: s.RefreshToken}).Token()
	}
	c := &clientcredentials.Config{ClientID: s.ClientID, ClientSecret: s.ClientSecret, TokenURL: s.TokenURL, Scopes: s.Scopes}
	return c.Token(ctx)
}

// describe keeps what a person needs from the provider's refusal (its error
// code and description, e.g. Microsoft's AADSTS numbers) and drops the rest
// of the response.
func describe(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	status := ""
	if re.Response != nil {
		status = re.Response.Status + ": "
	}
	if re.ErrorCode != "" {
		msg := status + re.ErrorCode
		if re.ErrorDescription != "" {
			msg += ": " + firstLine(re.ErrorDescription)
		}
		return errors.New(msg)
	}
	return fmt.Errorf("%s%s", status, firstLine(strings.TrimSpace(string(re.Body))))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// Mechanisms are the SASL mechanisms this package speaks, in the order it
// prefers them: XOAUTH2 first, since Microsoft 365 offers only it.
var Mechanisms = []string{"XOAUTH2", sasl.OAuthBearer}

// Client is a SASL client that signs in with a bearer token. After a
// refused sign-in, Refusal holds the server's reason, if it gave one.
type Client interface {
	sasl.Client
	Refusal() string
}

// NewClient returns a SASL client for mech (one of Mechanisms) that signs
// in as user with token.
func NewClient(mech, user, token string) (Client, error) {
	switch mech {
	case "XOAUTH2", sasl.OAuthBearer:
		return &bearer{mech: mech, user: user, token: token}, nil
	}
	return nil, fmt.Errorf("SASL mechanism %s: want one of %s", mech, strings.Join(Mechanisms, ", "))
}

// RefusedError is a server's refusal of a token, with the reason it gave.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "the server refused the token (" + e.Reason + ")" }

// bearer speaks both mechanisms: they differ only in how the first
// message is framed. When the server refuses the token it sends a JSON
// challenge with the reason (RFC 7628 3.2.2; XOAUTH2 does the same).
// OAUTHBEARER answers it with the %x01 the RFC asks for, and the server
// ends the exchange with NO. XOAUTH2 wants an empty answer, which go-imap
// v2 beta.8 cannot send (it writes "=", emersion/go-imap#760, and Dovecot
// then answers BAD about base64, hiding the reason): Next returns a
// RefusedError instead, which leaves the exchange unfinished; the caller
// closes the connection, as it does after any failed sign-in.
type bearer struct {
	mech, user, token string
	refusal           string
}

func (b *bearer) Start() (string, []byte, error) {
	if b.mech == "XOAUTH2" {
		return b.mech, []byte("user=" + b.user + "\x01auth=Bearer " + b.token + "\x01\x01"), nil
	}
	// RFC 7628 3.1: gs2 header with the authorisation identity, then
	// key/value pairs.
	return b.mech, []byte("n,a=" + saslName(b.user) + ",\x01auth=Bearer " + b.token + "\x01\x01"), nil
}

func (b *bearer) Next(challenge []byte) ([]byte, error) {
	var e sasl.OAuthBearerError
	if json.Unmarshal(challenge, &e) == nil && e.Status != "" {
		b.refusal = "status " + e.Status
		if e.Scope != "" {
			b.refusal += ", scope " + e.Scope
		}
	} else if len(challenge) > 0 {
		b.refusal = firstLine(string(challenge))
	}
	if b.mech == "XOAUTH2" {
		reason := b.refusal
		if reason == "" {
			reason = "no reason given"
		}
		return nil, &RefusedError{Reason: reason}
	}
	return []byte{0x01}, nil // RFC 7628 3.2.3
}

func (b *bearer) Refusal() string { return b.refusal }

// saslName escapes "," and "=" as RFC 5801 asks of a gs2 authzid.
func saslName(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}
