package templates

import (
	"testing"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
	"mailflow/mailflow/reply"
)

// TestHelpCommandsParse feeds every command a footer teaches to the reply
// parser: a mail must never teach a command mailflow would not understand.
func TestHelpCommandsParse(t *testing.T) {
	today := mailflow.NewDate(2026, 11, 30)
	var helps []ReplyHelp
	for _, kind := range Kinds {
		for _, v := range Variants(kind) {
			if h, ok := v.Data.(interface{ Help() ReplyHelp }); ok {
				helps = append(helps, h.Help())
			}
		}
	}
	seen := 0
	for _, h := range helps {
		for _, c := range h.Commands {
			seen++
			lines := reply.ParseCommands(c.Text)
			if len(lines) != 1 || !lines[0].IsCommand || lines[0].Problem != "" {
				t.Errorf("help teaches %q, which the reply parser reads as %+v", c.Text, lines)
				continue
			}
			cmd := lines[0].Command
			if cmd.Verb == mailflow.VerbDue {
				if d, err := dates.Parse(cmd.Value, today, dates.Options{}); err != nil || !d.After(today) {
					t.Errorf("help teaches %q; its date %q reads as %v, %v", c.Text, cmd.Value, d, err)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no help commands in the samples")
	}
}
