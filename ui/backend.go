package ui

import "github.com/commons-society/commons/node"

// Backend is everything the app asks of its embedded peer: the identity's
// life cycle, the node's API once unlocked, change notifications and the
// network settings. *node.Desktop implements it.
type Backend interface {
	// HasIdentity reports whether an identity exists (to unlock).
	HasIdentity() bool
	// Public returns the identity's public facts.
	Public() (node.PublicIdentity, error)
	// Create makes an identity and returns its recovery phrase.
	Create(name string, passphrase []byte) (string, error)
	// Restore recreates an identity from a recovery phrase.
	Restore(name, phrase string, passphrase []byte) error
	// Unlock opens the identity and starts the peer.
	Unlock(passphrase []byte) error
	// RecoveryPhrase shows the recovery phrase again (passphrase needed).
	RecoveryPhrase(passphrase []byte) (string, error)
	// API is the running node (nil before unlocking).
	API() node.API
	// Changes is closed when records next arrive or are written.
	Changes() <-chan struct{}
	// NetSettings and SetNetSettings read and change LAN discovery and
	// static peers.
	NetSettings() node.NetSettings
	SetNetSettings(node.NetSettings) error
}

var _ Backend = (*node.Desktop)(nil)
