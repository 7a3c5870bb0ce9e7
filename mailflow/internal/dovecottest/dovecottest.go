// Package dovecottest runs a private, unprivileged Dovecot for tests and
// benchmarks: its own configuration, runtime directory, log and Maildir in
// temporary directories, plaintext/STARTTLS and implicit-TLS listeners on
// free loopback ports, and a self-signed CA the test can trust. It never
// reads /etc/dovecot nor touches the system instance.
//
// Without Dovecot installed, Start skips the test, unless the environment
// sets MAILFLOW_REQUIRE_DOVECOT=1 (as CI does), when it fails it.
package dovecottest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// EnvRequire names the environment variable that turns a missing Dovecot
// from a skip into a failure.
const EnvRequire = "MAILFLOW_REQUIRE_DOVECOT"

// Timing of start-up and shut-down.
const (
	readyTimeout  = 15 * time.Second // from exec to an accepted connection
	stopTimeout   = 10 * time.Second // from SIGTERM to exit, then SIGKILL
	clientTimeout = 30 * time.Second
)

// mailUID is the mail user when the test runs as root: Dovecot refuses
// uid 0 for mail, so mail belongs to nobody (PITFALLS).
const mailUID = 65534

// Candidates for the dovecot binary, tried in order.
var binaries = []string{"/usr/sbin/dovecot", "dovecot"}

// Option changes how the server is configured.
type Option func(*options)

type options struct {
	username, password string
	separator          string
	capability         string
	extra              string
	introspectionURL   string // OAuth 2.0 token introspection; "" for none
}

// WithUser sets the one mail user's name and password (default "mailflow",
// "secret").
func WithUser(name, password string) Option {
	return func(o *options) { o.username, o.password = name, password }
}

// WithSeparator sets the hierarchy separator of the inbox namespace
// (default "/"; Dovecot's own Maildir default is ".").
func WithSeparator(sep string) Option { return func(o *options) { o.separator = sep } }

// WithCapability replaces the capabilities announced after login
// (Dovecot's imap_capability), e.g. to hide MOVE from the client.
func WithCapability(caps string) Option { return func(o *options) { o.capability = caps } }

// WithOAuth2 makes the server also accept OAuth 2.0 bearer tokens with the
// SASL mechanisms XOAUTH2 and OAUTHBEARER, besides the user's password with
// PLAIN and LOGIN. Dovecot's oauth2 passdb checks each token by POSTing
// "token=..." to introspectionURL (RFC 7662 token introspection), typically
// an httptest.Server running IntrospectionHandler, and logs in the user
// named by the answer's "username" when its "active" is true. The URL must
// be plain http: the private Dovecot is given no CA for the endpoint.
//
// The login name is the client's (XOAUTH2's user=, OAUTHBEARER's a=, which
// Dovecot 2.3 requires) and must equal the answer's username, else Dovecot
// refuses the token. A token of another username logs that user in, with a
// home beside Home; the configured user finds the same Home whichever way
// it logs in. Each passdb serves only its own mechanisms, so a token is
// never tried as the password nor the password sent to the endpoint.
func WithOAuth2(introspectionURL string) Option {
	return func(o *options) { o.introspectionURL = introspectionURL }
}

// IntrospectionHandler answers Dovecot's token introspection requests
// (WithOAuth2) for a test: a token in valid, which maps each token to the
// username it belongs to, gets {"active":true,"username":...}; any other,
// {"active":false}, which Dovecot refuses. It reads the token from the
// "token" form field (body or query), as RFC 7662 and Dovecot's
// introspection_mode = post send it. valid is copied, so changing it later
// changes nothing.
func IntrospectionHandler(valid map[string]string) http.Handler {
	tokens := maps.Clone(valid)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		answer := map[string]any{"active": false}
		if user, ok := tokens[r.Form.Get("token")]; ok {
			answer = map[string]any{"active": true, "username": user}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer) // fails only when Dovecot has hung up
	})
}

