package intake_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
	"mailflow/templates"
)

// heavyRoster is the heavy benchmark's project: a chair and fifteen
// members, each with a first name of their own (the minutes name owners
// by first name).
var heavyRoster = []config.Member{
	{Name: "Priya Shah", Email: "priya@" + domain, Role: "chair"},
	{Name: "Alice Moreau", Email: "alice@" + domain},
	{Name: "Bob Okafor", Email: "bob@" + domain},
	{Name: "Carol Nguyen", Email: "carol@" + domain},
	{Name: "Dan Weber", Email: "dan@" + domain},
	{Name: "Erin Fox", Email: "erin@" + domain},
	{Name: "Farid Haddad", Email: "farid@" + domain},
	{Name: "Grace Lindqvist", Email: "grace@" + domain},
	{Name: "Hugo Martins", Email: "hugo@" + domain},
	{Name: "Ines Duarte", Email: "ines@" + domain},
	{Name: "Jonas Berg", Email: "jonas@" + domain},
	{Name: "Kemi Adeyemi", Email: "kemi@" + domain},
	{Name: "Liam Walsh", Email: "liam@" + domain},
	{Name: "Maya Cohen", Email: "maya@" + domain},
	{Name: "Nils Petersen", Email: "nils@" + domain},
	{Name: "Olga Ivanova", Email: "olga@" + domain},
}

// heavyItems is the number of action items in each of heavyCorpus's
// minutes; each goes to another member, in turn.
const heavyItems = 8

// heavyCorpus makes n messages of a busy project's mailbox: three in four
// are a meeting's minutes (eight action items, two risks, two decisions,
// notes) that go to all sixteen people of heavyRoster, the rest replies
// from the owners of the last meeting's items. So most of the work is
// rendering mail: ~12 mails for each message. The same n gives the same
// messages.
func heavyCorpus(n int) [][]byte {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	base := time.Date(2025, 1, 6, 16, 0, 0, 0, time.FixedZone("EST", -5*3600))
	chair := heavyRoster[0]
	var out [][]byte
	meetings := 0
	for i := range n {
		var b strings.Builder
		if i%4 != 3 {
			m := meetings
			meetings++
			day := base.AddDate(0, 0, m)
			var cc, present, regrets []string
			for j, p := range heavyRoster {
				if j > 0 {
					cc = append(cc, fmt.Sprintf("%s <%s>", p.Name, p.Email))
				}
				if j > 0 && (j+m)%7 == 0 {
					regrets = append(regrets, p.Name)
				} else {
					present = append(present, p.Name)
				}
			}
			fmt.Fprintf(&b, "From: %s <%s>\r\nTo: EHR Rollout <ehr@%s>\r\nCc: %s\r\n"+
				"Subject: Minutes: EHR rollout meeting %s\r\nDate: %s\r\nMessage-ID: <minutes-%d@%[3]s>\r\n"+
				"Authentication-Results: %[8]s; dkim=pass header.d=%[3]s header.s=s1; spf=pass smtp.mailfrom=%[2]s\r\n"+
				"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
				chair.Name, chair.Email, domain, strings.Join(cc, ",\r\n "), day.Format("2 Jan 2006"),
				day.Add(40*time.Minute).Format(time.RFC1123Z), m, authservID)
			fmt.Fprintf(&b, "EHR rollout — project meeting %s\r\nAttendees: %s\r\nRegrets: %s\r\n\r\n",
				day.Format("2006-01-02"), strings.Join(present, ", "), strings.Join(regrets, ", "))
			b.WriteString("Summary\r\nBuild 7.2 of the pharmacy interface is in test; ward hardware is on track\r\n" +
				"apart from the badge readers. Training rooms are booked for January, and the\r\n" +
				"vendor confirmed the interface build for the week of the 7th.\r\n\r\n")
			fmt.Fprintf(&b, "DECISION: Super-user training uses the vendor sandbox, never production.\r\n")
			fmt.Fprintf(&b, "DECISION: Downtime forms for wave %d are printed by the wards themselves.\r\n\r\n", m+1)
			due := day.AddDate(0, 0, 7).Format("2006-01-02")
			for k := range heavyItems {
				owner := heavyOwner(m, k)
				fmt.Fprintf(&b, "ACTION: %s to %s %d by %s\r\n", strings.Fields(owner.Name)[0], heavyTasks[k], m+1, due)
			}
			fmt.Fprintf(&b, "\r\nRISK: interface vendor late on drop %d (likelihood high, impact high) mitigation: weekly vendor call; owner %s\r\n",
				m+1, strings.Fields(heavyOwner(m, 0).Name)[0])
			fmt.Fprintf(&b, "RISK: night cover for super-users thin in wave %d (likelihood medium, impact high) mitigation: backfill rota; owner %s\r\n\r\n",
				m+1, strings.Fields(heavyOwner(m, 1).Name)[0])
			fmt.Fprintf(&b, "Next meeting: %s, 16:00, boardroom 2\r\n\r\nPriya\r\n", day.AddDate(0, 0, 7).Format("Mon 2 Jan 2006"))
			out = append(out, []byte(b.String()))
			continue
		}
		// A reply from the owner of one of the last meeting's items.
		m := max(meetings-1, 0)
		k := rng.IntN(heavyItems)
		ref := fmt.Sprintf("A-%d", heavyItems*m+k+1)
		owner := heavyOwner(m, k)
		day := base.AddDate(0, 0, m).Add(time.Duration(1+i%10) * 10 * time.Minute)
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
		fmt.Fprintf(&b, "From: %s <%s>\r\nTo: EHR Rollout <ehr@%s>\r\nSubject: Re: Minutes: EHR rollout meeting %s\r\nDate: %s\r\n"+
			"Message-ID: <reply-%d@%[3]s>\r\nIn-Reply-To: <minutes-%[7]d@%[3]s>\r\nReferences: <minutes-%[7]d@%[3]s>\r\n"+
			"Authentication-Results: %[8]s; dkim=pass header.d=%[3]s header.s=s1\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\nThanks,\r\n%s\r\n",
			owner.Name, owner.Email, domain, base.AddDate(0, 0, m).Format("2 Jan 2006"), day.Format(time.RFC1123Z), i, m, authservID,
			cmd, strings.Fields(owner.Name)[0])
		out = append(out, []byte(b.String()))
	}
	return out
}

