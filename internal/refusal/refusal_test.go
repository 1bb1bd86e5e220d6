package refusal

import (
	"errors"
	"fmt"
	"testing"
)

// TestRefusal: a refusal's text is the English one a fmt.Errorf with %w
// gave, errors.Is sees its kind and its error arguments, and Say
// translates the formats and kinds it holds, nested ones included,
// leaving what is no refusal as it is.
func TestRefusal(t *testing.T) {
	notAllowed := Kind("ledger", "not allowed")
	plain := errors.New("crdt: not found")
	inner := New(notAllowed, "you have %d credits left", 3)
	fr := map[string]string{
		"not allowed":                 "non autorisé",
		"you have %d credits left":    "il vous reste %d crédits",
		"action %d: %v":               "action %d : %v",
		"the transfer %s is not here": "le transfert %s n'est pas ici",
	}
	tr := func(s string) string {
		if t, ok := fr[s]; ok {
			return t
		}
		return s
	}
	for _, c := range []struct {
		name        string
		err         error
		english, fr string
		is          []error
	}{
		{"kind and reason", inner, "ledger: not allowed: you have 3 credits left",
			"ledger: non autorisé: il vous reste 3 crédits", []error{notAllowed}},
		{"prefixed, nested", Prefixed("node", "action %d: %v", 2, inner), "node: action 2: ledger: not allowed: you have 3 credits left",
			"node: action 2 : ledger: non autorisé: il vous reste 3 crédits", []error{notAllowed, inner}},
		{"wrapped by fmt.Errorf", fmt.Errorf("node: vote: %w", inner), "node: vote: ledger: not allowed: you have 3 credits left",
			"node: vote: ledger: non autorisé: il vous reste 3 crédits", []error{notAllowed}},
		{"a kind alone", fmt.Errorf("%w: whatever", notAllowed), "ledger: not allowed: whatever", "ledger: non autorisé: whatever",
			[]error{notAllowed}},
		{"a plain kind", New(plain, "the transfer %s is not here", "bafy"), "crdt: not found: the transfer bafy is not here",
			"crdt: not found: le transfert bafy n'est pas ici", []error{plain}},
		{"no refusal", errors.New("disk full"), "disk full", "disk full", nil},
		{"untranslated", New(nil, "a new reason %q", "x"), `a new reason "x"`, `a new reason "x"`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.english {
				t.Errorf("Error() %q, want %q", got, c.english)
			}
			if got := Say(c.err, tr); got != c.fr {
				t.Errorf("Say %q, want %q", got, c.fr)
			}
			if got := Say(c.err, func(s string) string { return s }); got != c.english {
				t.Errorf("Say without translation %q, want %q", got, c.english)
			}
			for _, k := range c.is {
				if !errors.Is(c.err, k) {
					t.Errorf("errors.Is(%v) false", k)
				}
			}
		})
	}
	if Say(nil, tr) != "" {
		t.Error("Say(nil) is not empty")
	}
}
