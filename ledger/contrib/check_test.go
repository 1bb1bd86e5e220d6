package contrib

import (
	"errors"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

// TestCheckDateAndLink judges a contribution's date against the record's
// own time (never the clock) and its evidence link.
func TestCheckDateAndLink(t *testing.T) {
	at := crdt.MakeHLC(uint64(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC).UnixMilli()), 0)
	dates := []struct {
		date string
		ok   bool
	}{
		{"2026-03-10", true},
		{"2026-03-11", true}, // the next day: time zones
		{"2026-03-12", false},
		{"1900-01-01", true},
		{"1899-12-31", false},
		{"2026-3-10", false},
		{"10/03/2026", false},
		{"", false},
	}
	for _, d := range dates {
		if err := checkDate(d.date, at); (err == nil) != d.ok || (err != nil && !errors.Is(err, ledger.ErrBadBody)) {
			t.Errorf("checkDate(%q) = %v, want ok=%v", d.date, err, d.ok)
		}
	}
	links := []struct {
		link string
		ok   bool
	}{
		{"", true},
		{"https://example.org/work", true},
		{"http://example.org", true},
		{"ftp://example.org/x", false},
		{"https://", false},
		{"https://example.org/a b", false},
		{"mailto:someone@example.org", false},
		{"example.org", false},
	}
	for _, l := range links {
		if err := checkLink(l.link); (err == nil) != l.ok || (err != nil && !errors.Is(err, ledger.ErrBadBody)) {
			t.Errorf("checkLink(%q) = %v, want ok=%v", l.link, err, l.ok)
		}
	}
}
