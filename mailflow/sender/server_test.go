package sender

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testServer is a go-smtp server on loopback whose answers a test scripts.
type testServer struct {
	Addr   string
	CAFile string // PEM of the self-signed certificate, for smtp.ca_file

	srv *smtp.Server

	mu       sync.Mutex
	received []received
	conns    map[*smtp.Conn]int // STARTTLS starts a new session on the same connection
	datas    int                // DATA transactions, refused ones too
	wait     chan struct{}

	// Set before the first connection; read under mu.
	username, password string
	mechs              []string
	// data decides the reply to each message (n counts DATA transactions
	// from 1 over the server's life); drop closes the connection without
	// replying.
	data func(n int, r received) (err error, drop bool)
	// mail decides the reply to MAIL FROM (n counts per connection from 1).
	mail func(n int) error
	// rcpt decides the reply to each RCPT TO.
	rcpt func(to string) error
	// hold, when set, is waited on inside DATA before the reply.
	hold chan struct{}
}

type received struct {
	From    string
	To      []string
	Data    []byte
	TLS     bool
	Authed  string
	ConnNum int
}

type serverMode int

const (
	modePlain serverMode = iota
	modeSTARTTLS
	modeTLS
)

// startServer starts a server on 127.0.0.1 with a fresh self-signed
// certificate; configure is called before it accepts connections.
func startServer(t testing.TB, mode serverMode, configure func(*testServer)) *testServer {
	t.Helper()
	cert, caFile := selfSigned(t)
	ts := &testServer{CAFile: caFile, wait: make(chan struct{})}
	if configure != nil {
		configure(ts)
	}
	s := smtp.NewServer(ts)
	s.Domain = "localhost"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.MaxMessageBytes = 10 << 20
	s.EnableSMTPUTF8 = true
	s.ErrorLog = nopLogger{}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	var ln net.Listener
	var err error
	switch mode {
	case modeTLS:
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tc)
	case modeSTARTTLS:
		s.TLSConfig = tc
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		s.AllowInsecureAuth = true
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln) //nolint:errcheck // returns when Close closes the listener
	ts.srv = s
	ts.Addr = ln.Addr().String()
	t.Cleanup(func() { s.Close() })
	return ts
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

// Received returns what the server accepted.
func (ts *testServer) Received() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.received...)
}

// Conns returns how many connections the server saw.
func (ts *testServer) Conns() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return len(ts.conns)
}

// WaitData waits until n messages reached DATA or d passes.
func (ts *testServer) WaitData(n int, d time.Duration) bool {
	deadline := time.After(d)
	for {
		ts.mu.Lock()
		got, ch := len(ts.received), ts.wait
		ts.mu.Unlock()
		if got >= n {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

func (ts *testServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	ts.mu.Lock()
	if ts.conns == nil {
		ts.conns = map[*smtp.Conn]int{}
	}
	n, ok := ts.conns[c]
	if !ok {
		n = len(ts.conns) + 1
		ts.conns[c] = n
	}
	ts.mu.Unlock()
	return &testSession{ts: ts, conn: c, connNum: n}, nil
}

type testSession struct {
	ts      *testServer
	conn    *smtp.Conn
	connNum int
	mails   int
	from    string
	to      []string
	authed  string
}

func (se *testSession) AuthMechanisms() []string {
	if se.ts.username == "" {
		return nil
	}
	if se.ts.mechs != nil {
		return se.ts.mechs
	}
	return []string{sasl.Plain, sasl.Login}
}

func (se *testSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != se.ts.username || pass != se.ts.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		se.authed = mech
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "XOAUTH2":
		// The token stands where the password would.
		return &xoauth2Server{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// xoauth2Server is the server side of XOAUTH2, which go-sasl lacks. A
// refused token gets the JSON challenge Google and Microsoft send; the
// client answers it empty and then gets the 535.
type xoauth2Server struct {
	err   error
	check func(user, token string) error
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.err != nil {
		return nil, true, x.err
	}
	user, token := "", ""
	for _, kv := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(kv, "user="); ok {
			user = v
		} else if v, ok := strings.CutPrefix(kv, "auth=Bearer "); ok {
			token = v
		}
	}
	if x.err = x.check(user, token); x.err != nil {
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example/"}`), false, nil
	}
	return nil, true, nil
}

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	step  int
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(resp) > 0 { // initial response carries the user name
			l.user = string(resp)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.step++
		l.user = string(resp)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

func (se *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if se.ts.username != "" && se.authed == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	se.mails++
	if se.ts.mail != nil {
		if err := se.ts.mail(se.mails); err != nil {
			return err
		}
	}
	se.from = from
	return nil
}

func (se *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if se.ts.rcpt != nil {
		if err := se.ts.rcpt(to); err != nil {
			return err
		}
	}
	se.to = append(se.to, to)
	return nil
}

var errDrop = errors.New("connection dropped by the test")

func (se *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := se.conn.TLSConnectionState()
	rec := received{From: se.from, To: se.to, Data: b, TLS: isTLS, Authed: se.authed, ConnNum: se.connNum}
	ts := se.ts
	ts.mu.Lock()
	ts.received = append(ts.received, rec)
	n := len(ts.received)
	ts.datas++
	attempt := ts.datas
	close(ts.wait)
	ts.wait = make(chan struct{})
	hook, hold := ts.data, ts.hold
	ts.mu.Unlock()
	if hold != nil {
		<-hold
	}
	if hook == nil {
		return nil
	}
	err, drop := hook(attempt, rec)
	if drop {
		// The message is taken, but the reply never leaves: the client
		// cannot know.
		se.conn.Conn().Close()
		return errDrop
	}
	if err != nil {
		// A refused message does not count as received.
		ts.mu.Lock()
		ts.received = append(ts.received[:n-1], ts.received[n:]...)
		ts.mu.Unlock()
	}
	return err
}

func (se *testSession) Reset()        { se.from, se.to = "", nil }
func (se *testSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost and writes it
// as a CA file.
func selfSigned(t testing.TB) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "mailflow test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, caFile
}
