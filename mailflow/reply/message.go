package reply

import "mailflow/mailflow/mailtext"

// Text is the new text of a message read as a reply: quotes and the
// sender's signature removed, working from the HTML when that is all the
// message has (quote containers are clearest there).
func Text(msg *mailtext.Message) string {
	if msg.TextFromHTML && msg.HTML != "" {
		return StripHTMLFrom(msg.HTML, msg.From)
	}
	return StripFrom(msg.Text, msg.From)
}
