package inproc

import "github.com/emersion/go-sasl"

type saslServer = sasl.Server

func newPlainServer(auth func(identity, username, password string) error) sasl.Server {
	return sasl.NewPlainServer(sasl.PlainAuthenticator(auth))
}
