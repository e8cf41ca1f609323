package sqlstore

import "time"

// SetRetryBudget shortens how long s runs a conflicting write again.
func SetRetryBudget(s *Store, d time.Duration) { s.retryBudget = d }
