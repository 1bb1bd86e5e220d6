package ui

import (
	"fmt"

	"fyne.io/fyne/v2/lang"
)

// How every screen writes amounts of time: one pair of helpers, so that
// the home and time bank screens (and the others) agree.

// hoursText writes a number of minutes in hours and minutes: "1 h 30 min",
// "45 min", "2 h", "0 h", with a minus sign when negative. It is for
// amounts (how long a service took, what a transfer moves).
func hoursText(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	h, m := n/60, n%60
	switch {
	case m == 0:
		return sign + fmt.Sprintf(lang.L("%d h"), h)
	case h == 0:
		return sign + fmt.Sprintf(lang.L("%d min"), m)
	}
	return sign + fmt.Sprintf(lang.L("%d h %d min"), h, m)
}

// signedHours is hoursText with a plus sign on positive values: "+3 h 45
// min", "-20 h", "0 h". It is for balances, balance limits and changes
// to a balance.
func signedHours(n int64) string {
	if n > 0 {
		return "+" + hoursText(n)
	}
	return hoursText(n)
}
