package screen

import (
	"fmt"
	"strings"

	"mailflow/mailflow/mailtext"
)

// MaxRecipients bounds To+Cc. Minutes and replies go to a team, not to
// thousands; a message addressed to more is spam or a mistake, and mailing
// minutes to every one of them would be worse.
const MaxRecipients = 500

// Quarantine returns why a message that parsed must still go to the
// failed folder for a person to look at, or "" when it may be handled.
// Unreadable messages never get here: mailtext.Read fails them.
func Quarantine(msg *mailtext.Message) string {
	if n := len(msg.To) + len(msg.Cc); n > MaxRecipients {
		return fmt.Sprintf("message has %d recipients in To/Cc (limit %d)", n, MaxRecipients)
	}
	// A forwarded message or attachment in an unknown charset is left out
	// with a problem of its own; only the mail's own text decides.
	if msg.UnknownCharset != "" {
		return "text in an unknown character set, so it cannot be read reliably: " + msg.UnknownCharset
	}
	if strings.TrimSpace(msg.Text) == "" && strings.TrimSpace(msg.HTML) == "" && len(msg.Attachments) == 0 {
		return "the message has no readable text (empty body)"
	}
	for _, p := range msg.Unread {
		if isArchiveOrProgram(p) {
			name := p.Filename
			if name == "" {
				name = "unnamed"
			}
			return fmt.Sprintf("carries an archive or program (%s, %s); mailflow never opens these, a person should look at it", name, p.ContentType)
		}
	}
	return ""
}

var archiveTypes = map[string]bool{
	"application/zip": true, "application/x-zip-compressed": true, "application/gzip": true, "application/x-gzip": true,
	"application/x-7z-compressed": true, "application/x-rar-compressed": true, "application/vnd.rar": true,
	"application/x-tar": true, "application/x-bzip2": true, "application/x-xz": true, "application/java-archive": true,
	"application/x-msdownload": true, "application/x-msdos-program": true, "application/x-executable": true,
	"application/vnd.microsoft.portable-executable": true, "application/x-iso9660-image": true,
}

var archiveExts = []string{".zip", ".gz", ".tgz", ".7z", ".rar", ".tar", ".bz2", ".xz", ".jar", ".exe", ".scr", ".bat",
	".cmd", ".com", ".js", ".vbs", ".iso", ".img", ".msi", ".ps1", ".lnk"}

// isArchiveOrProgram reports whether a part is an archive (a zip bomb is
// one) or something executable. Minutes and replies are text; such a part
// in a mail to a hospital project address deserves a person's eyes.
func isArchiveOrProgram(p mailtext.Part) bool {
	if archiveTypes[strings.ToLower(p.ContentType)] {
		return true
	}
	name := strings.ToLower(p.Filename)
	for _, ext := range archiveExts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}
