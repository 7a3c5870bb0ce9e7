package minutes

import (
	"testing"

	"mailflow/mailflow/mailtext"
)

// TestReportedFutures: promises told in reported speech, and plans in the
// going-to future, are the named person's items; someone else's promise
// reported by them, or a plan of "we", is not. The meeting is on Tuesday
// 24 November 2026; the roster is the clinic's.
func TestReportedFutures(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:  "said she'd, before an event",
			body:  "Scanners\nCarol said she'd check the barcode scanners with the supplier before the rehearsal.\n",
			items: []item{{text: "check the barcode scanners with the supplier before the rehearsal", owner: carol}},
		},
		{
			name:  "said he would, by a day",
			body:  "Binder\nDan said he would update the downtime binder by Friday.\n",
			items: []item{{text: "update the downtime binder", owner: dan, due: "2026-11-27"}},
		},
		{
			name:  "mentioned that she will",
			body:  "Rooms\nAlice mentioned that she will book the training rooms tomorrow.\n",
			items: []item{{text: "book the training rooms", owner: alice, due: "2026-11-25"}},
		},
		{
			name:  "confirmed she is going to",
			body:  "Printers\nCarol confirmed she is going to replace the toner on ward 3.\n",
			items: []item{{text: "replace the toner on ward 3", owner: carol}},
		},
		{
			name:  "going to, after so, on a day",
			body:  "Lab feed\nNobody owns the lab feed yet, so Bob is going to raise it with the CIO on Thursday.\n",
			items: []item{{text: "raise it with the CIO", owner: bob, due: "2026-11-26"}},
		},
		{
			name:  "will, after but",
			body:  "The interface is late, but Dan will chase the vendor on Monday.\n",
			items: []item{{text: "chase the vendor", owner: dan, due: "2026-11-30"}},
		},
		{
			name:  "offered to … and will …",
			body:  "FAQ\nAlice offered to draft the FAQ and will share it by Monday.\n",
			items: []item{{text: "draft the FAQ and will share it", owner: alice, due: "2026-11-30"}},
		},
		{
			name:  "will be sending",
			body:  "Rota\nBob will be sending the night rota on Dec 3.\n",
			items: []item{{text: "sending the night rota", owner: bob, due: "2026-12-03"}},
		},
		{
			name: "someone else's promise, reported",
			body: "Vendor\nBob said the vendor will replace the printers by Friday.\n" +
				"Carol said that the interface team would look at it.\n",
			problems: []string{"no action items found"},
		},
		{
			name: "what was said is no promise",
			body: "Review\nAlice said she would probably join. Dan said he'd already sent the file. " +
				"Carol said it would be fine. Bob said he was happy with it.\n",
			problems: []string{"no action items found"},
		},
		{
			name:     "we are going to, with nobody named",
			body:     "Migration\nWe are going to migrate the lab feed over the weekend.\n",
			problems: []string{"reads like an action but names no owner", "no action items found"},
		},
	})
}

// TestPassiveAgents: "the runbook will be written by Priya" is Priya's
// item; a passive future without a person doing it is nobody's, and
// "by Friday" or "by the vendor" names no owner.
func TestPassiveAgents(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:  "will be written by a person",
			body:  "Cutover\nThe runbook will be written by Priya.\n",
			items: []item{{text: "The runbook will be written", owner: priya}},
		},
		{
			name:  "by a person, by a day",
			body:  "Cutover\nThe downtime packs will be printed by Carol Nguyen by Friday.\n",
			items: []item{{text: "The downtime packs will be printed", owner: carol, due: "2026-11-27"}},
		},
		{
			name:  "is to be done by",
			body:  "Cutover\nThe smoke test is to be run by Dan on Dec 5.\n",
			items: []item{{text: "The smoke test is to be run", owner: dan, due: "2026-12-05"}},
		},
		{
			name:  "reported, the clause after said",
			body:  "Training\nAlice said the night training will be run by Carol.\n",
			items: []item{{text: "the night training will be run", owner: carol}},
		},
		{
			name: "no person does it",
			body: "Reviews\nBob, Carol and Dan will be added as reviewers. The badges will be delivered by the vendor by Friday.\n" +
				"The printers will be replaced by Monday. The plan was reviewed by Alice.\n" +
				"The call will be held by video, hosted by Dan Weber and Carol Nguyen:\n",
			problems: []string{"no action items found"},
		},
	})
}