// WithConfig appends raw lines to the generated dovecot.conf.
func WithConfig(lines string) Option { return func(o *options) { o.extra += lines + "\n" } }

// Server is a running private Dovecot.
type Server struct {
	// Addr is the plaintext listener (STARTTLS offered) on 127.0.0.1.
	Addr string
	// TLSAddr is the implicit-TLS listener on 127.0.0.1.
	TLSAddr string
	// CAFile is the PEM file of the CA that signed the server certificate
	// (valid for 127.0.0.1, ::1 and localhost).
	CAFile string
	// Username and Password log in the one mail user.
	Username, Password string
	// Dir holds dovecot.conf, the certificates and the log.
	Dir string
	// Home is the mail user's home; the mail is in Home/Maildir.
	Home string
	// LogPath is Dovecot's log file.
	LogPath string

	t        testing.TB
	bin      string
	opts     options
	internal string // configuration for an unprivileged instance
	passwd   string
	conf     string
	runDir   string
	uid, gid int

	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan struct{} // closed when cmd has exited
	err  error         // cmd's exit status, valid after exit is closed
}

// Find returns the path of the dovecot binary, or "" when it is not
// installed.
func Find() string {
	for _, b := range binaries {
		if p, err := exec.LookPath(b); err == nil {
			return p
		}
	}
	return ""
}

// Start configures and starts a private Dovecot and stops it when the test
// ends. It skips the test when Dovecot is not installed (fails it under
// MAILFLOW_REQUIRE_DOVECOT=1).
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	bin := Find()
	if bin == "" {
		msg := "dovecot is not installed (Debian: apt-get install dovecot-imapd); the IMAP integration tests need it"
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s, and %s=1", msg, EnvRequire)
		}
		t.Skip(msg)
	}
	o := options{username: "mailflow", password: "secret", separator: "/"}
	for _, f := range opts {
		f(&o)
	}
	s := &Server{t: t, bin: bin, Username: o.username, Password: o.password}
	if err := s.setup(o); err != nil {
		t.Fatalf("dovecottest: %v", err)
	}
	// Registered after the first t.TempDir, so it runs before the
	// directories are removed.
	t.Cleanup(func() {
		s.stop(true)
		if t.Failed() {
			t.Logf("dovecot log (%s):\n%s", s.LogPath, s.logTail(60))
		}
	})
	// Another process may take a port between freePorts and Dovecot's
	// bind: then try new ones.
	for attempt := 1; ; attempt++ {
		if err := s.configure(); err != nil {
			t.Fatalf("dovecottest: %v", err)
		}
		err := s.start()
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error()+s.logTail(20), "Address already in use") {
			t.Fatalf("dovecottest: %v\n%s", err, s.logTail(40))
		}
	}
	return s
}

