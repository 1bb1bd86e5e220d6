package ui

import (
	"fmt"

	"fyne.io/fyne/v2/lang"

	"github.com/commons-society/commons/node"
)

// syncProgress reports catch-up progress (0 to 1) while a sync is
// bringing records in: the records received of those the peers announced
// that this peer lacked.
func syncProgress(st *node.Status) (float64, bool) {
	if st == nil || st.Network == nil || !st.Network.Sync.Active || st.Network.Sync.Expected <= 0 {
		return 0, false
	}
	p := float64(st.Network.Sync.Received) / float64(st.Network.Sync.Expected)
	return min(max(p, 0), 1), true
}

// unsharedNote says how many of this device's records no peer is known
// to hold yet (over all its societies), or "" when none. The peer learns
// that a record is held elsewhere from syncs and imported CAR files, and
// remembers it until it stops: just after a start, everything counts
// until the first sync.
func unsharedNote(st *node.Status) string {
	if st == nil {
		return ""
	}
	n := 0
	for _, s := range st.Societies {
		n += s.Unshared
	}
	switch n {
	case 0:
		return ""
	case 1:
		return lang.L("1 of your records is not yet shared")
	}
	return fmt.Sprintf(lang.L("%d of your records are not yet shared"), n)
}
