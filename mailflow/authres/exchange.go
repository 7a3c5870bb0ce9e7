package authres

import (
	"fmt"
	"strings"
)

// The organisation headers Exchange sets on mail it accepts; its header
// firewall removes them from mail that enters the organisation from
// outside (package documentation).
const (
	exchangeAuthAs         = "X-MS-Exchange-Organization-AuthAs"
	exchangeAuthSource     = "X-MS-Exchange-Organization-AuthSource"
	exchangeAuthMechanism  = "X-MS-Exchange-Organization-AuthMechanism"
	exchangeDirectionality = "X-MS-Exchange-Organization-MessageDirectionality"
)

// exchangeInternal accepts exactly the form Exchange Online stamps on mail
// submitted inside the organisation: one AuthAs "Internal", one AuthSource
// naming the server that authenticated the submitter, and, when the
// directionality header is present, "Originating". Anything else (a
// repeated header, "Anonymous", "Incoming") is refused with the problem.
func exchangeInternal(h Headers, from string) (Verdict, string) {
	authAs, problem := single(h, exchangeAuthAs)
	if problem != "" {
		return Verdict{}, problem
	}
	if !asciiEqualFold(authAs, "Internal") {
		return Verdict{}, exchangeAuthAs + " is not Internal"
	}
	source, problem := single(h, exchangeAuthSource)
	if problem != "" {
		return Verdict{}, problem
	}
	server, ok := canonicalDomain(source)
	if !ok {
		return Verdict{}, exchangeAuthSource + " is not a server name"
	}
	if dirs := h.Values(exchangeDirectionality); len(dirs) > 0 {
		dir, problem := single(h, exchangeDirectionality)
		if problem != "" {
			return Verdict{}, problem
		}
		if !asciiEqualFold(dir, "Originating") {
			return Verdict{}, exchangeDirectionality + " is not Originating"
		}
	}
	reason := fmt.Sprintf("Exchange marks the mail as sent inside the organisation (AuthAs Internal, authenticated by %s%s)",
		server, mechanism(h))
	return Verdict{Pass: true, Method: "exchange-internal", Domain: from, Reason: reason}, ""
}

// single returns the one value of a header that must appear exactly once.
func single(h Headers, key string) (string, string) {
	vs := h.Values(key)
	switch len(vs) {
	case 0:
		return "", "no " + key + " header"
	case 1:
		return strings.TrimSpace(vs[0]), ""
	default:
		return "", fmt.Sprintf("%s appears %d times", key, len(vs))
	}
}

// mechanism names the AuthMechanism code for the log when it is the
// two-digit number Exchange writes ("04" for a mailbox submission).
func mechanism(h Headers) string {
	vs := h.Values(exchangeAuthMechanism)
	if len(vs) != 1 {
		return ""
	}
	code := strings.TrimSpace(vs[0])
	if len(code) != 2 || !isDigits(code) {
		return ""
	}
	return ", mechanism " + code
}
