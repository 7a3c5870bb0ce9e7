package minutes

import (
	"regexp"
	"strconv"
	"strings"

	"mailflow/mailflow"
)

var (
	reRiskKey = regexp.MustCompile(`(?i)(?:^|[\s(,;])(likelihood|probability|prob|impact|severity|mitigation|mitigate|response|owner|trigger)\b\s*[:=]?\s*`)
	reLevelLH = regexp.MustCompile(`(?i)\b([LMH])\s*/\s*([LMH])\b`)
)

// addRisk reads "interface vendor late (likelihood high, impact high)
// mitigation: weekly vendor call; owner Bob".
func (p *parser) addRisk(text string, n int) {
	r := mailflow.Risk{Status: mailflow.RiskOpen, Line: n}
	idx := reRiskKey.FindAllStringSubmatchIndex(text, -1)
	desc := text
	if len(idx) > 0 {
		desc = text[:idx[0][0]]
	}
	for i, m := range idx {
		key := strings.ToLower(text[m[2]:m[3]])
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		val := strings.TrimSpace(text[m[1]:end])
		val = strings.Trim(val, " ,;()")
		switch key {
		case "likelihood", "probability", "prob":
			val = firstWord(val)
			r.LikelihoodText = val
			r.Likelihood = ParseLevel(val)
		case "impact", "severity":
			val = firstWord(val)
			r.ImpactText = val
			r.Impact = ParseLevel(val)
		case "mitigation", "mitigate", "response":
			r.Mitigation = tidyText(val)
		case "owner":
			r.OwnerText = val
			if email, ok := p.resolve(val, n); ok {
				r.Owner = email
			} else {
				r.Owner = val
			}
		case "trigger":
			r.Trigger = tidyText(val)
		}
	}
	if r.LikelihoodText == "" {
		if m := reLevelLH.FindStringSubmatch(desc); m != nil {
			r.LikelihoodText, r.ImpactText = m[1], m[2]
			r.Likelihood, r.Impact = ParseLevel(m[1]), ParseLevel(m[2])
			desc = strings.Replace(desc, m[0], "", 1)
		}
	}
	desc = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(desc), "(-–—:"))
	r.Description = tidyText(desc)
	if r.Description == "" {
		p.problem(n, text, "risk has no description")
		return
	}
	if r.Likelihood == mailflow.LevelUnknown && r.LikelihoodText != "" {
		p.problem(n, r.LikelihoodText, "cannot read likelihood (use low/medium/high, 1-5 or a percentage)")
	}
	if r.Impact == mailflow.LevelUnknown && r.ImpactText != "" {
		p.problem(n, r.ImpactText, "cannot read impact (use low/medium/high, 1-5 or a percentage)")
	}
	p.out.Risks = append(p.out.Risks, r)
}

func firstWord(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == ')' })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// ParseLevel maps the ways people grade likelihood and impact — words,
// L/M/H, 1-5 scores, percentages — onto low, medium and high.
func ParseLevel(s string) mailflow.Level {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimSuffix(v, ".")
	switch v {
	case "l", "lo", "low", "minor", "unlikely", "rare", "negligible", "very low":
		return mailflow.LevelLow
	case "m", "med", "medium", "moderate", "possible", "mid", "average":
		return mailflow.LevelMedium
	case "h", "hi", "high", "major", "likely", "critical", "severe", "very high", "certain", "almost certain", "catastrophic":
		return mailflow.LevelHigh
	}
	if strings.HasSuffix(v, "%") {
		if pct, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64); err == nil && pct >= 0 && pct <= 100 {
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
	if score, err := strconv.Atoi(strings.TrimSuffix(v, "/5")); err == nil {
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
