package minutes

import (
	"regexp"
	"strconv"
	"strings"

	"mailflow/mailflow"
)

var (
	// reLevelPair reads "(H/M)" and "L/H": likelihood then impact.
	reLevelPair = regexp.MustCompile(`(?i)(?:^|[\s(\[])(l|m|h|low|med|medium|high)\s*/\s*(l|m|h|low|med|medium|high)(?:$|[\s)\],;])`)
)

// addRisk reads "interface vendor late (likelihood high, impact high)
// mitigation: weekly vendor call; owner Bob".
func (p *parser) addRisk(text string, n int, raw string) {
	text = plainText(text)
	if isNothing(text) {
		return
	}
	r := mailflow.Risk{Status: mailflow.RiskOpen, Line: n}
	idx := riskKeys(text)
	desc := text
	if len(idx) > 0 {
		desc = text[:idx[0][0]]
	}
	for i, m := range idx {
		key := strings.ToLower(text[m[1]:m[2]])
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		val := strings.Trim(strings.TrimSpace(text[m[3]:end]), " ,;()[]|/")
		p.setRiskField(&r, key, val, n)
	}
	if r.LikelihoodText == "" && r.ImpactText == "" {
		if m := reLevelPair.FindStringSubmatchIndex(desc); m != nil {
			r.LikelihoodText, r.ImpactText = desc[m[2]:m[3]], desc[m[4]:m[5]]
			r.Likelihood, r.Impact = ParseLevel(r.LikelihoodText), ParseLevel(r.ImpactText)
			desc = desc[:m[0]] + " " + desc[m[1]:]
		}
	}
	desc = strings.TrimSpace(strings.Trim(strings.TrimSpace(desc), "(-–—:[]"))
	r.Description = tidyText(strings.ReplaceAll(desc, "()", ""))
	if r.Description == "" {
		p.problem(n, raw, "risk has no description")
		return
	}
	p.checkLevels(&r, n)
	p.out.Risks = append(p.out.Risks, r)
	p.last = lastRef{kind: lastRisk, index: len(p.out.Risks) - 1}
}

// riskKeyWords are the fields written after a risk's description.
var riskKeyWords = []string{"likelihood", "probability", "prob", "chance", "impact", "severity", "mitigation",
	"mitigate", "response", "contingency", "owner", "trigger", "status", "p", "l", "i"}

// riskKeys finds the field keys in a risk's text, as [start, keyStart,
// keyEnd, valueStart] each. A key counts when a colon or "=" follows it,
// when it starts a bracketed or listed field ("(likelihood high", "; owner
// Bob"), or — for likelihood and impact — when a level follows; "vendor
// impact on the schedule" is description. The one-letter keys ("P: 60%")
// need the colon.
func riskKeys(text string) [][]int {
	var out [][]int
	for i := 0; i < len(text); i++ {
		if i > 0 && !strings.ContainsRune(" (,;/|[", rune(text[i-1])) {
			continue
		}
		for _, k := range riskKeyWords {
			end := i + len(k)
			if end > len(text) || !strings.EqualFold(text[i:end], k) ||
				(end < len(text) && (text[end]|0x20 >= 'a' && text[end]|0x20 <= 'z')) {
				continue
			}
			v := end
			for v < len(text) && text[v] == ' ' {
				v++
			}
			colon := v < len(text) && (text[v] == ':' || text[v] == '=')
			if colon {
				v++
			} else if d := spacedDash(text[v:]); d > 0 && v > end {
				colon, v = true, v+d // "Mitigation - Bob escalates"
			}
			if colon {
				for v < len(text) && text[v] == ' ' {
					v++
				}
			}
			if len(k) == 1 && !colon {
				break
			}
			start := i - 1
			for start > 0 && text[start-1] == ' ' {
				start--
			}
			if i == 0 {
				start = 0
			}
			if len(out) > 0 && start < out[len(out)-1][3] {
				start = out[len(out)-1][3] // "(likelihood (impact": the previous value is empty
			}
			if !colon && !riskKeyListed(text[:i], len(out) > 0) {
				lower := strings.ToLower(k)
				isLevel := lower == "likelihood" || lower == "probability" || lower == "prob" || lower == "chance" ||
					lower == "impact" || lower == "severity"
				if _, l := levelText(text[v:]); !isLevel || l == mailflow.LevelUnknown {
					break
				}
			}
			out = append(out, []int{start, i, end, v})
			i = v - 1
			break
		}
	}
	return out
}

