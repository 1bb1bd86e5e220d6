// Package node wires one member's peer together: the identity, the
// Badger-backed record store and the ledger. It is the single interface
// (API) that the command line, the control socket and the app use, and it
// serves and dials that interface over a local control socket so that only
// one process holds the store at a time.
package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/commons-society/commons/identity"
)

// HomeEnv overrides the default home directory.
const HomeEnv = "COMMONS_HOME"

// DefaultHome returns the per-user directory shared by the app and the
// command line: $COMMONS_HOME, or "commons" in the user's config directory.
func DefaultHome() (string, error) {
	if h := os.Getenv(HomeEnv); h != "" {
		return h, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("node: no home directory (set %s): %w", HomeEnv, err)
	}
	return filepath.Join(dir, "commons"), nil
}

// Paths names the files of a home directory.
type Paths struct{ Home string }

// Identity is the encrypted key file.
func (p Paths) Identity() string { return filepath.Join(p.Home, "identity.key") }

// Public is the plaintext file of public identity facts.
func (p Paths) Public() string { return filepath.Join(p.Home, "member.json") }

// Store is the Badger directory.
func (p Paths) Store() string { return filepath.Join(p.Home, "store") }

// Shared keeps, per society, how far this device's records are known to
// be held by other peers (see Status's unshared count).
func (p Paths) Shared() string { return filepath.Join(p.Home, "shared.json") }

// PeerLock is the file a running peer keeps locked (see Options.Peer).
func (p Paths) PeerLock() string { return filepath.Join(p.Home, "peer.lock") }

// Socket is the control socket.
func (p Paths) Socket() string { return filepath.Join(p.Home, "control.sock") }

// PublicIdentity is what may be known of the local member without the
// passphrase.
type PublicIdentity struct {
	MemberID string `json:"member_id"`
	DeviceID string `json:"device_id"`
	Name     string `json:"name"`
	Member   []byte `json:"member_key"`
	Device   []byte `json:"device_key"`
}

// MinPassphraseLen is the fewest characters a new passphrase may have
// (identity.MinPassphraseLen), for the app's forms.
const MinPassphraseLen = identity.MinPassphraseLen

// CheckNewPassphrase applies the one rule for a new passphrase, shared by
// the command line and the app: at least MinPassphraseLen characters. It
// returns an error wrapping identity.ErrEmptyPassphrase or
// identity.ErrShortPassphrase.
func CheckNewPassphrase(p []byte) error {
	if err := identity.CheckNewPassphrase(p); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	return nil
}

// ErrNoIdentity means the home holds no identity yet.
var ErrNoIdentity = errors.New("node: no identity here yet: run 'commons-node init --name NAME'")

// LoadPublic reads the public identity of a home.
func LoadPublic(p Paths) (PublicIdentity, error) {
	var pub PublicIdentity
	b, err := os.ReadFile(p.Public())
	if errors.Is(err, os.ErrNotExist) {
		return pub, ErrNoIdentity
	}
	if err != nil {
		return pub, fmt.Errorf("node: read %s: %w", p.Public(), err)
	}
	if err := json.Unmarshal(b, &pub); err != nil || len(pub.Member) != 32 || len(pub.Device) != 32 {
		return pub, fmt.Errorf("node: %s is damaged", p.Public())
	}
	return pub, nil
}

// savePublic writes the public identity atomically.
func savePublic(p Paths, pub PublicIdentity) error {
	b, err := json.MarshalIndent(pub, "", "  ")
	if err != nil {
		return err
	}
	tmp := p.Public() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("node: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, p.Public()); err != nil {
		return fmt.Errorf("node: write %s: %w", p.Public(), err)
	}
	return nil
}
