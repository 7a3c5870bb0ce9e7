// Package screen decides, from a message alone, what mailflow must not do
// with it: answer it (an auto-reply, a list, a bounce, mailflow's own
// mail: answering risks a loop) or handle it at all (mail a person should
// look at first: it goes to the failed folder). It reads headers and
// parts, never the database.
package screen

import (
	"strings"

	"mailflow/mailflow/compose"
	"mailflow/mailflow/mailtext"
)

// Reasons a message is never answered. Answering any of these risks a mail
// loop with an auto-responder, a list, or mailflow itself.
const (
	reasonAutoSubmitted = "auto-submitted mail (Auto-Submitted header)"
	reasonPrecedence    = "bulk or list mail (Precedence header)"
	reasonAutoReply     = "auto-reply (X-Autoreply/X-Autorespond header)"
	reasonSuppress      = "sender asked for no automatic responses (X-Auto-Response-Suppress)"
	reasonList          = "mailing-list mail (List-Id header)"
	reasonNullSender    = "empty or system return path (bounce or mailer-daemon)"
	reasonOwnMail       = "sent by mailflow itself (loop)"
	// Report is the reason given for a delivery or read report, which the
	// engine records against the mail it is about.
	Report = "delivery or read report"
)

// DoNotAnswer returns why msg must get no reply, or "". selfLoop is true
// when the message came from mailflow itself (own holds its addresses) and
// is quarantined rather than ignored.
func DoNotAnswer(msg *mailtext.Message, own map[string]bool, allowLists bool) (reason string, selfLoop bool) {
	h := msg.Header
	if h.Get(compose.HeaderLoop) != "" || own[msg.From.Email] {
		return reasonOwnMail, true
	}
	if ct, _, _ := h.ContentType(); ct == "multipart/report" {
		return Report, false
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return reasonAutoSubmitted, false
	}
	switch p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); p {
	case "bulk", "junk", "list", "auto_reply":
		// Mailman marks every post "Precedence: list" beside its List-Id:
		// with allow_lists on, a post to a list the project runs is mail
		// to handle like any other (auto-replies and mailflow's own mail
		// are still caught by the other rules).
		if !(p == "list" && allowLists && h.Get("List-Id") != "") {
			return reasonPrecedence, false
		}
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("X-Auto-Reply") != "" {
		return reasonAutoReply, false
	}
	if h.Get("X-Auto-Response-Suppress") != "" {
		return reasonSuppress, false
	}
	if h.Get("List-Id") != "" && !allowLists {
		return reasonList, false
	}
	if rp, ok := returnPath(msg); ok {
		l := strings.ToLower(rp)
		local, _, _ := strings.Cut(l, "@")
		if l == "" || local == "mailer-daemon" || local == "postmaster" {
			return reasonNullSender, false
		}
	}
	if local, _, _ := strings.Cut(msg.From.Email, "@"); local == "mailer-daemon" || local == "postmaster" {
		return reasonNullSender, false
	}
	return "", false
}

// returnPath returns the address in the Return-Path header, if there is one.
func returnPath(msg *mailtext.Message) (string, bool) {
	if !msg.Header.Has("Return-Path") {
		return "", false
	}
	v := strings.TrimSpace(msg.Header.Get("Return-Path"))
	return strings.Trim(v, "<> "), true
}
