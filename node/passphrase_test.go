package node

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/commons-society/commons/identity"
)

// TestNewPassphraseRule: Init, and so the app's Create and Restore and the
// command line's init, refuse a passphrase shorter than MinPassphraseLen
// characters and write nothing.
func TestNewPassphraseRule(t *testing.T) {
	const phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"
	create := func(home string, pass []byte) error {
		_, err := NewDesktop(home, DesktopConfig{Offline: true}).Create("Ann", pass)
		return err
	}
	restore := func(home string, pass []byte) error {
		return NewDesktop(home, DesktopConfig{Offline: true}).Restore("Ann", phrase, pass)
	}
	initCLI := func(home string, pass []byte) error {
		_, err := Init(home, "Ann", "", pass)
		return err
	}
	for _, tt := range []struct {
		pass string
		want error
	}{
		{"", identity.ErrEmptyPassphrase},
		{"ab", identity.ErrShortPassphrase},
		{"1234567", identity.ErrShortPassphrase},
	} {
		for name, f := range map[string]func(string, []byte) error{"Init": initCLI, "Create": create, "Restore": restore} {
			home := filepath.Join(t.TempDir(), "home")
			if err := f(home, []byte(tt.pass)); !errors.Is(err, tt.want) {
				t.Errorf("%s with %q: %v, want %v", name, tt.pass, err, tt.want)
			}
			if _, err := os.Stat(home); !os.IsNotExist(err) {
				t.Errorf("%s with %q wrote the home: %v", name, tt.pass, err)
			}
		}
		if err := CheckNewPassphrase([]byte(tt.pass)); !errors.Is(err, tt.want) {
			t.Errorf("CheckNewPassphrase(%q) = %v", tt.pass, err)
		}
	}
	if err := CheckNewPassphrase([]byte("12345678")); err != nil {
		t.Errorf("CheckNewPassphrase of 8 characters: %v", err)
	}
}