// setup makes the directories and writes the certificates and the password
// file.
func (s *Server) setup(o options) error {
	s.Dir = s.t.TempDir()
	// The runtime directory holds unix sockets, whose paths may not exceed
	// 107 bytes; t.TempDir's names grow with the test name.
	run, err := os.MkdirTemp("", "dct-")
	if err != nil {
		return err
	}
	s.t.Cleanup(func() { os.RemoveAll(run) })
	s.runDir = filepath.Join(run, "run")
	s.LogPath = filepath.Join(s.Dir, "dovecot.log")
	s.Home = filepath.Join(s.Dir, "home", o.username)

	s.uid, s.gid = mailUID, mailUID
	internal := ""
	if os.Geteuid() != 0 {
		// Unprivileged: every Dovecot process and the mail run as us.
		u, err := user.Current()
		if err != nil {
			return err
		}
		s.uid, s.gid = os.Geteuid(), os.Getegid()
		internal = fmt.Sprintf("default_internal_user = %s\ndefault_login_user = %s\ndefault_internal_group = %s\n"+
			"service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n", u.Username, u.Username, groupName(s.gid))
	}
	// Every directory down to the Maildir must be traversable by the mail
	// user and Dovecot's own users: t.TempDir makes them 0700.
	for _, d := range []string{run, filepath.Dir(s.Dir), s.Dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(s.Home, 0o755); err != nil {
		return err
	}
	for _, d := range []string{filepath.Dir(s.Home), s.Home} {
		if err := os.Chown(d, s.uid, s.gid); err != nil && os.Geteuid() == 0 {
			return err
		}
	}

	if err := s.writeCerts(); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	passwd := filepath.Join(s.Dir, "passwd")
	if err := os.WriteFile(passwd, fmt.Appendf(nil, "%s:{PLAIN}%s\n", o.username, o.password), 0o644); err != nil {
		return err
	}
	s.opts, s.internal, s.passwd = o, internal, passwd
	return os.MkdirAll(filepath.Join(s.Dir, "state"), 0o755)
}

// passdbs returns the SASL mechanisms to offer and the passdb sections
// that check them: the password file, and with WithOAuth2 the oauth2 passdb
// and its configuration file, which it writes.
func (s *Server) passdbs() (mechanisms, conf string, err error) {
	passwdFile := func(extra string) string {
		return "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u " + s.passwd + "\n" + extra + "}\n"
	}
	url := s.opts.introspectionURL
	if url == "" {
		return "plain login", passwdFile(""), nil
	}
	// The .ext file is "key = value" lines: a line break would smuggle in
	// settings, and a scheme other than http needs a CA Dovecot lacks.
	if strings.ContainsAny(url, "\r\n") || !strings.HasPrefix(url, "http://") {
		return "", "", fmt.Errorf("oauth2: introspection URL %q: want one line starting http://", url)
	}
	ext := filepath.Join(s.Dir, "dovecot-oauth2.conf.ext")
	// No tokeninfo_url: every token goes to the introspection endpoint,
	// whose "active" answer decides.
	body := fmt.Sprintf("introspection_mode = post\nintrospection_url = %s\n"+
		"username_attribute = username\nactive_attribute = active\nactive_value = true\n", url)
	if err := os.WriteFile(ext, []byte(body), 0o644); err != nil {
		return "", "", fmt.Errorf("oauth2: %w", err)
	}
	// mechanisms = keeps each passdb to its own logins: without it a
	// refused token would be checked again as the user's password (and
	// a password sent to the introspection endpoint). "none" keeps the
	// password file for lookups without a mechanism, such as doveadm's.
	conf = fmt.Sprintf("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = %s\n}\n", ext) +
		passwdFile("  mechanisms = plain login none\n")
	return "plain login xoauth2 oauthbearer", conf, nil
}

// configure picks free ports and writes dovecot.conf for them.
func (s *Server) configure() error {
	o, internal := s.opts, s.internal
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	s.TLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))

	capability := ""
	if o.capability != "" {
		capability = "imap_capability = " + o.capability + "\n"
	}
	mechanisms, passdbs, err := s.passdbs()
	if err != nil {
		return err
	}
	conf := fmt.Sprintf(`# Generated by mailflow/dovecottest: a private test instance.
base_dir = %[1]s
state_dir = %[2]s
instance_name = dovecottest-%[3]d
log_path = %[4]s
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[5]s
ssl_key = <%[6]s
disable_plaintext_auth = no
auth_mechanisms = %[17]s
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
%[13]s%[14]s
namespace inbox {
  inbox = yes
  separator = %[7]s
}
%[8]suserdb {
  driver = static
  args = uid=%[9]d gid=%[10]d home=%[15]s/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[11]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[12]d
    ssl = yes
  }
}
%[16]s`,
		s.runDir, filepath.Join(s.Dir, "state"), ports[0], s.LogPath,
		filepath.Join(s.Dir, "server.pem"), filepath.Join(s.Dir, "server.key"),
		o.separator, passdbs, s.uid, s.gid, ports[0], ports[1], capability, internal,
		filepath.Dir(s.Home), o.extra, mechanisms)
	s.conf = filepath.Join(s.Dir, "dovecot.conf")
	return os.WriteFile(s.conf, []byte(conf), 0o644)
}

