package intake_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

// corpus makes n messages of a project mailbox in the mix a real one
// sees: every tenth is a meeting's minutes (three action items and a
// risk), most of the rest are members' replies with commands about their
// items, quoting what they answer; some are HTML discussion mail, and some
// carry an attachment. Every message is authenticated as the receiving MTA
// would mark it, and the same n gives the same messages.
func corpus(n int) [][]byte {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	base := time.Date(2025, 1, 6, 16, 0, 0, 0, time.FixedZone("EST", -5*3600))
	owners := []string{"Alice Moreau <alice@" + domain + ">", "Bob Okafor <bob@" + domain + ">", "Carol Nguyen <carol@" + domain + ">"}
	// MAILFLOW_BENCH_ATTACHMENT_KB sizes the attachments (default ~22 KB),
	// to see memory with a backlog of large messages.
	repeat := 500
	if kb, err := strconv.Atoi(os.Getenv("MAILFLOW_BENCH_ATTACHMENT_KB")); err == nil && kb > 0 {
		repeat = kb * 1024 / 44
	}
	attachment := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("%PDF-1.4 vendor test plan, page of figures\n"), repeat))
	var out [][]byte
	meetings := 0
	for i := range n {
		var b strings.Builder
		if i%10 == 0 {
			// Minutes of meeting m: items A-(3m+1..3m+3) go to Alice, Bob
			// and Carol in turn.
			m := meetings
			meetings++
			day := base.AddDate(0, 0, m)
			fmt.Fprintf(&b, "From: Priya Shah <priya@%s>\r\nTo: EHR Rollout <ehr@%[1]s>\r\n"+
				"Cc: Alice Moreau <alice@%[1]s>, Bob Okafor <bob@%[1]s>, Carol Nguyen <carol@%[1]s>\r\n"+
				"Subject: Minutes: EHR rollout meeting %[2]s\r\nDate: %[3]s\r\nMessage-ID: <minutes-%[4]d@%[1]s>\r\n"+
				"Authentication-Results: %[5]s; dkim=pass header.d=%[1]s header.s=s1; spf=pass smtp.mailfrom=priya@%[1]s\r\n"+
				"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
				domain, day.Format("2 Jan 2006"), day.Add(40*time.Minute).Format(time.RFC1123Z), m, authservID)
			fmt.Fprintf(&b, "EHR rollout — project meeting %s\r\nAttendees: Priya Shah, Alice Moreau, Bob Okafor, Carol Nguyen\r\n\r\n", day.Format("2006-01-02"))
			b.WriteString("Build 7.2 of the pharmacy interface is in test; ward hardware is on track\r\napart from the badge readers. Training rooms are booked for January.\r\n\r\n")
			due := day.AddDate(0, 0, 7).Format("2006-01-02")
			fmt.Fprintf(&b, "DECISION: Super-user training uses the vendor sandbox, never production.\r\n\r\n")
			fmt.Fprintf(&b, "ACTION: Alice to draft training plan part %d by %s\r\n", m+1, due)
			fmt.Fprintf(&b, "ACTION: Bob to confirm interface test window %d with the vendor by %s\r\n", m+1, due)
			fmt.Fprintf(&b, "ACTION: Carol to order badge readers batch %d by %s\r\n", m+1, due)
			fmt.Fprintf(&b, "RISK: interface vendor late on drop %d (likelihood high, impact high) mitigation: weekly vendor call; owner Bob\r\n\r\nPriya\r\n", m+1)
			out = append(out, []byte(b.String()))
			continue
		}
		// A reply from the owner of one of the last meeting's items.
		m := max(meetings-1, 0)
		k := rng.IntN(3)
		ref := fmt.Sprintf("A-%d", 3*m+k+1)
		from := owners[k]
		day := base.AddDate(0, 0, m).Add(time.Duration(1+i%10) * 10 * time.Minute)
		fmt.Fprintf(&b, "From: %s\r\nTo: EHR Rollout <ehr@%s>\r\nSubject: Re: Minutes: EHR rollout meeting %s\r\nDate: %s\r\n"+
			"Message-ID: <reply-%d@%[2]s>\r\nIn-Reply-To: <minutes-%[6]d@%[2]s>\r\nReferences: <minutes-%[6]d@%[2]s>\r\n"+
			"Authentication-Results: %[7]s; dkim=pass header.d=%[2]s header.s=s1\r\nMIME-Version: 1.0\r\n",
			from, domain, base.AddDate(0, 0, m).Format("2 Jan 2006"), day.Format(time.RFC1123Z), i, m, authservID)
		var cmd string
		switch rng.IntN(4) {
		case 0:
			cmd = ref + " progress 40%"
		case 1:
			cmd = ref + " due " + day.AddDate(0, 0, 14).Format("Jan 2")
		case 2:
			cmd = ref + " done"
		default:
			cmd = "note " + ref + " waiting for the vendor's answer on the test data"
		}
		quote := fmt.Sprintf("On %s, Priya Shah wrote:\r\n> ACTION: Alice to draft training plan part %d\r\n> ACTION: Bob to confirm interface test window %[2]d\r\n"+
			"> ACTION: Carol to order badge readers batch %[2]d\r\n> Build 7.2 of the pharmacy interface is in test; ward hardware is on track\r\n"+
			"> apart from the badge readers. Training rooms are booked for January.\r\n", day.Format("Mon 2 Jan 2006 at 15:04"), m+1)
		signature := "\r\n-- \r\nSt Mary's Clinic · EHR programme\r\nThis message may contain confidential information.\r\n"
		switch {
		case i%10 == 9: // with an attachment
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\nPlan attached.%s\r\n%s\r\n"+
				"--b1\r\nContent-Type: application/pdf; name=\"plan.pdf\"\r\nContent-Disposition: attachment; filename=\"plan.pdf\"\r\n"+
				"Content-Transfer-Encoding: base64\r\n\r\n", cmd, signature, quote)
			for j := 0; j < len(attachment); j += 76 {
				b.WriteString(attachment[j:min(j+76, len(attachment))] + "\r\n")
			}
			b.WriteString("--b1--\r\n")
		case i%10 >= 7: // HTML mail client
			fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s%s\r\n%s\r\n"+
				"--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><div dir=\"ltr\"><p>%[1]s</p><p>-- <br>St Mary's Clinic &middot; EHR programme</p></div>"+
				"<blockquote style=\"margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex\">%s</blockquote></body></html>\r\n--b2--\r\n",
				cmd, signature, quote, strings.ReplaceAll(quote, "\r\n", "<br>\r\n"))
		default:
			fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\nThanks,\r\n%s%s\r\n%s", cmd, strings.Fields(from)[0], signature, quote)
		}
		out = append(out, []byte(b.String()))
	}
	return out
}
