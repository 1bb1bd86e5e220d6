// Package p2ptest holds helpers for tests that play a misbehaving peer
// against Commons nodes (in package node and in commons-node's tests).
package p2ptest

import (
	"context"
	"testing"

	"github.com/commons-society/commons/p2p"
	"github.com/ipfs/go-cid"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
)

// RogueTopic joins a society's topic on h with a GossipSub that validates
// nothing, so that a test can publish what honest peers would never
// forward.
func RogueTopic(t testing.TB, ctx context.Context, h host.Host, soc cid.Cid) *pubsub.Topic {
	t.Helper()
	ps, err := pubsub.NewGossipSub(ctx, h, pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithMessageIdFn(p2p.MessageID), pubsub.WithFloodPublish(true))
	if err != nil {
		t.Fatal(err)
	}
	topic, err := ps.Join(p2p.TopicName(soc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topic.Subscribe(); err != nil {
		t.Fatal(err)
	}
	return topic
}
