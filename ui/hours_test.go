package ui

import "testing"

func TestHoursText(t *testing.T) {
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n             int64
		hours, signed string
	}{
		{0, "0 h", "0 h"},
		{45, "45 min", "+45 min"},
		{90, "1 h 30 min", "+1 h 30 min"},
		{120, "2 h", "+2 h"},
		{-90, "-1 h 30 min", "-1 h 30 min"},
		{-1200, "-20 h", "-20 h"},
		{6000, "100 h", "+100 h"},
	} {
		if got := hoursText(c.n); got != c.hours {
			t.Errorf("hoursText(%d) = %q, want %q", c.n, got, c.hours)
		}
		if got := signedHours(c.n); got != c.signed {
			t.Errorf("signedHours(%d) = %q, want %q", c.n, got, c.signed)
		}
	}
}
