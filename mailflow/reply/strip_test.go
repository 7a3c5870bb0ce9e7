package reply

import (
	"strings"
	"testing"

	"mailflow/mailflow"
)

// stripCases are plain-text replies and the new text in them. They also
// seed FuzzReply.
var stripCases = []struct {
	name, in, want string
}{
	// Attributions, in the languages of the common clients.
	{"english", "Done.\n\nOn Tue, Mar 3, 2026 at 10:00 AM, Alice <alice@example.org> wrote:\n> A-12 due Dec 9\n", "Done."},
	{"english without a date", "close A-1\n\nOn Tue, Alice wrote:\n> quoted minutes\n", "close A-1"},
	{"german", "Erledigt.\n\nAm 03.03.2026 um 10:00 schrieb Alice Example <alice@example.org>:\n> A-12 due Dec 9\n", "Erledigt."},
	{"french", "OK pour moi.\n\nLe mar. 3 mars 2026 à 10:00, Alice <alice@example.org> a écrit :\n> texte\n", "OK pour moi."},
	{"spanish", "Hecho.\n\nEl mar, 3 mar 2026 a las 10:00, Alice (<alice@example.org>) escribió:\n> texto\n", "Hecho."},
	{"italian", "Fatto.\n\nIl giorno mar 3 mar 2026 alle ore 10:00 Alice <alice@example.org> ha scritto:\n> testo\n", "Fatto."},
	{"dutch", "Klaar.\n\nOp di 3 mrt 2026 om 10:00 schreef Alice <alice@example.org>:\n> tekst\n", "Klaar."},
	{"portuguese", "Feito.\n\nEm ter., 3 de mar. de 2026 às 10:00, Alice <alice@example.org> escreveu:\n> texto\n", "Feito."},
	{"swedish", "Klart.\n\nDen tis 3 mars 2026 kl 10:00 skrev Alice <alice@example.org>:\n> text\n", "Klart."},
	{"norwegian", "Ferdig.\n\ntir. 3. mar. 2026 kl. 10:00 skrev Alice <alice@example.org>:\n> tekst\n", "Ferdig."},
	{"polish gmail", "Zrobione.\n\nwt., 3 mar 2026 o 10:00 Alice <alice@example.org> napisał(a):\n> tekst\n", "Zrobione."},
	{"polish", "Zrobione.\n\nW dniu 3.03.2026 o 10:00, Alice <alice@example.org> pisze:\n> tekst\n", "Zrobione."},
	{"czech", "Hotovo.\n\nút 3. 3. 2026 v 10:00 odesílatel Alice <alice@example.org> napsal:\n> text\n", "Hotovo."},
	{"russian gmail", "Готово.\n\nвт, 3 мар. 2026 г. в 10:00, Alice <alice@example.org>:\n> текст\n", "Готово."},
	{"russian", "Готово.\n\n3 марта 2026 г., в 10:00, Alice написал(а):\n> текст\n", "Готово."},
	{"japanese", "完了しました。\n\n2026年3月3日(火) 10:00 Alice <alice@example.org>:\n> テキスト\n", "完了しました。"},
	{"chinese", "完成了。\n\nAlice <alice@example.org> 于2026年3月3日周二 10:00写道：\n> 文本\n", "完成了。"},

	// Attributions broken over lines, and quotes without ">".
	{"two-line attribution", "A-12 done\n\nOn Tue, Mar 3, 2026 at 10:00 AM, Alice Example\n<alice@example.org> wrote:\n\n> text\n", "A-12 done"},
	{"three-line attribution", "A-12 done\n\nOn Tue, Mar 3, 2026 at 10:00 AM, Alice Example\n<alice@example.org>\nwrote:\n> text\n", "A-12 done"},
	{"attribution without a quote under it", "A-12 done\n\nOn Tue, Mar 3, 2026 at 10:00 AM, Alice <alice@example.org> wrote:\n\nthe minutes, unquoted\n", "A-12 done"},
	{"german attribution without a quote", "A-12 done\nAm 03.03.2026 um 10:00 schrieb Alice <alice@example.org>:\nthe minutes\n", "A-12 done"},
	{"outlook original message", "A-12 done\n\n-----Original Message-----\nFrom: Alice\nSent: Tuesday\nSubject: Minutes\n\nA-13 due Dec 9\n", "A-12 done"},
	{"outlook header block", "A-12 done\n\nFrom: Alice Example <alice@example.org>\nSent: Tuesday, March 3, 2026 10:00 AM\nTo: Bob\nSubject: Minutes\n\nA-13 due Dec 9\n", "A-12 done"},
	{"outlook bold header block under a rule", "A-12 done\n\n________________________________\n*From:* Alice [mailto:alice@example.org]\n*Sent:* Tuesday\n*To:* Bob\n\nA-13 due Dec 9\n", "A-12 done"},
	{"german outlook", "A-12 done\n\nVon: Alice <alice@example.org>\nGesendet: Dienstag, 3. März 2026 10:00\nAn: Bob\nBetreff: Protokoll\n\nA-13 due Dec 9\n", "A-12 done"},
	{"french outlook", "A-12 done\n\nDe : Alice <alice@example.org>\nEnvoyé : mardi 3 mars 2026 10:00\nÀ : Bob\nObjet : Compte rendu\n", "A-12 done"},
	{"spanish original message", "A-12 done\n\n---------- Mensaje original ----------\nDe: Alice\nFecha: martes\n", "A-12 done"},
	{"unknown language separator above a header block", "A-12 done\n\n----- Původní e-mail -----\nFrom: Alice <alice@example.org>\nDate: 3 March 2026\n", "A-12 done"},
	{"gmail forward", "FYI, A-12 is done\n\n---------- Forwarded message ---------\nFrom: Alice <alice@example.org>\nDate: Tue, Mar 3, 2026\nSubject: Minutes\n\nA-13 due Dec 9\n", "FYI, A-12 is done"},
	{"apple forward", "A-12 done\n\nBegin forwarded message:\n\nFrom: Alice <alice@example.org>\nSubject: Minutes\n", "A-12 done"},

	// Replies written below and between quotes.
	{"bottom post", "On Tue, Mar 3, 2026 at 10:00 AM, Alice <alice@example.org> wrote:\n> A-12: draft the plan\n> A-13: book the room\n\nA-12 done\n", "A-12 done"},
	{"inline", "On Tue, Mar 3, 2026, Alice wrote:\n> A-12: draft the plan\nA-12 done\n> A-13: book the room\nA-13 due Dec 9\n", "A-12 done\nA-13 due Dec 9"},
	{"a reply that starts with On", "On second thought, A-12 is done.\n\nOn Tue, Mar 3, 2026, Alice wrote:\n> text\n", "On second thought, A-12 is done."},
	{"a sentence above a wrapped attribution", "On second thought, fine.\nOn Tue, Mar 3, 2026, Alice\n<alice@example.org> wrote:\n> text\n", "On second thought, fine."},
	{"a heading above a wrapped attribution", "On Monday we agreed:\nOn Tue 3 Mar, Alice\nwrote:\n> text\n", "On Monday we agreed:"},
	{"a line ending in a colon is not an attribution", "Here is my update:\nA-12 done\n", "Here is my update:\nA-12 done"},

	// Signatures.
	{"dash dash space", "A-12 done\n\n-- \nBob Example\nAcme\n", "A-12 done"},
	{"dash dash", "A-12 done\n--\nBob\n", "A-12 done"},
	{"dashes in a line", "A-12 done -- finally\n", "A-12 done -- finally"},
	{"iphone", "A-12 done\n\nSent from my iPhone\n", "A-12 done"},
	{"japanese iphone", "A-12 done\n\niPhoneから送信\n", "A-12 done"},
	{"german iphone", "A-12 done\n\nVon meinem iPhone gesendet\n", "A-12 done"},
	{"outlook mobile", "A-12 done\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n", "A-12 done"},
	{"sent from in a sentence", "A-12 done\n\nSent from my desk, which is easier than my phone.\n", "A-12 done\n\nSent from my desk, which is easier than my phone."},
	{"thanks and name", "A-12 done\n\nThanks,\nBob\n", "A-12 done"},
	{"regards and card", "A-12 done\n\nBest regards,\nBob Example\nProject lead, Acme Ltd\n+44 20 7946 0958\n", "A-12 done"},
	{"german sign-off", "A-12 erledigt\n\nViele Grüße\nBob\n", "A-12 erledigt"},
	{"contact card", "A-12 done\n\nBob Example\nbob@example.org\nhttps://example.org\n", "A-12 done"},
	{"lone name", "A-12 done\n\nBob\n", "A-12 done"},
	{"dash name", "A-12 done\n\n-Bob\n", "A-12 done"},
	{"mailing list footer", "A-12 done\n\n_______________________________________________\nteam mailing list\nteam@example.org\n", "A-12 done"},
	{"disclaimer", "A-12 done\n\nThis email and any attachments are confidential and intended solely for the addressee.\n", "A-12 done"},
	{"a long rule above a card", "A-12 done\n\n------------\nAcme Ltd\nt. 555-931-0702\n", "A-12 done"},
	{"a markdown rule is not a signature", "A-12 done\n\n---\nThe vendor will call on Monday.\n", "A-12 done\n\n---\nThe vendor will call on Monday."},
	{"links are not a card", "A-12 done\n\nSee https://example.org/a\nand https://example.org/b\n", "A-12 done\n\nSee https://example.org/a\nand https://example.org/b"},
	{"a rule with commands under it is not a signature", "Status below.\n\n---\nA-12 done\nA-13 due Dec 9\n", "Status below.\n\n---\nA-12 done\nA-13 due Dec 9"},
	{"a sign-off with commands under it is kept", "Thanks,\nA-12 done\n", "Thanks,\nA-12 done"},
	{"only a name", "Bob\n", "Bob"},

	// Line endings and blank lines.
	{"crlf", "A-12 done\r\n\r\nOn Tue, Mar 3, 2026, Alice wrote:\r\n> text\r\n", "A-12 done"},
	{"blank runs", "A-12 done\n\n\n\nA-13 done\n", "A-12 done\n\nA-13 done"},
	{"empty", "", ""},
}

