package ui

import "github.com/commons-society/commons/node"

// syncProgress reports catch-up progress (0 to 1) while a sync is
// bringing records in.
func syncProgress(st *node.Status) (float64, bool) { return 0, false }
