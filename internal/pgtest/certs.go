package pgtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// certValidity is how long the generated certificates last: longer than
// any test binary runs, short enough to be useless if they leak.
const certValidity = 24 * time.Hour

// tlsFiles are where writeCerts puts the CA and the server's certificate
// and key.
type tlsFiles struct {
	ca, cert, key string
}

// writeCerts makes a CA and a server certificate for the loopback names
// (127.0.0.1, ::1, localhost) in dir. PostgreSQL refuses a key file that
// others may read, so the key is 0600 and owned by the server's user.
func writeCerts(dir string, owner *ids) (tlsFiles, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tlsFiles{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailflow pgtest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tlsFiles{}, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return tlsFiles{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tlsFiles{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tlsFiles{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tlsFiles{}, err
	}
	files := tlsFiles{
		ca:   filepath.Join(dir, "ca.pem"),
		cert: filepath.Join(dir, "server.pem"),
		key:  filepath.Join(dir, "server.key"),
	}
	writes := []struct {
		path, typ string
		der       []byte
		mode      os.FileMode
	}{
		{files.ca, "CERTIFICATE", caDER, 0o644},
		{files.cert, "CERTIFICATE", der, 0o644},
		{files.key, "PRIVATE KEY", keyDER, 0o600},
	}
	for _, w := range writes {
		b := pem.EncodeToMemory(&pem.Block{Type: w.typ, Bytes: w.der})
		if err := os.WriteFile(w.path, b, w.mode); err != nil {
			return tlsFiles{}, err
		}
	}
	return files, owner.chown(files.key)
}
