package minutes

import (
	"slices"
	"strings"

	"mailflow/mailflow"
)

// Recaps and discussion notes name risks in sentences: "Marcus raised the
// risk that the interface fix may not be ready before the dry run. As a
// mitigation, pharmacists will reconcile the orders by hand." The risk is
// what follows "the risk that"; its mitigation is the clause after a
// semicolon, or the next sentence when that says it is one.

// mitigationLeads start a sentence or clause that mitigates the risk
// before it.
var mitigationLeads = []string{"as a mitigation, ", "as mitigation, ", "to mitigate this, ", "to mitigate it, ",
	"to mitigate, ", "mitigation: ", "mitigation - ", "in mitigation, "}

// proseRisk reads a risk from a sentence, or the mitigation of the risk
// the sentence before named.
func (p *parser) proseRisk(e *entry, words, bare []string) {
	if len(bare) < 3 || !slices.Contains(bare, "risk") && !slices.Contains(bare, "risks") && !mitigationStart(bare) {
		return
	}
	text := strings.Join(words, " ")
	if lead := mitigationLead(text); lead > 0 {
		if p.last.kind == lastRisk && p.out.Risks[p.last.index].Mitigation == "" && p.last.entry == e.n {
			p.out.Risks[p.last.index].Mitigation = tidyText(text[lead:])
		}
		return
	}
	at := -1
	for i := 0; i+2 < len(bare); i++ {
		if (bare[i] == "risk" || bare[i] == "risks") && bare[i+1] == "that" && (i == 0 || bare[i-1] == "the" || bare[i-1] == "a") {
			at = i + 2
			break
		}
	}
	if at < 0 {
		return
	}
	desc, mitigation := strings.Join(words[at:], " "), ""
	for i := at; i < len(words); i++ {
		if strings.HasSuffix(words[i], ";") {
			desc = strings.Join(words[at:i+1], " ")
			mitigation = strings.Join(words[i+1:], " ")
			break
		}
	}
	desc = tidyText(desc)
	if wordCount(desc) < 3 {
		return
	}
	r := mailflow.Risk{Description: desc, Mitigation: tidyText(mitigation), Status: mailflow.RiskOpen, Line: e.n}
	for _, old := range p.out.Risks {
		if strings.EqualFold(old.Description, r.Description) {
			return
		}
	}
	p.out.Risks = append(p.out.Risks, r)
	p.last = lastRef{kind: lastRisk, index: len(p.out.Risks) - 1, entry: e.n}
}

// mitigationStart reports whether a sentence's bare words start like a
// mitigation: "as a mitigation", "to mitigate", "mitigation".
func mitigationStart(bare []string) bool {
	return bare[0] == "as" || bare[0] == "to" && bare[1] == "mitigate" || bare[0] == "mitigation" || bare[0] == "in"
}

// mitigationLead returns the length of the words that make a sentence a
// mitigation ("As a mitigation, "), or 0.
func mitigationLead(text string) int {
	for _, lead := range mitigationLeads {
		if len(text) > len(lead) && strings.EqualFold(text[:len(lead)], lead) {
			return len(lead)
		}
	}
	return 0
}
