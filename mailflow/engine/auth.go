package engine

import (
	"strings"

	"mailflow/mailflow/mailtext"
)

// authenticatedFrom reports whether the topmost Authentication-Results
// header written by the trusted server (RFC 8601) shows DKIM, SPF or DMARC
// passing for the domain of the From address. Only the first header with
// the trusted authserv-id counts: the receiving MTA adds its own on top and
// must strip any with its id that arrived from outside (RFC 8601 section 5),
// so lower ones may be forged.
func authenticatedFrom(msg *mailtext.Message, trustedID string) bool {
	if trustedID == "" || msg.From.Email == "" {
		return false
	}
	_, fromDomain, ok := strings.Cut(msg.From.Email, "@")
	if !ok {
		return false
	}
	for _, v := range msg.Header.Values("Authentication-Results") {
		parts := strings.Split(unfold(v), ";")
		id := strings.Fields(strings.TrimSpace(parts[0]))
		if len(id) == 0 || !strings.EqualFold(id[0], trustedID) {
			continue
		}
		for _, res := range parts[1:] {
			method, props := parseResult(res)
			switch method {
			case "dkim=pass":
				if domainMatches(props["header.d"], fromDomain) || domainMatches(domainOf(props["header.i"]), fromDomain) {
					return true
				}
			case "spf=pass":
				if domainMatches(domainOf(props["smtp.mailfrom"]), fromDomain) {
					return true
				}
			case "dmarc=pass":
				if domainMatches(props["header.from"], fromDomain) {
					return true
				}
			}
		}
		return false
	}
	return false
}

func unfold(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseResult reads " dkim=pass (comment) header.d=x.org header.s=s1".
func parseResult(s string) (string, map[string]string) {
	props := map[string]string{}
	method := ""
	for _, f := range strings.Fields(stripComments(s)) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(k)
		v = strings.ToLower(strings.Trim(v, `"`))
		if method == "" && (k == "dkim" || k == "spf" || k == "dmarc" || k == "arc" || k == "auth" || k == "iprev") {
			method = k + "=" + v
			continue
		}
		props[k] = v
	}
	return method, props
}

func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok {
		return d
	}
	return addr
}

// domainMatches allows the relaxed alignment of DMARC: a signature by
// clinic.example covers mail from mail.clinic.example and vice versa.
func domainMatches(signer, from string) bool {
	signer, from = strings.ToLower(signer), strings.ToLower(from)
	if signer == "" || from == "" {
		return false
	}
	if !strings.Contains(signer, ".") || !strings.Contains(from, ".") {
		return false
	}
	return signer == from || strings.HasSuffix(from, "."+signer) || strings.HasSuffix(signer, "."+from)
}
