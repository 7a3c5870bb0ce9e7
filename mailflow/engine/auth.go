package engine

import (
	"strings"

	"mailflow/mailflow/authres"
	"mailflow/mailflow/mailtext"
)

// senderVerdict asks the trusted Authentication-Results headers (RFC 8601)
// of msg, and with trust_exchange_internal Exchange Online's own
// organisation headers, whether the domain of its From passed DKIM, SPF or
// DMARC.
func (e *Engine) senderVerdict(msg *mailtext.Message) authres.Verdict {
	sec := e.cfg.Security
	p := authres.Policy{ExchangeInternal: sec.TrustExchangeInternal}
	if sec.TrustedAuthservID != "" {
		p.TrustedIDs = []string{sec.TrustedAuthservID}
	}
	return authres.Check(&msg.Header, domainOf(msg.From.Email), p)
}

// domainOf returns the domain of an address, or the address itself.
func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok {
		return d
	}
	return addr
}
