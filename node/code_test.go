package node

import (
	"errors"
	"strings"
	"testing"
)

// TestParseInviteCodeMessages: a code that cannot be read is refused in
// the user's terms, with the decoder's error kept as detail.
func TestParseInviteCodeMessages(t *testing.T) {
	for _, tt := range []struct {
		code, want, detail string
	}{
		{"", "it is empty", ""},
		{"hello", `it must start with "commons1"`, ""},
		{"commons1abcdefgh", "it is damaged or cut short", "cbor"},
		{"commons1!!!!", "it is damaged or cut short", "illegal base32"},
		{"commons1", "it is damaged or cut short", "EOF"},
	} {
		_, err := ParseInviteCode(tt.code)
		if !errors.Is(err, ErrBadCode) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseInviteCode(%q) = %v, want ErrBadCode saying %q", tt.code, err, tt.want)
			continue
		}
		for _, l := range []string{"cbor", "base32", "malformed", "EOF"} {
			if strings.Contains(err.Error(), l) {
				t.Errorf("ParseInviteCode(%q) says %q: internals", tt.code, err)
			}
		}
		if d := strings.Join(Details(err), " "); !strings.Contains(d, tt.detail) {
			t.Errorf("ParseInviteCode(%q) details %q lack %q", tt.code, d, tt.detail)
		}
	}
}
