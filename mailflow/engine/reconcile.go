package engine

import (
	"mailflow/mailflow"
	"mailflow/store"
)

// Corrected minutes are reconciled with what the meeting already holds the
// same way for items and for risks: each parsed one is matched to a stored
// version (matchVersion), a stored one changes only where the sender may
// (mayCorrect), and a stored one the minutes no longer list is ended where
// the sender may (retire). What differs — the fields, how an item or a
// risk ends — stays in syncItems and syncRisks.

// version is what reconciling needs to know of a stored item or risk.
type version struct {
	ref       string
	text      string // what matching compares: an item's text, a risk's description
	owner     string
	open      bool
	createdBy int64 // the messages row; 0: none
}

func itemVersion(it store.Item) version {
	return version{ref: it.Ref(), text: it.Text, owner: it.Owner, open: it.Status == string(mailflow.ItemOpen), createdBy: it.CreatedByMessage}
}

func riskVersion(r store.Risk) version {
	return version{ref: r.Ref(), text: r.Description, owner: r.Owner, open: r.Status == string(mailflow.RiskOpen), createdBy: r.CreatedByMessage}
}

// matchVersion finds the stored version a parsed item or risk is a new
// version of: the same text, else the one with mostly the same words (a
// shared owner counts for a little). It returns -1 for a new one.
func matchVersion[S any](existing []S, used []bool, of func(S) version, text, owner string) int {
	norm := normText(text)
	for j, s := range existing {
		if !used[j] && normText(of(s).text) == norm {
			return j
		}
	}
	best, bestScore := -1, 0.0
	for j, s := range existing {
		if used[j] {
			continue
		}
		v := of(s)
		score := similarity(normText(v.text), norm)
		if owner != "" && v.owner == owner {
			score += 0.15
		}
		if score > bestScore {
			best, bestScore = j, score
		}
	}
	if bestScore >= 0.6 {
		return best
	}
	return -1
}

// retire ends, with end, each open stored version that corrected minutes
// no longer list, where the sender may; the others stay open and the
// sender's copy says so.
func retire[S any](h *handling, existing []S, used []bool, of func(S) version, end func(S) error) error {
	for j, s := range existing {
		v := of(s)
		if used[j] || !v.open {
			continue
		}
		if ok, err := h.mayCorrect(v.owner, v.createdBy); err != nil {
			return err
		} else if !ok {
			h.notAllowed(v.ref, "is not in these minutes but stays open")
			continue
		}
		if err := end(s); err != nil {
			return err
		}
	}
	return nil
}

// flagStrangers notes each open item or risk in out left without an owner
// because the minutes gave it to someone off the roster; out[i] is what
// became of the one owned by owners[i].
func flagStrangers[S any](h *handling, owners []string, out []S, of func(S) version) {
	for i, s := range out {
		v := of(s)
		if _, _, stranger := h.rosterOwner(owners[i], ""); stranger != "" && v.owner == "" && v.open {
			h.ownerNotOnRoster(v.ref, stranger)
		}
	}
}
