package engine_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"mailflow/mailflow/docx/docxtest"
	"mailflow/store"
)

// multipart builds a mail body with a short note and one attached part,
// with bare newlines: the harness makes them CRLF.
func multipart(note, partHeader string, part []byte, base64Encode bool) (string, []string) {
	var b strings.Builder
	b.WriteString("--b1\nContent-Type: text/plain; charset=utf-8\n\n" + note + "\n--b1\n" + partHeader)
	if base64Encode {
		b.WriteString("Content-Transfer-Encoding: base64\n\n")
		enc := base64.StdEncoding.EncodeToString(part)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\n")
	} else {
		b.WriteString("\n")
		b.Write(part)
		b.WriteString("\n")
	}
	b.WriteString("--b1--\n")
	return b.String(), []string{"MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b1"}
}

// Minutes written in Word (an action-log table) and minutes forwarded as
// an attached message become items like minutes in the body, even under
// a subject that does not say "minutes".
func TestMinutesInWordAndForwardedMail(t *testing.T) {
	word := docxtest.Build(docxtest.Heading(1, "Action log") + docxtest.Table(
		[]string{"Action", "Owner", "Due"},
		[]string{"Draft the training plan", "Alice Moreau", "2026-12-01"},
		[]string{"Confirm the interface test window", "Bob Okafor", "2026-12-04"},
	))
	forwarded := []byte("From: Priya Shah <priya@clinic.example>\nSubject: Minutes: EHR weekly\nDate: Tue, 24 Nov 2026 16:00:00 -0500\n" +
		"Content-Type: text/plain; charset=utf-8\n\nACTION: Carol to order badge readers by 2026-11-27\nACTION: Bob to book the rooms by 2026-12-02\n")
	tests := []struct {
		name, partHeader string
		part             []byte
		b64              bool
		want             []string
	}{
		{"word", "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\nContent-Disposition: attachment; filename=\"minutes.docx\"\n",
			word, true, []string{"Draft the training plan", "Confirm the interface test window"}},
		{"forwarded", "Content-Type: message/rfc822\nContent-Disposition: attachment\n", forwarded, false,
			[]string{"order badge readers", "book the rooms"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			body, headers := multipart("Here are the notes from today.", tc.partHeader, tc.part, tc.b64)
			res := h.deliver(msg{from: chair, subject: "Fwd: notes", body: body, headers: headers, signed: true})
			if res.Kind != "minutes" || res.Outcome != store.OutcomeProcessed {
				t.Fatalf("%+v", res)
			}
			items, err := h.st.Items(context.Background(), store.ItemFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.Join(got, "\n"), w) {
					t.Errorf("items %q lack %q", got, w)
				}
			}
		})
	}
}

// A Word file that cannot be read is named in the sender's copy.
func TestUnreadableWordFileIsAProblem(t *testing.T) {
	h := newHarness(t)
	mime, headers := multipart("ACTION: Alice to send the plan by 2026-12-01\n", "Content-Type: application/msword\nContent-Disposition: attachment; filename=\"old.doc\"\n",
		docxtest.OLE("WordDocument"), true)
	res := h.deliver(msg{from: chair, subject: "Minutes: weekly", body: mime, headers: headers, signed: true})
	if res.Outcome != store.OutcomeProcessed {
		t.Fatalf("%+v", res)
	}
	text := flat(body(t, mailTo(t, h.outbox(), "minutes", chair.email)))
	if !strings.Contains(text, `"old.doc" not read`) || !strings.Contains(text, "docx") {
		t.Errorf("sender's copy does not name the unreadable file:\n%s", text)
	}
}