func groupName(gid int) string {
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		return g.Name
	}
	return strconv.Itoa(gid)
}

// freePorts asks the kernel for n free loopback ports. Another process may
// take one before Dovecot binds it; start then fails loudly.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writeCerts makes a CA and a server certificate for the loopback names.
func (s *Server) writeCerts() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailflow dovecottest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	s.CAFile = filepath.Join(s.Dir, "ca.pem")
	files := []struct {
		name, typ string
		der       []byte
		mode      os.FileMode
	}{
		{"ca.pem", "CERTIFICATE", caDER, 0o644},
		{"server.pem", "CERTIFICATE", der, 0o644},
		{"server.key", "PRIVATE KEY", keyDER, 0o600},
	}
	for _, f := range files {
		b := pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der})
		if err := os.WriteFile(filepath.Join(s.Dir, f.name), b, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// TLSConfig returns a client TLS configuration that trusts the server's CA.
func (s *Server) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	b, err := os.ReadFile(s.CAFile)
	if err == nil {
		pool.AppendCertsFromPEM(b)
	}
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// start runs dovecot in the foreground as a child process and waits until
// both listeners accept connections and greet.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("already running")
	}
	out, err := os.OpenFile(filepath.Join(s.Dir, "dovecot.stderr"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "-F", "-c", s.conf)
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so Stop can reach any child it leaves behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	exit := make(chan struct{})
	go func() {
		err := cmd.Wait()
		out.Close()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(exit)
	}()
	s.cmd, s.exit = cmd, exit

	deadline := time.Now().Add(readyTimeout)
	for _, addr := range []string{s.Addr, s.TLSAddr} {
		for {
			err := greets(addr, addr == s.TLSAddr, s.TLSConfig())
			if err == nil {
				break
			}
			select {
			case <-exit:
				s.cmd = nil
				return fmt.Errorf("dovecot exited during start-up (%v); stderr:\n%s", s.err, s.stderrTail())
			default:
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("dovecot did not accept connections on %s within %s: %v", addr, readyTimeout, err)
			}
			time.Sleep(20 * time.Millisecond) // polling a port that is not open yet
		}
	}
	return nil
}

// greets connects to addr and reads the "* OK" greeting.
func greets(addr string, implicitTLS bool, tc *tls.Config) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if implicitTLS {
		tc := tls.Client(c, tc)
		if err := tc.Handshake(); err != nil {
			return err
		}
		c = tc
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "* OK") {
		return fmt.Errorf("unexpected greeting %q", line)
	}
	return nil
}

// Stop stops Dovecot; every client connection drops. Start starts it again
// on the same ports with the same mail.
func (s *Server) Stop() {
	s.t.Helper()
	s.stop(false)
}

// stop ends the server: with SIGTERM, as an administrator would (the master
// takes about a second to stop its children), or at once with SIGKILL to
// the whole process group when the test is over.
func (s *Server) stop(kill bool) {
	s.mu.Lock()
	cmd, exit := s.cmd, s.exit
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	pgid := cmd.Process.Pid
	if kill {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	} else {
		_ = cmd.Process.Signal(syscall.SIGTERM) // the master stops its children (shutdown_clients)
	}
	select {
	case <-exit:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exit
	}
	// Anything of its group still alive (a child that ignored the master)
	// goes too; ESRCH when there is none.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// Start starts a stopped server again.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("dovecottest: restart: %v\n%s", err, s.logTail(40))
	}
}

// PID returns the PID of Dovecot's master process, whose children serve
// the clients; 0 when the server is stopped. Benchmarks read the server's
// CPU time through it.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Running reports whether the server process is up.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

