package engine

import (
	"context"
	"fmt"

	"mailflow/store"
)

// Reprocess runs a failed message again — after the bug that failed it is
// fixed — from the bytes kept when it failed. Its failed record is replaced
// by the new outcome in the same transaction as the new effects; if it fails
// again, the failed record stays with the new reason.
func (e *Engine) Reprocess(ctx context.Context, messageID string) ([]Result, error) {
	rows, err := e.store.MessagesByMessageID(ctx, messageID)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, m := range rows {
		if m.Outcome != store.OutcomeFailed {
			return nil, fmt.Errorf("message %s was %s, not failed: nothing to re-run", messageID, m.Outcome)
		}
		if len(m.Raw) == 0 {
			return nil, fmt.Errorf("message %s: its bytes were not kept", messageID)
		}
		// The mailbox position is already past it; Mailbox is left empty so
		// the checkpoint is not touched.
		res, err := e.Handle(ctx, Delivery{Raw: m.Raw, Rerun: true})
		if err != nil {
			return results, err
		}
		results = append(results, res)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no message with Message-ID %s: %w", messageID, store.ErrNotFound)
	}
	return results, nil
}
