package engine_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
	"mailflow/templates"
)

// itemsFailFor is a store whose item reads fail for one project, as they
// do when a transaction loses a lock to another host's; it notes which
// projects' items were asked for.
type itemsFailFor struct {
	*store.Store
	failing int64
	mu      sync.Mutex
	asked   map[int64]bool
}

func (s *itemsFailFor) Items(ctx context.Context, f store.ItemFilter) ([]store.Item, error) {
	s.mu.Lock()
	s.asked[f.ProjectID] = true
	s.mu.Unlock()
	if f.ProjectID == s.failing {
		return nil, errors.New("deadlock detected")
	}
	return s.Store.Items(ctx, f)
}

// A project whose periodic job fails does not hold up the others' (the
// daemon's Tick runs every project's reminders and report in turn).
func TestTickGoesOnPastAProjectThatFails(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		lab := c.Projects[0]
		lab.Name, lab.Address = "Lab", "lab@"+domain
		c.Projects = append(c.Projects, lab)
	})
	ids := map[string]int64{}
	for _, p := range h.eng.Projects() {
		ids[p.Name] = p.ID
	}
	st := &itemsFailFor{Store: h.st, failing: ids["EHR"], asked: map[int64]bool{}}
	eng, err := engine.New(t.Context(), engine.Options{Store: st, Config: h.cfg, Templates: templates.MustDefault(),
		Now: h.clock.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	err = eng.Tick(t.Context())
	if err == nil || !strings.Contains(err.Error(), "project EHR") {
		t.Errorf("Tick = %v, want the failure of project EHR", err)
	}
	if !st.asked[ids["Lab"]] {
		t.Error("Tick stopped at project EHR's failure: project Lab's jobs never ran")
	}
}
