package mobile

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
	"github.com/commons-society/commons/p2p"
)

// SyncInterval is a phone's mean time between periodic syncs with a
// connected peer: gossip carries new records at once, so the periodic sync
// only repairs, and waking the radio less often saves battery.
const SyncInterval = 5 * time.Minute

// MemoryLimit is the Go runtime's soft memory limit on a phone: the heap
// the app keeps live after its first screen is about 31 MiB (most of it
// Fyne's parsed fonts), and without a limit the collector lets it grow to
// twice that before collecting.
const MemoryLimit = 40 << 20

// Options returns the node options of a phone: the phone store profile,
// and the phone's key derivation (identity.KDFPhone) for a key made on it.
func Options(base node.Options) node.Options {
	base.StoreProfile = crdt.ProfilePhone
	base.KDF = identity.KDFPhone
	return base
}

// LimitMemory sets the runtime's soft memory limit to MemoryLimit; the app
// calls it once at start on a phone. Above the limit the collector runs
// more often (at most half the CPU), it never fails an allocation.
func LimitMemory() { debug.SetMemoryLimit(MemoryLimit) }

// NetConfig returns a phone's network settings from the app's: fewer
// connections and rarer periodic syncs. LAN discovery stays asked for; where
// the OS refuses it, the peer goes on without it and says so in its status.
func NetConfig(base node.NetConfig) node.NetConfig {
	base.ConnLow, base.ConnHigh = p2p.PhoneConnLow, p2p.PhoneConnHigh
	if base.SyncInterval == 0 {
		base.SyncInterval = SyncInterval
	}
	return base
}

// IsPhone reports whether the app runs on a phone or tablet.
func IsPhone(a fyne.App) bool {
	d := a.Driver()
	return d != nil && d.Device() != nil && d.Device().IsMobile()
}

// Home returns the member's home inside the app's own storage (on a phone
// its private data directory, never a shared home directory).
func Home(a fyne.App) (string, error) {
	root := a.Storage().RootURI()
	if root == nil || root.Scheme() != "file" || root.Path() == "" {
		return "", errors.New("mobile: the app has no storage location")
	}
	return filepath.Join(root.Path(), "commons"), nil
}

// String describes the phone profile with its figures, for the README and
// status output.
func String() string {
	o := crdt.ProfilePhone.BadgerOptions("")
	return fmt.Sprintf("store: %d MiB memtables ×%d, %d MiB value-log files, %d MiB block cache; key: %s; memory limit %d MiB; network: %d–%d connections, sync every %s",
		o.MemTableSize>>20, o.NumMemtables, o.ValueLogFileSize>>20, o.BlockCacheSize>>20, identity.KDFPhone, MemoryLimit>>20, p2p.PhoneConnLow, p2p.PhoneConnHigh, SyncInterval)
}
