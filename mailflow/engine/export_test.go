package engine

// SetAfterApply makes the engine call f after each message has been
// applied, inside the message's savepoint: a test panics there to fail a
// message after its writes.
func SetAfterApply(e *Engine, f func(Delivery)) { e.afterApply = f }