// TestRestatedDecisions: a decision stated twice in other words — a
// recap's summary and its details, a decisions list and the discussion —
// is one decision, the fuller wording; decisions that differ in a word
// that matters, or a number, stay two.
func TestRestatedDecisions(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:    "recap summary and details",
			subject: "Meeting summary: EHR training weekly",
			body: "Quick recap\nThe group went through the ward rollout and agreed to move the pharmacy go-live to the second wave.\n\n" +
				"Next steps\n- Alice will tell the pharmacy leads by Friday.\n\n" +
				"Summary\nPharmacy\nThe pharmacy interface is not ready. The group agreed that pharmacy should be moved to the second wave.\n",
			items:     []item{{text: "tell the pharmacy leads", owner: alice, due: "2026-11-27"}},
			decisions: []string{"The group went through the ward rollout and agreed to move the pharmacy go-live to the second wave"},
		},
		{
			name: "a decisions list and the discussion",
			body: "Discussion\nAfter a long debate the team decided that night shift super-users will be paid overtime.\n\n" +
				"Decisions\n- Night shift super-users paid overtime\n\nACTION: Bob to tell payroll\n",
			items:     []item{{text: "tell payroll", owner: bob}},
			decisions: []string{"After a long debate the team decided that night shift super-users will be paid overtime"},
		},
		{
			name: "two decisions alike in wording",
			body: "Decisions\n- Pharmacy module moves to phase 2\n- Radiology module moves to phase 2\n" +
				"- Go-live for outpatients stays on 1 February 2027\n- Go-live for outpatients stays on 1 March 2027\n" +
				"- Minutes approved by general consent\n- Budget report approved by general consent\n\nACTION: Bob to tell payroll\n",
			items: []item{{text: "tell payroll", owner: bob}},
			decisions: []string{"Pharmacy module moves to phase 2", "Radiology module moves to phase 2",
				"Go-live for outpatients stays on 1 February 2027", "Go-live for outpatients stays on 1 March 2027",
				"Minutes approved by general consent", "Budget report approved by general consent"},
		},
	})
}

// TestActionsTaken: "took an action to", "has the action to" and "'s
// going to" give the named person the task.
func TestActionsTaken(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:  "took an action to",
			body:  "UPS\nBob took an action to check the UPS batteries by Friday.\n",
			items: []item{{text: "check the UPS batteries", owner: bob, due: "2026-11-27"}},
		},
		{
			name:  "has the action item to",
			body:  "Vendor\nCarol has the action item to chase the vendor.\n",
			items: []item{{text: "chase the vendor", owner: carol}},
		},
		{
			name:     "'s going to",
			body:     "Printers\nThe printers still fail; Dan's going to look at it with the supplier next week.\n",
			items:    []item{{text: "look at it with the supplier", owner: dan}},
			problems: []string{`due "next week" is not a day`},
		},
		{
			name:     "what is going on is no task",
			body:     "Printers\nDan's going to be busy. The vendor's going to send a patch. Bob has an action plan.\n",
			problems: []string{"no action items found"},
		},
	})
}

// TestSendersPromise: "I'll …" in the note the sender wrote is the
// sender's item; under a heading of minutes, or in a message forwarded,
// "I" is nobody mailflow can name.
func TestSendersPromise(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "the sender's own note",
			body: "Hi all,\n\nQuick notes from today.\n\n* I'll send the updated risk log by Monday.\n* Bob will check the scanners.\n\nThanks,\nPriya\n",
			items: []item{
				{text: "send the updated risk log", owner: priya, due: "2026-11-30"},
				{text: "check the scanners", owner: bob},
			},
		},
		{
			name:  "under a heading, I is not the sender",
			body:  "Round table:\n- I will raise this with the board.\n- Bob to check the scanners.\n",
			items: []item{{text: "check the scanners", owner: bob}},
		},
		{
			name: "in a forwarded message, I is not the sender",
			body: "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Zoom <no-reply@zoom.us>\nSubject: Meeting summary\n\n" +
				"I'll send the slides later.\nBob will check the scanners.\n",
			items: []item{{text: "check the scanners", owner: bob}},
		},
	})
}

// TestActionLabelsWithOwners: labels that name the owner in words.
func TestActionLabelsWithOwners(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "Action for / on Name:",
			body: "Action for Bob: update the rota by Friday\nActions on Carol: chase the vendor\n",
			items: []item{
				{text: "update the rota", owner: bob, due: "2026-11-27"},
				{text: "chase the vendor", owner: carol},
			},
		},
		{
			name:  "ACTION on Name to …",
			body:  "Servers\nACTION on Dan to confirm the print servers by Tuesday\n",
			items: []item{{text: "confirm the print servers", owner: dan, due: "2026-12-01"}},
		},
		{
			name:  "Name's action:",
			body:  "Alice's action: review the downtime packs\n",
			items: []item{{text: "review the downtime packs", owner: alice}},
		},
		{
			name:     "action on its own is no label",
			body:     "Action on the printers stalled because nobody owns them.\n",
			problems: []string{"no action items found"},
		},
	})
}

// TestArrows: an arrow from a person to a task assigns it; an arrow as a
// bullet is a bullet.
func TestArrows(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "Name -> task, → Name to task",
			body: "Interfaces\nBob -> update the interface spec by Friday\n→ Carol to order more scanners\nDan → chase the vendor\n",
			items: []item{
				{text: "update the interface spec", owner: bob, due: "2026-11-27"},
				{text: "order more scanners", owner: carol},
				{text: "chase the vendor", owner: dan},
			},
		},
		{
			name:     "an arrow between things",
			body:     "Interfaces\nADT -> lab feed mapping is done. Lab results -> EHR is still failing.\n",
			problems: []string{"no action items found"},
		},
	})
}

