//go:build tools

// This file pins the libraries of the replication work in go.mod before the
// code that uses them lands; it is never built.
package p2p

import (
	_ "github.com/libp2p/go-libp2p"
	_ "github.com/libp2p/go-libp2p-pubsub"
	_ "github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	_ "github.com/libp2p/go-libp2p/p2p/net/mock"
)