func TestStrip(t *testing.T) {
	for _, tc := range stripCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Strip(tc.in); got != tc.want {
				t.Errorf("Strip(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStripQuotesKeepsSignature(t *testing.T) {
	in := "A-12 done\n\nSent from my iPhone\n\nOn Tue, Mar 3, 2026, Alice wrote:\n> text\n"
	if got, want := StripQuotes(in), "A-12 done\n\nSent from my iPhone"; got != want {
		t.Errorf("StripQuotes(%q) = %q, want %q", in, got, want)
	}
}

func TestStripFrom(t *testing.T) {
	tests := []struct {
		in   string
		from mailflow.Person
		want string
	}{
		{"A-12 done\n\nStavros Example\nvia mobile\n", mailflow.Person{Name: "Stavros Example"}, "A-12 done"},
		{"A-12 done, thanks.\nStavros\n", mailflow.Person{Name: "Stavros Example"}, "A-12 done, thanks."},
		{"A-12 done\n\nS. Example, PhD\nResearch lead\nstavros@example.org\n", mailflow.Person{Email: "stavros@example.org"}, "A-12 done"},
		// Without the sender, a name and a role with no contact line are
		// not recognised; with it they are.
		{"A-12 done\n\nStavros Example\nvia mobile\n", mailflow.Person{}, "A-12 done\n\nStavros Example\nvia mobile"},
	}
	for _, tc := range tests {
		if got := StripFrom(tc.in, tc.from); got != tc.want {
			t.Errorf("StripFrom(%q, %v) = %q, want %q", tc.in, tc.from, got, tc.want)
		}
	}
}

// TestStripKeepsCommands checks the promise the signature rules make: no
// line that reads as a command on a named item is ever taken for a
// signature or a footer.
func TestStripKeepsCommands(t *testing.T) {
	tails := []string{"Thanks,\n", "Bob Example\n", "----------\n", "__________\n", "Sent from my iPhone\n", "Best regards,\nBob\n"}
	for _, tail := range tails {
		in := "Update:\n\n" + tail + "A-12 done\n"
		if got := Strip(in); !strings.Contains(got, "A-12 done") {
			t.Errorf("Strip(%q) = %q, lost the command", in, got)
		}
	}
}

func TestStripLongInput(t *testing.T) {
	// A long quote with very long lines, and a long unbroken line of
	// text: both must come through quickly and intact.
	long := strings.Repeat("x", 1<<20)
	in := "A-12 done\n" + long + "\n\nOn Tue, Mar 3, 2026, Alice wrote:\n> " + strings.Repeat(">", 1<<20) + "\n"
	if got := Strip(in); got != "A-12 done\n"+long {
		t.Errorf("Strip(long) lost text: got %d bytes", len(got))
	}
}
