// Package mobile is what only a phone needs from the Commons app: the
// app's lifecycle (the network runs in the foreground and stops shortly
// after the app leaves it, with no polling in the background), the phone's
// own storage location instead of a home directory, and the phone profiles
// of the store and the network (smaller Badger memtables, files and caches;
// fewer connections; rarer periodic syncs).
//
// It holds no desktop-only code: it sees the app through fyne.App and
// fyne.Lifecycle (never fyne/app or a desktop driver) and the peer through
// the small Peer interface that node.Desktop implements.
package mobile
