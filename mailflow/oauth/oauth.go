// Package oauth signs mailflow in to mail servers with OAuth 2.0: it gets
// access tokens from the provider's token endpoint (client-credentials or
// refresh-token grant, through golang.org/x/oauth2), keeps each until
// shortly before it expires, and speaks the SASL mechanisms that carry them
// (XOAUTH2, which Microsoft 365 and Google take, and OAUTHBEARER, RFC 7628).
package oauth

import (
	"context"
	"crypto/sha256"
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

// MinLife is the least time a token handed out still has to live: enough
// that it does not expire on the way through a slow sign-in. IMAP asks for
// more, since the server ends a session when its token expires.
const MinLife = 2 * time.Minute

// forgetEvery bounds how often a refused token is dropped for a new one.
// A token refused because it was revoked is replaced at once; one refused
// because the app lacks a permission would be refused again, and asking
// the provider on every retry would only add to the load.
var forgetEvery = 5 * time.Minute

// errorHold is how long a failed request's error is handed to the callers
// that waited for it, instead of each asking the provider again in turn.
const errorHold = 5 * time.Second

// cache holds one token per set of settings, shared by every connection of
// the process: IMAP, its second connection for moves and the sender sign in
// with the same token instead of each asking the provider. Entries are
// keyed by a hash, so the map holds no secret.
var cache = struct {
	sync.Mutex
	entries map[[sha256.Size]byte]*entry
}{entries: map[[sha256.Size]byte]*entry{}}

type entry struct {
	turn     chan struct{} // a one-token semaphore: held while fetching
	tok      *oauth2.Token
	err      error // the last fetch's, until errUntil
	errUntil time.Time
	forgot   time.Time // when a refused token was last dropped
}

func entryOf(s *config.OAuth2) *entry {
	h := sha256.New()
	for _, f := range []string{s.TokenURL, s.ClientID, s.ClientSecret, s.RefreshToken, strings.Join(s.Scopes, " ")} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	cache.Lock()
	defer cache.Unlock()
	e := cache.entries[k]
	if e == nil {
		e = &entry{turn: make(chan struct{}, 1)}
		cache.entries[k] = e
	}
	return e
}

// Bearer is an access token and when it expires (zero when the provider
// did not say).
type Bearer struct {
	Token  string
	Expiry time.Time
}

// lives reports whether tok has at least d to live.
func lives(tok *oauth2.Token, d time.Duration) bool {
	return tok != nil && (tok.Expiry.IsZero() || time.Until(tok.Expiry) >= d)
}

// Token returns an access token for s with at least minLife to live (or
// as long as the provider gives, if less): the one fetched before while it
// lives that long, else a new one from s.TokenURL. Callers that arrive
// while a request is out wait for its answer, each no longer than its ctx.
func Token(ctx context.Context, s *config.OAuth2, minLife time.Duration) (Bearer, error) {
	if s == nil {
		return Bearer{}, errors.New("oauth2: no [oauth2] settings")
	}
	e := entryOf(s)
	select {
	case e.turn <- struct{}{}:
	case <-ctx.Done():
		return Bearer{}, fmt.Errorf("wait for an OAuth 2.0 token from %s: %w", s.TokenURL, ctx.Err())
	}
	defer func() { <-e.turn }()
	if lives(e.tok, max(minLife, MinLife)) {
		return Bearer{e.tok.AccessToken, e.tok.Expiry}, nil
	}
	if e.err != nil && time.Now().Before(e.errUntil) {
		return Bearer{}, e.err
	}
	tok, err := fetch(ctx, s)
	if err == nil && tok.AccessToken == "" {
		err = errors.New("the answer holds no access_token")
	}
	if err != nil {
		e.err = fmt.Errorf("get an OAuth 2.0 token from %s (%s grant): %w", s.TokenURL, s.Grant(), describe(err))
		e.errUntil = time.Now().Add(errorHold)
		return Bearer{}, e.err
	}
	e.tok, e.err = tok, nil
	return Bearer{tok.AccessToken, tok.Expiry}, nil
}

// Forget drops token, which a server refused (revoked, or its
// permissions changed), so that the next Token asks the provider again —
// unless a newer token has replaced it already, or a refused token was
// dropped less than forgetEvery ago. It reports whether it dropped it.
func Forget(s *config.OAuth2, token string) bool {
	if s == nil {
		return false
	}
	e := entryOf(s)
	e.turn <- struct{}{}
	defer func() { <-e.turn }()
	if e.tok == nil || e.tok.AccessToken != token || time.Since(e.forgot) < forgetEvery {
		return false
	}
	e.tok, e.forgot = nil, time.Now()
	return true
}

func fetch(ctx context.Context, s *config.OAuth2) (*oauth2.Token, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, RequestTimeout)
		defer cancel()
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{
		Timeout: RequestTimeout,
		// Never follow a redirect: Go would send the client secret (and
		// refresh token) on to wherever it points, past the https check
		// on token_url. A token endpoint has no reason to redirect.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	})
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
	body := firstLine(strings.TrimSpace(string(re.Body)))
	if body == "" {
		body = "no error in the answer"
	}
	return fmt.Errorf("%s%s", status, body)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		// Cut on a rune boundary: descriptions may be localised.
		s = strings.ToValidUTF8(s[:300], "") + "…"
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