// TestMoreLabels: owners and dates written into the label, and decisions
// labelled or worded as people write them.
func TestMoreLabels(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "AI - Name:, AP Name:, Action (Name, date):",
			body: "AI - Bob: send the samples to the vendor\nAP Carol: check the OBX segments\n" +
				"Action (Dan, 30/11): re-send the failing messages\nAction: Alice — circulate the criteria — due 3 Dec\n",
			items: []item{
				{text: "send the samples to the vendor", owner: bob},
				{text: "check the OBX segments", owner: carol},
				{text: "re-send the failing messages", owner: dan, due: "2026-11-30"},
				{text: "circulate the criteria", owner: alice, due: "2026-12-03"},
			},
		},
		{
			name: "decisions as people word them",
			body: "Agreement reached: radiology goes live a week after lab.\nThe steering group signed off the training plan.\n" +
				"After discussion, option B was chosen.\nThe vendor signed the contract. The PMC has chosen to recommend Bob.\n" +
				"WHEREAS, the vendor decided to withdraw support.\n\nACTION: Bob to tell the wards\n",
			items: []item{{text: "tell the wards", owner: bob}},
			decisions: []string{"radiology goes live a week after lab", "The steering group signed off the training plan",
				"After discussion, option B was chosen"},
		},
	})
}

// TestItemsUnderNames: recaps that list each person's items under their
// name, bold or plain, with the recording's timestamps after them.
func TestItemsUnderNames(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "bold names, timestamps",
			body: "Action Items\n**Alice Moreau**\nAdd two evening sessions to the training calendar by Friday (12:34)\n" +
				"**Bob Okafor**\nEmail the ward managers about attendance (25:02)\n\nOutline\nTraining (05:12)\n",
			items: []item{
				{text: "Add two evening sessions to the training calendar", owner: alice, due: "2026-11-27"},
				{text: "Email the ward managers about attendance", owner: bob},
			},
		},
		{
			name: "plain names over bullets",
			body: "Action items\nCarol Nguyen\n- Add two evening sessions\n- Tell the super-users\nDan Weber\n- Email the ward managers\n- Bob to book the room\n",
			items: []item{
				{text: "Add two evening sessions", owner: carol},
				{text: "Tell the super-users", owner: carol},
				{text: "Email the ward managers", owner: dan},
				{text: "book the room", owner: bob},
			},
		},
	})
}

// TestMarkdownNotes: the forms of community-call notes on GitHub.
func TestMarkdownNotes(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "handles with will, markers in bold, a meeting to bring it to",
			body: "### Release\n* **Action item**: @bob will update the docs\n- **AI(@alice)**: review PR 123\n" +
				"ACTION: Carol to bring a recovery plan to the next meeting\n\nNext meeting: Tuesday 1 December\n",
			items: []item{
				{text: "update the docs", owner: bob},
				{text: "review PR 123", owner: alice},
				{text: "bring a recovery plan", owner: carol, due: "2026-12-01"},
			},
		},
	})
}

// TestRequestsAndPairs: two people given tasks in one sentence, requests
// put as questions, "will need to", "will be responsible for", and a
// first name after an imperative that the minutes use elsewhere.
func TestRequestsAndPairs(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "two assignments joined by and",
			body: "Run sheet\nBob to send the run sheet and Carol to check it by Friday.\n",
			items: []item{
				{text: "send the run sheet", owner: bob},
				{text: "check it", owner: carol, due: "2026-11-27"},
			},
		},
		{
			name: "requests by name",
			body: "Printers\nCan Dan please book the security cover? Please can Alice confirm the printers.\n",
			items: []item{
				{text: "book the security cover", owner: dan},
				{text: "confirm the printers", owner: alice},
			},
		},
		{
			name: "will need to, will be responsible for",
			body: "Cover\nBob will need to book the overnight cover by Monday. Carol will be responsible for the comms plan.\n" +
				"We will need to think about it.\n",
			items: []item{
				{text: "book the overnight cover", owner: bob, due: "2026-11-30"},
				{text: "be responsible for the comms plan", owner: carol},
			},
		},
	})
}

// TestFirstNameAfterTask: without a roster, a first name after an
// imperative is its owner when the minutes name that person elsewhere too.
func TestFirstNameAfterTask(t *testing.T) {
	for _, c := range []struct {
		body, owner string
	}{
		{"Marcus joined late. Marcus has the keys.\nBook the command centre by Friday - Marcus.\n", "Marcus"},
		{"Book the command centre by Friday - Urgent.\n", ""},
	} {
		msg := &mailtext.Message{Subject: "Minutes: cutover", Date: meetingDay, Text: c.body}
		m := Parse(msg, Options{Location: paris})
		owner := ""
		if len(m.ActionItems) == 1 {
			owner = m.ActionItems[0].Owner
		}
		if owner != c.owner || c.owner != "" && (len(m.ActionItems) != 1 || m.ActionItems[0].Due.String() != "2026-11-27") {
			t.Errorf("Parse(%q) = %s, want owner %q due 2026-11-27", c.body, dump(m), c.owner)
		}
	}
}
