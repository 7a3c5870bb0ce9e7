package engine

// heldDays is how long minutes wait for their sender's confirmation.
func (e *Engine) heldDays() int { return int(e.cfg.Security.HeldMinutesLifetime().Hours() / 24) }

// maxItems bounds the action items, and separately the risks, of one
// minutes mail.
func (e *Engine) maxItems() int { return e.cfg.Security.ItemLimit() }

// outsideAttendees reports whether authenticated minutes are also mailed
// to attendees who are not on the roster.
func (p *Project) outsideAttendees() bool { return p.OutsideAttendees }

// maxRecipients bounds the people one minutes message is mailed to.
func (p *Project) maxRecipients() int { return p.RecipientLimit() }
