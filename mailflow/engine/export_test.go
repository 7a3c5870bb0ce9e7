package engine

// SetAfterApply makes the engine call f after each message has been
// applied, inside the message's savepoint: a test panics there to fail a
// message after its writes.
func SetAfterApply(e *Engine, f func(Delivery)) { e.afterApply = f }

// SetMaxPendingMails changes how many rendered mails a batch holds before
// writing them out, and returns a func that restores it.
func SetMaxPendingMails(n int) (restore func()) {
	old := maxPendingMails
	maxPendingMails = n
	return func() { maxPendingMails = old }
}

// SetAfterRead makes the engine call f while it reads each message: a test
// panics there to fail the reading.
func SetAfterRead(e *Engine, f func(Delivery)) { e.afterRead = f }

// Budgets of answers to mail that could be forged, for tests that spend
// them.
const (
	ConfirmRequestsPerDay = confirmRequestsPerDay
	UnauthRefusalsPerDay  = unauthRefusalsPerDay
)
