package docx

import (
	"testing"

	dt "mailflow/mailflow/docx/docxtest"
)

// read builds a .docx around body and reads it, failing on an error.
func read(t *testing.T, build func(string) []byte, body string) string {
	t.Helper()
	got, err := Read(build(body))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return got
}

// TestReadConstructs reads each construct Word minutes are made of.
func TestReadConstructs(t *testing.T) {
	for _, c := range []struct {
		name string
		bare bool // no styles.xml or numbering.xml
		body string
		want string
	}{
		{
			name: "paragraphs with blank lines between them",
			body: dt.Para("Present: Alice, Bob") + `<w:p/>` + dt.Para("  Next meeting: 12 Dec  "),
			want: "Present: Alice, Bob\n\nNext meeting: 12 Dec\n",
		},
		{
			name: "runs of one paragraph join",
			body: `<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Alice</w:t></w:r><w:proofErr w:type="spellStart"/>` +
				`<w:r><w:t xml:space="preserve"> to send the </w:t></w:r><w:bookmarkStart w:id="0" w:name="x"/><w:r><w:t>plan</w:t></w:r></w:p>`,
			want: "Alice to send the plan\n",
		},
		{
			name: "headings by style, title and outline level",
			body: dt.Styled("Title", "EHR steering group") + dt.Heading(1, "Action items") + dt.Heading(2, "Open") +
				dt.Styled("berschrift4", "Vierte") + dt.Styled("MeetingHeading", "Inherited") +
				`<w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr>` + dt.Run("Direct outline") + `</w:p>` + dt.Para("body"),
			want: "# EHR steering group\n\n# Action items\n\n## Open\n\n#### Vierte\n\n## Inherited\n\n### Direct outline\n\nbody\n",
		},
		{
			name: "headings without a style sheet",
			bare: true,
			body: dt.Styled("Title", "Minutes") + dt.Heading(2, "Decisions") + dt.Styled("berschrift4", "unknown id") + dt.Para("x"),
			want: "# Minutes\n\n## Decisions\n\nunknown id\n\nx\n",
		},
		{
			name: "heading with a line break reads as one line",
			body: `<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>` + dt.Run("Action") + `<w:r><w:br/></w:r>` + dt.Run("items") + `</w:p>`,
			want: "# Action items\n",
		},
		{
			name: "bullet and numbered lists",
			body: dt.Heading(1, "Action items") + dt.Bullet("Alice to send the plan") + dt.ListItem(1, 1, "with the budget") + dt.Bullet("Bob to book rooms") +
				dt.Para("Decisions") + dt.Numbered("Go live in March") + dt.Numbered("Train super-users") + dt.ListItem(2, 1, "ward 3 first") +
				dt.ListItem(2, 1, "then ward 4") + dt.Numbered("Review in April") + dt.ListItem(3, 0, "restarted"),
			want: "# Action items\n\n- Alice to send the plan\n  - with the budget\n- Bob to book rooms\n\nDecisions\n\n" +
				"1. Go live in March\n2. Train super-users\n  a. ward 3 first\n  b. then ward 4\n3. Review in April\n1. restarted\n",
		},
		{
			name: "lists without numbering.xml are bullets",
			bare: true,
			body: dt.Numbered("one") + dt.Numbered("two"),
			want: "- one\n- two\n",
		},
		{
			name: "list from the paragraph style, and numId 0 removes it",
			body: dt.Styled("ListBullet", "styled item") +
				`<w:p><w:pPr><w:pStyle w:val="ListBullet"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr>` + dt.Run("not an item") + `</w:p>`,
			want: "- styled item\n\nnot an item\n",
		},
		{
			name: "list item with a line break continues under its marker",
			body: `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr>` + dt.Run("Alice:") + `<w:r><w:br/></w:r>` +
				dt.Run("send the plan") + `</w:p>`,
			want: "1. Alice:\n   send the plan\n",
		},
		{
			name: "action-log table becomes a pipe table with the first row as header",
			body: dt.Heading(1, "Action log") + dt.Table([]string{"Action", "Owner", "Due"}, []string{"Send the plan", "Alice", "Fri 12 Dec"},
				[]string{"Book rooms", "Bob", "15/12"}) + dt.Para("Next meeting: January"),
			want: "# Action log\n\n| Action | Owner | Due |\n| --- | --- | --- |\n| Send the plan | Alice | Fri 12 Dec |\n| Book rooms | Bob | 15/12 |\n\nNext meeting: January\n",
		},
		{
			name: "cell paragraphs join with semicolons, breaks with spaces, pipes become slashes",
			body: `<w:tbl><w:tr><w:tc>` + dt.Para("Action") + `</w:tc><w:tc>` + dt.Para("Owner") + `</w:tc></w:tr><w:tr><w:tc>` +
				`<w:p>` + dt.Run("Check the a|b") + `<w:r><w:br/></w:r>` + dt.Run("interface") + `</w:p>` + dt.Bullet("Note:") + dt.Bullet("twice") +
				`</w:tc><w:tc>` + dt.Para("Alice") + dt.Para("Bob") + `</w:tc></w:tr></w:tbl>`,
			want: "| Action | Owner |\n| --- | --- |\n| Check the a/b interface; Note: twice | Alice; Bob |\n",
		},
		{
			name: "merged cells: column spans keep columns, vertical merges repeat the owner",
			body: `<w:tbl><w:tr><w:tc>` + dt.Para("Action") + `</w:tc><w:tc>` + dt.Para("Owner") + `</w:tc><w:tc>` + dt.Para("Due") + `</w:tc></w:tr>` +
				`<w:tr><w:tc>` + dt.Para("Go") + `</w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>` + dt.Para("Alice") + `</w:tc><w:tc>` + dt.Para("Mon") + `</w:tc></w:tr>` +
				`<w:tr><w:tc>` + dt.Para("Come") + `</w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc>` + dt.Para("Tue") + `</w:tc></w:tr>` +
				`<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>` + dt.Para("Spanning") + `</w:tc><w:tc>` + dt.Para("Wed") + `</w:tc></w:tr>` +
				`<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc>` + dt.Para("Carol") + `</w:tc><w:tc>` + dt.Para("Thu") + `</w:tc></w:tr></w:tbl>`,
			want: "| Action | Owner | Due |\n| --- | --- | --- |\n| Go | Alice | Mon |\n| Come | Alice | Tue |\n| Spanning |  | Wed |\n|  | Carol | Thu |\n",
		},
		{
			name: "empty rows dropped, short rows padded",
			body: `<w:tbl><w:tr><w:tc>` + dt.Para("Action") + `</w:tc><w:tc>` + dt.Para("Owner") + `</w:tc></w:tr>` +
				`<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr><w:tr><w:tc>` + dt.Para("Go") + `</w:tc></w:tr></w:tbl>`,
			want: "| Action | Owner |\n| --- | --- |\n| Go |  |\n",
		},
		{
			name: "a one-column table is a frame: its paragraphs come out as they are",
			body: `<w:tbl><w:tr><w:tc>` + dt.Heading(2, "Actions") + dt.Bullet("Alice to go") + dt.Bullet("Bob to come") + `</w:tc></w:tr></w:tbl>`,
			want: "## Actions\n\n- Alice to go\n- Bob to come\n",
		},
		{
			name: "a table nested in a frame stays a table; one nested in a cell is flattened",
			body: `<w:tbl><w:tr><w:tc>` + dt.Para("Actions:") + dt.Table([]string{"Action", "Owner"}, []string{"Go", "Alice"}) + `</w:tc></w:tr></w:tbl>` +
				`<w:tbl><w:tr><w:tc>` + dt.Para("Item") + `</w:tc><w:tc>` + dt.Para("Who") + `</w:tc></w:tr><w:tr><w:tc>` + dt.Para("Plan") + `</w:tc><w:tc>` +
				dt.Table([]string{"Alice", "lead"}, []string{"Bob", ""}) + `</w:tc></w:tr></w:tbl>`,
			want: "Actions:\n\n| Action | Owner |\n| --- | --- |\n| Go | Alice |\n\n| Item | Who |\n| --- | --- |\n| Plan | Alice, lead; Bob |\n",
		},
		{
			name: "content-control check boxes keep their glyphs",
			body: `<w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/><w14:checkedState w14:val="2612" w14:font="MS Gothic"/>` +
				`<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic"/></w:rPr>` +
				`<w:t>☒</w:t></w:r></w:sdtContent></w:sdt>` + dt.Run(" Alice to send the plan") + `</w:p>` +
				`<w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="0"/></w14:checkbox></w:sdtPr><w:sdtContent>` + dt.Run("☐") + `</w:sdtContent></w:sdt>` +
				dt.Run(" Bob to book rooms") + `</w:p>`,
			want: "☒ Alice to send the plan\n\n☐ Bob to book rooms\n",
		},
		{
			name: "symbol check boxes and legacy form check boxes",
			body: `<w:p><w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>` + dt.Run(" done") + `</w:p>` +
				`<w:p><w:r><w:sym w:font="Wingdings" w:char="F0A8"/></w:r>` + dt.Run(" open") + `</w:p>` +
				`<w:p><w:r><w:sym w:font="Symbol" w:char="F0B7"/></w:r>` + dt.Run("symbol bullet dropped") + `</w:p>` +
				`<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/>` +
				`<w:checked/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>` +
				`<w:r><w:fldChar w:fldCharType="end"/></w:r>` + dt.Run(" form box") + `</w:p>`,
			want: "☑ done\n\n☐ open\n\nsymbol bullet dropped\n\n☒ form box\n",
		},
		{
			name: "tabs and breaks are kept",
			body: `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="2000"/></w:tabs></w:pPr>` + dt.Run("Action") + `<w:r><w:tab/></w:r>` + dt.Run("Owner") +
				`<w:r><w:tab/><w:t>Due</w:t><w:br/><w:t>Go</w:t><w:tab/><w:t>Alice</w:t><w:tab/><w:t>Friday</w:t></w:r></w:p>`,
			want: "Action\tOwner\tDue\nGo\tAlice\tFriday\n",
		},
		{
			name: "hyperlink text kept",
			body: `<w:p>` + dt.Run("See ") + `<w:hyperlink r:id="rId5" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>` +
				`<w:t>the runbook</w:t></w:r></w:hyperlink>` + dt.Run(".") + `</w:p>`,
			want: "See the runbook.\n",
		},
		{
			name: "tracked changes: insertions kept, deletions and moved-away text dropped",
			body: `<w:p>` + dt.Run("Alice to send the ") + `<w:del w:id="1" w:author="Bob"><w:r><w:delText>draft</w:delText></w:r></w:del>` +
				`<w:ins w:id="2" w:author="Bob"><w:r><w:t>final</w:t></w:r></w:ins>` + dt.Run(" plan") +
				`<w:moveFrom w:id="3"><w:r><w:t> moved</w:t></w:r></w:moveFrom></w:p>` +
				`<w:p><w:pPr><w:rPr><w:del w:id="4" w:author="Bob"/></w:rPr><w:pPrChange w:id="5"><w:pPr><w:pStyle w:val="Heading1"/></w:pPr></w:pPrChange></w:pPr>` +
				dt.Run("old heading is now body") + `</w:p>` +
				`<w:p><w:del w:id="6"><w:r><w:delText>all gone</w:delText></w:r></w:del></w:p>`,
			want: "Alice to send the final plan\n\nold heading is now body\n",
		},
		{
			name: "a deleted table row is dropped",
			body: `<w:tbl><w:tr><w:tc>` + dt.Para("Action") + `</w:tc><w:tc>` + dt.Para("Owner") + `</w:tc></w:tr>` +
				`<w:tr><w:trPr><w:del w:id="1" w:author="x"/></w:trPr><w:tc>` + dt.Para("Old") + `</w:tc><w:tc>` + dt.Para("Alice") + `</w:tc></w:tr>` +
				`<w:tr><w:tc>` + dt.Para("New") + `</w:tc><w:tc>` + dt.Para("Bob") + `</w:tc></w:tr></w:tbl>`,
			want: "| Action | Owner |\n| --- | --- |\n| New | Bob |\n",
		},
		{
			name: "fields show their result, not their instructions",
			body: `<w:p>` + dt.Run("Due ") + `<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE \@ "d MMMM yyyy" </w:instrText></w:r>` +
				`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>12 December 2026</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>` +
				`<w:p><w:fldSimple w:instr=" AUTHOR "><w:r><w:t>Alice Moreau</w:t></w:r></w:fldSimple></w:p>` +
				`<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>HYPERLINK "https://x.example"</w:instrText></w:r>` +
				`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>the tracker</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>`,
			want: "Due 12 December 2026\n\nAlice Moreau\n\nthe tracker\n",
		},
		{
			name: "hidden text, placeholders and struck-through text",
			body: `<w:p>` + dt.Run("shown") + `<w:r><w:rPr><w:vanish/></w:rPr><w:t> hidden</w:t></w:r><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t> too</w:t></w:r></w:p>` +
				`<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>` + dt.Para("Click or tap here to enter text.") + `</w:sdtContent></w:sdt>` +
				`<w:p><w:r><w:rPr><w:strike/></w:rPr><w:t>Alice to send</w:t></w:r><w:r><w:rPr><w:strike/></w:rPr><w:t xml:space="preserve"> the plan</w:t></w:r>` +
				dt.Run(" (done)") + `</w:p>`,
			want: "shown too\n\n~~Alice to send the plan~~ (done)\n",
		},
		{
			name: "text boxes read once, not from the fallback copy",
			body: `<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx>` +
				`<w:txbxContent>` + dt.Para("Boxed note") + `</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>` +
				`<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>` + dt.Para("Boxed note") + `</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>` +
				`</mc:AlternateContent></w:r>` + dt.Run("Anchor paragraph") + `</w:p>`,
			want: "Boxed note\n\nAnchor paragraph\n",
		},
		{
			name: "no-break spaces, hyphens and equations",
			body: `<w:p>` + dt.Run("12\u00a0Dec") + `<w:r><w:noBreakHyphen/><w:t>ish</w:t><w:softHyphen/></w:r>` +
				`<m:oMath><m:r><m:t>x=1</m:t></m:r></m:oMath></w:p>`,
			want: "12 Dec-ishx=1\n",
		},
		{name: "an empty document", body: `<w:p/>`, want: ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			build := dt.Build
			if c.bare {
				build = dt.BuildBare
			}
			if got := read(t, build, c.body); got != c.want {
				t.Errorf("Read =\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}