// spacedDash returns the length of the dash (and the space after it) that
// starts s, "- " or "– ", or 0.
func spacedDash(s string) int {
	for _, d := range []string{"- ", "– ", "— ", "-- "} {
		if strings.HasPrefix(s, d) {
			return len(d)
		}
	}
	return 0
}

// riskKeyListed reports whether a key follows a bracket or list
// separator, or starts the text after another key.
func riskKeyListed(before string, afterKey bool) bool {
	before = strings.TrimRight(before, " ")
	if before == "" {
		return afterKey
	}
	return strings.ContainsAny(before[len(before)-1:], "(),;|/[]-")
}

// setRiskField sets one field of a risk from a written key and value.
func (p *parser) setRiskField(r *mailflow.Risk, key, val string, n int) {
	switch key {
	case "likelihood", "probability", "prob", "chance", "p", "l":
		r.LikelihoodText, r.Likelihood = levelText(val)
	case "impact", "severity", "i":
		r.ImpactText, r.Impact = levelText(val)
	case "mitigation", "mitigate", "response", "contingency":
		r.Mitigation = tidyText(val)
	case "owner":
		r.OwnerText = tidyText(val)
		if r.OwnerText == "" {
			return
		}
		if email, ok := p.resolve(r.OwnerText, n); ok {
			r.Owner = email
		} else {
			r.Owner = r.OwnerText
		}
	case "trigger":
		r.Trigger = tidyText(val)
	case "status":
		switch strings.ToLower(firstWord(val)) {
		case "closed", "done", "retired", "resolved", "gone":
			r.Status = mailflow.RiskClosed
		}
	}
}

// checkLevels reports likelihoods and impacts that were written but
// cannot be read.
func (p *parser) checkLevels(r *mailflow.Risk, n int) {
	if r.Likelihood == mailflow.LevelUnknown && r.LikelihoodText != "" {
		p.problem(n, p.line, "cannot read likelihood "+strconv.Quote(r.LikelihoodText)+" (use low/medium/high, 1-5 or a percentage)")
	}
	if r.Impact == mailflow.LevelUnknown && r.ImpactText != "" {
		p.problem(n, p.line, "cannot read impact "+strconv.Quote(r.ImpactText)+" (use low/medium/high, 1-5 or a percentage)")
	}
}

// levelText finds the level at the start of a written value ("very high,
// as the vendor …", "4/5", "30%") and returns it as written.
func levelText(val string) (string, mailflow.Level) {
	val = strings.TrimSpace(val)
	if val == "" {
		return "", mailflow.LevelUnknown
	}
	words := strings.FieldsFunc(val, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == ')' || r == '(' })
	for n := min(3, len(words)); n >= 1; n-- {
		w := strings.Join(words[:n], " ")
		if l := ParseLevel(w); l != mailflow.LevelUnknown {
			return w, l
		}
	}
	if len(words) == 0 {
		return "", mailflow.LevelUnknown
	}
	return words[0], mailflow.LevelUnknown
}

func firstWord(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == ')' || r == '.' })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// ParseLevel maps the ways people grade likelihood and impact — words,
// L/M/H, 1-5 scores, percentages — onto low, medium and high. In-between
// grades ("medium-high") round up: a risk register should not understate.
func ParseLevel(s string) mailflow.Level {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimSuffix(v, ".")
	switch v {
	case "l", "lo", "low", "minor", "unlikely", "rare", "negligible", "very low", "insignificant", "remote", "small":
		return mailflow.LevelLow
	case "m", "med", "medium", "moderate", "possible", "mid", "average", "low-medium", "low/medium", "medium-low",
		"low to medium", "significant":
		return mailflow.LevelMedium
	case "h", "hi", "high", "major", "likely", "critical", "severe", "very high", "certain", "almost certain",
		"catastrophic", "very likely", "medium-high", "med-high", "medium/high", "high-medium", "medium to high", "extreme":
		return mailflow.LevelHigh
	}
	if strings.HasSuffix(v, "%") {
		if pct, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "%")), 64); err == nil && pct >= 0 && pct <= 100 {
			switch {
			case pct < 34:
				return mailflow.LevelLow
			case pct < 67:
				return mailflow.LevelMedium
			default:
				return mailflow.LevelHigh
			}
		}
		return mailflow.LevelUnknown
	}
	if score, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(v, "/5"))); err == nil {
		switch {
		case score >= 1 && score <= 2:
			return mailflow.LevelLow
		case score == 3:
			return mailflow.LevelMedium
		case score >= 4 && score <= 5:
			return mailflow.LevelHigh
		}
	}
	return mailflow.LevelUnknown
}
