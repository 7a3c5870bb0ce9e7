package minutes

// Meeting assistants write a recap in two layers: an overview ("Quick
// recap", "Summary", "Overview") and the details under it ("Summary" with
// topics, "Details", "Outline"). A decision the overview states is stated
// again, at length, in the details; the details' version is kept.

// overviewHeadings open a recap's overview; detailHeadings its details.
var (
	overviewHeadings = map[string]bool{"quick recap": true, "overview": true, "summary": true}
	detailHeadings   = map[string]bool{"summary": true, "details": true, "outline": true, "meeting notes": true, "notes": true}
)

// dropOverviewRepeats removes the decisions of a recap's overview that its
// details cover.
func (p *parser) dropOverviewRepeats(entries []entry) {
	if len(p.out.Decisions) < 2 || len(p.out.Decisions) > maxRepeatDecisions {
		return // the comparison is quadratic; no recap has this many
	}
	start, end, details := -1, -1, -1
	for i := range entries {
		if !entries[i].heading {
			continue
		}
		name := normHeading(entries[i].text)
		switch {
		case start < 0 && overviewHeadings[name]:
			start = i
		case start >= 0 && end < 0:
			end = i
			if detailHeadings[name] {
				details = i
			}
		case start >= 0 && details < 0 && detailHeadings[name]:
			details = i
		}
	}
	if start < 0 || end < 0 || details < 0 {
		return
	}
	var later []string
	for i := details; i < len(entries); i++ {
		if e := &entries[i]; !e.heading && e.sec != secActions && e.table == nil {
			later = append(later, contentWords(e.text)...)
		}
	}
	from, to := entries[start].n, entries[end].n
	inOverview := func(d int) bool { return p.out.Decisions[d].Line >= from && p.out.Decisions[d].Line < to }
	words := make([][]string, len(p.out.Decisions))
	for i, d := range p.out.Decisions {
		words[i] = contentWords(d.Text)
	}
	// A detail that only repeats part of an overview decision ("… and that
	// lab staff will back-enter them") goes; the overview says more.
	drop := make([]bool, len(words))
	confirmed := make([]bool, len(words))
	for i := range words {
		for j := range words {
			if inOverview(i) && !inOverview(j) && covered(words[j], words[i], 8) {
				drop[j], confirmed[i] = true, true
			}
		}
	}
	// An overview decision the details tell at length goes.
	for i := range words {
		if inOverview(i) && !confirmed[i] && covered(words[i], later, 6) {
			drop[i] = true
		}
	}
	kept := p.out.Decisions[:0]
	for i, d := range p.out.Decisions {
		if !drop[i] {
			kept = append(kept, d)
		}
	}
	p.out.Decisions = kept
}