func (s *Server) logTail(n int) string {
	return tail(s.LogPath, n) + tail(filepath.Join(s.Dir, "dovecot.stderr"), n)
}

func (s *Server) stderrTail() string { return tail(filepath.Join(s.Dir, "dovecot.stderr"), 20) }

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// Dial returns a client logged in over the plaintext port. The caller
// closes it.
func (s *Server) Dial() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(s.Addr, &imapclient.Options{Dialer: &net.Dialer{Timeout: clientTimeout}})
	if err != nil {
		return nil, err
	}
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login: %w", err)
	}
	return c, nil
}

// client is Dial for the helpers below: a failure ends the test.
func (s *Server) client() *imapclient.Client {
	s.t.Helper()
	c, err := s.Dial()
	if err != nil {
		s.t.Fatalf("dovecottest: %v", err)
	}
	return c
}

// Append delivers raw to mailbox (creating it if needed) as a mail server
// would, and returns its UID. Helpers that take no error end the test on
// failure, so call them from the test's goroutine.
func (s *Server) Append(mailbox string, raw []byte) imap.UID {
	s.t.Helper()
	c := s.client()
	defer c.Close()
	uid, err := appendTo(c, mailbox, raw, nil)
	if errors.Is(err, errNoMailbox) {
		if err = c.Create(mailbox, nil).Wait(); err == nil {
			uid, err = appendTo(c, mailbox, raw, nil)
		}
	}
	if err != nil {
		s.t.Fatalf("dovecottest: append to %s: %v", mailbox, err)
	}
	return uid
}

var errNoMailbox = errors.New("no such mailbox")