// heavyTasks are the action items of heavyCorpus's minutes.
var heavyTasks = [heavyItems]string{
	"draft training plan part", "confirm interface test window", "order badge readers batch",
	"update the downtime binder for wave", "book super-user rooms for wave", "review order sets for wave",
	"test label printers for wave", "brief ward managers on wave",
}

// heavyOwner is the owner of item k of meeting m: the members other than
// the chair in turn.
func heavyOwner(m, k int) config.Member {
	return heavyRoster[1+(m*heavyItems+k)%(len(heavyRoster)-1)]
}

// newBenchEnv is newEnv for a benchmark child: the project's roster is
// roster, nothing is logged, and the store is database (store.Open's
// target: a PostgreSQL URL), or an SQLite file when database is "".
func newBenchEnv(t *testing.T, imapCfg config.IMAP, mailbox string, roster []config.Member, database string) *env {
	t.Helper()
	imapCfg.SetDefaults()
	cfg := &config.Config{
		Database: benchDatabase(t.TempDir(), database),
		IMAP:     imapCfg,
		SMTP:     config.SMTP{Endpoint: config.Endpoint{Address: "127.0.0.1:25", Security: "insecure"}, From: "mailflow@" + domain},
		Security: config.Security{ReplyKey: []byte("0123456789abcdef0123456789abcdef"), TrustedAuthservID: authservID},
		Projects: []config.Project{{
			Name: "EHR Rollout", Address: "ehr@" + domain, Mailbox: mailbox, Timezone: "America/New_York",
			Leadership: []string{"cmo@" + domain}, Members: roster,
		}},
	}
	if err := cfg.Finish(func(string) string { return "" }); err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database.Target())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, cfg.Projects[0].Location)
	eng, err := engine.New(ctx, engine.Options{Store: st, Config: cfg, Templates: templates.MustDefault(),
		Now: func() time.Time { return now }, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, cfg: cfg, st: st, eng: eng, log: log}
}

// TestHeavyCorpus hands the start of the heavy corpus to the engine and
// checks that it is the work BenchmarkIngestHeavy means to measure: every
// message processed, each minutes mailed to all sixteen people with its
// eight items recorded, and each reply answered.
func TestHeavyCorpus(t *testing.T) {
	const n = 16 // twelve minutes, four replies
	e := newBenchEnv(t, config.IMAP{Endpoint: config.Endpoint{Address: "127.0.0.1:143", Security: "insecure", Username: "u", Password: "p"}},
		"INBOX", heavyRoster, "")
	var batch []engine.Delivery
	for i, raw := range heavyCorpus(n) {
		batch = append(batch, engine.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(i + 1), Raw: raw})
	}
	res, err := e.eng.HandleBatch(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Outcome != store.OutcomeProcessed {
			t.Errorf("message %d: %s (%s), want processed", i, r.Outcome, r.Reason)
		}
	}
	if got, want := e.items(), 12*heavyItems; got != want {
		t.Errorf("%d items recorded, want %d", got, want)
	}
	counts, err := e.st.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mails := 0
	for _, c := range counts {
		mails += c
	}
	if want := 12*len(heavyRoster) + 4; mails != want {
		t.Errorf("%d mails queued (%v), want %d: twelve minutes to %d people and four answers", mails, counts, want, len(heavyRoster))
	}
}