func appendTo(c *imapclient.Client, mailbox string, raw []byte, flags []imap.Flag) (imap.UID, error) {
	cmd := c.Append(mailbox, int64(len(raw)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write(raw); err != nil {
		return 0, err
	}
	if err := cmd.Close(); err != nil {
		return 0, err
	}
	d, err := cmd.Wait()
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Code == imap.ResponseCodeTryCreate {
		return 0, errNoMailbox
	}
	if err != nil {
		return 0, err
	}
	return d.UID, nil
}

// Count returns how many messages mailbox holds; 0 when it does not exist.
func (s *Server) Count(mailbox string) int {
	s.t.Helper()
	c := s.client()
	defer c.Close()
	d, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if isNonExistent(err) {
		return 0
	}
	if err != nil {
		s.t.Fatalf("dovecottest: status %s: %v", mailbox, err)
	}
	return int(*d.NumMessages)
}

// UIDValidity returns the UIDVALIDITY of mailbox.
func (s *Server) UIDValidity(mailbox string) uint32 {
	s.t.Helper()
	c := s.client()
	defer c.Close()
	d, err := c.Status(mailbox, &imap.StatusOptions{UIDValidity: true}).Wait()
	if err != nil {
		s.t.Fatalf("dovecottest: status %s: %v", mailbox, err)
	}
	return d.UIDValidity
}

// Message is one message as stored, with its flags.
type Message struct {
	UID   imap.UID
	Flags []imap.Flag
	Raw   []byte
}

// Has reports whether the message carries flag.
func (m Message) Has(flag imap.Flag) bool {
	for _, f := range m.Flags {
		if strings.EqualFold(string(f), string(flag)) {
			return true
		}
	}
	return false
}

// Messages returns every message in mailbox, read-only and with
// BODY.PEEK[], so looking changes no flag.
func (s *Server) Messages(mailbox string) []Message {
	s.t.Helper()
	c := s.client()
	defer c.Close()
	msgs, err := messages(c, mailbox)
	if err != nil {
		s.t.Fatalf("dovecottest: read %s: %v", mailbox, err)
	}
	return msgs
}

func messages(c *imapclient.Client, mailbox string) ([]Message, error) {
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, err
	}
	if sel.NumMessages == 0 {
		return nil, nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	bufs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	if err != nil {
		return nil, err
	}
	out := make([]Message, 0, len(bufs))
	for _, b := range bufs {
		out = append(out, Message{UID: b.UID, Flags: b.Flags, Raw: b.FindBodySection(section)})
	}
	return out, nil
}

// DeleteAndRecreate deletes mailbox and creates it again holding the same
// messages (and flags), so its UIDVALIDITY changes (RFC 3501 2.3.1.1) while
// its mail does not. INBOX cannot be deleted in IMAP; use another mailbox.
func (s *Server) DeleteAndRecreate(mailbox string) {
	s.t.Helper()
	if strings.EqualFold(mailbox, "INBOX") {
		s.t.Fatalf("dovecottest: INBOX cannot be deleted; put the mail in another mailbox")
	}
	c := s.client()
	defer c.Close()
	msgs, err := messages(c, mailbox)
	if err == nil {
		err = c.Unselect().Wait()
	}
	if err == nil {
		err = c.Delete(mailbox).Wait()
	}
	if err == nil {
		err = c.Create(mailbox, nil).Wait()
	}
	for _, m := range msgs {
		if err != nil {
			break
		}
		var flags []imap.Flag
		for _, f := range m.Flags {
			if f != `\Recent` {
				flags = append(flags, f)
			}
		}
		_, err = appendTo(c, mailbox, m.Raw, flags)
	}
	if err != nil {
		s.t.Fatalf("dovecottest: delete and re-create %s: %v", mailbox, err)
	}
}

// Deliver writes messages straight into the Maildir of mailbox, as a local
// delivery agent would (tmp/ then rename into new/): the fast way to fill a
// mailbox with thousands of messages. Dovecot assigns their UIDs when it
// next looks at the mailbox. mailbox is INBOX or a name below it using the
// namespace separator; it is created on disk if missing.
func (s *Server) Deliver(mailbox string, raws ...[]byte) error {
	dir := filepath.Join(s.Home, "Maildir")
	if !strings.EqualFold(mailbox, "INBOX") {
		// Maildir++ layout: "a/b" lives in ".a.b".
		dir = filepath.Join(dir, "."+strings.NewReplacer("/", ".", ".", ".").Replace(mailbox))
	}
	for _, sub := range []string{"", "tmp", "new", "cur"} {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		if err := s.chown(d); err != nil {
			return err
		}
	}
	if err := s.chown(filepath.Join(s.Home, "Maildir")); err != nil {
		return err
	}
	host, _ := os.Hostname()
	host = strings.NewReplacer("/", "_", ":", "_").Replace(host)
	now := time.Now()
	for i, raw := range raws {
		// Maildir stores LF line ends; Dovecot serves CRLF.
		raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
		// Q is zero-padded: Dovecot gives new files their UIDs in name
		// order, and "Q10" sorting before "Q2" would shuffle the mail.
		name := fmt.Sprintf("%d.M%dP%dQ%09d.%s,S=%d", now.Unix(), now.Nanosecond()/1000, os.Getpid(), i, host, len(raw))
		tmp := filepath.Join(dir, "tmp", name)
		if err := os.WriteFile(tmp, raw, 0o600); err != nil {
			return err
		}
		if err := s.chown(tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, "new", name)); err != nil {
			return err
		}
	}
	return nil
}

// isNonExistent reports whether err says the mailbox does not exist:
// Dovecot 2.3 answers STATUS without the NONEXISTENT code.
func isNonExistent(err error) bool {
	var ie *imap.Error
	if !errors.As(err, &ie) {
		return false
	}
	return ie.Code == imap.ResponseCodeNonExistent || strings.Contains(strings.ToLower(ie.Text), "doesn't exist")
}

func (s *Server) chown(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	return os.Chown(path, s.uid, s.gid)
}
