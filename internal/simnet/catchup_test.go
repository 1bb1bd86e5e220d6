package simnet_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/node"
	"github.com/commons-society/commons/p2p/recsync"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	ma "github.com/multiformats/go-multiaddr"
)

// bulkProfiles continues p's device chain with count profile records,
// signed with its device key, and ingests them into its store in batches
// of 2,048. The chain must already be anchored (a record after the
// admission exists), so no record needs the admission as a dependency.
func bulkProfiles(t testing.TB, c *cluster, p *peerNode, count int) {
	t.Helper()
	if err := ingestAll(c, p.n.Store(), signProfiles(t, c, p, p.n.Store(), count)); err != nil {
		t.Fatal(err)
	}
}

// signProfiles returns count profile records continuing p's device chain
// from its head in st, signed with p's device key, in chain order. The
// chain must already be anchored (a record after the admission exists).
func signProfiles(t testing.TB, c *cluster, p *peerNode, st *crdt.Store, count int) [][]byte {
	t.Helper()
	head, err := st.Head(c.soc, p.id.DevicePublic())
	if err != nil {
		t.Fatal(err)
	}
	if head.Seq == 0 {
		t.Fatalf("%s has no chain in the society", p.name)
	}
	seq, prev, tm := head.Seq, head.CID, head.Time
	out := make([][]byte, 0, count)
	for range count {
		bio := fmt.Sprintf("bulk bio %s %d", p.name, seq+1)
		body, err := crdt.Marshal(membership.Profile{Bio: &bio})
		if err != nil {
			t.Fatal(err)
		}
		seq++
		tm++
		rec := &crdt.Record{Version: crdt.FormatVersion, Society: &crdt.Link{Cid: c.soc}, Seq: seq,
			Prev: &crdt.Link{Cid: prev}, Time: tm, Type: membership.TypeProfile, Body: body}
		raw, rc, err := rec.Sign(p.id.Device)
		if err != nil {
			t.Fatal(err)
		}
		prev = rc
		out = append(out, raw)
	}
	return out
}

// ingestAll stores raws (in causal order) in st in batches of 2,048: an
// error unless every one is applied or already held (a node may have
// synced some from a peer meanwhile).
func ingestAll(c *cluster, st *crdt.Store, raws [][]byte) error {
	const batchSize = 2048
	for len(raws) > 0 {
		batch := raws[:min(batchSize, len(raws))]
		raws = raws[len(batch):]
		res, err := st.Ingest(c.soc, batch)
		if err != nil {
			return fmt.Errorf("bulk ingest: %w", err)
		}
		if len(res.Rejected) > 0 || len(res.Applied)+res.Duplicates != len(batch) {
			return fmt.Errorf("bulk ingest: %d of %d applied, %d held, rejected %v", len(res.Applied), len(batch), res.Duplicates, res.Rejected)
		}
	}
	return nil
}

// addDevice certifies key as a new device of p's member, from p's chain
// head as held by holder, and stores its device record at p and holder.
func addDevice(t testing.TB, c *cluster, p, holder *peerNode, key ed25519.PrivateKey) {
	t.Helper()
	head, err := holder.n.Store().Head(c.soc, p.id.DevicePublic())
	if err != nil {
		t.Fatal(err)
	}
	body, err := crdt.Marshal(membership.Device{Cert: identity.Certify(p.id.Member, key.Public().(ed25519.PublicKey)), Name: "back"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &crdt.Record{Version: crdt.FormatVersion, Society: &crdt.Link{Cid: c.soc}, Seq: 1,
		Deps: []crdt.Link{{Cid: head.CID}}, Time: head.Time + 1, Type: membership.TypeDevice, Body: body}
	raw, _, err := rec.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []*crdt.Store{p.n.Store(), holder.n.Store()} {
		if res, err := st.Ingest(c.soc, [][]byte{raw}); err != nil || len(res.Applied) != 1 {
			t.Fatalf("device record: %+v, %v", res, err)
		}
	}
}

// TestOfflineCatchUp takes a member's node offline while 50,000 records
// are written on the other side, then brings its store back and catches up
// in one recsync session, reporting what the session cost.
func TestOfflineCatchUp(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: 50,000 records")
	}
	const count = 50_000
	c := newCluster(t, 2, time.Hour) // no periodic sync during the measurement
	c.found()
	founder, member := c.nodes[0], c.nodes[1]

	// The member writes once through its node: its chain now carries the
	// admission, and the bulk records continue it.
	bio := "first"
	if err := member.n.SetProfile(node.ProfileRequest{Bio: &bio}); err != nil {
		t.Fatal(err)
	}
	c.waitConverged(c.nodes, 10*time.Second)

	// The founder goes offline.
	groups := [][]*peerNode{{founder}, {member}}
	c.cutAndWait(groups)
	_, before := c.state(founder)

	genStart := time.Now()
	bulkProfiles(t, c, member, count)
	_, after := c.state(member)
	if after != before+count {
		t.Fatalf("member holds %d records, want %d", after, before+count)
	}
	t.Logf("%d records signed and ingested on the online side in %v", count, time.Since(genStart).Round(time.Millisecond))
	if c.converged(c.nodes) {
		t.Fatal("the offline node already agrees")
	}

	// The offline node's store comes back on a fresh host that runs one
	// recsync session itself: the stream handler is removed so that the
	// member's on-connect sync cannot serve the records instead.
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := crypto.UnmarshalEd25519PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	back, err := c.mn.AddPeer(priv, ma.StringCast("/ip4/127.0.0.1/tcp/40999"))
	if err != nil {
		t.Fatal(err)
	}
	// The fresh host is a new device of the founder's: sync serves only
	// member devices, so its device record is put in both stores first.
	addDevice(t, c, founder, member, key)
	svc := recsync.New(back, founder.n.Store(), recsync.Options{Societies: func() []cid.Cid { return []cid.Cid{c.soc} }})
	defer svc.Close()
	back.RemoveStreamHandler(recsync.ProtocolID)
	if _, err := c.mn.LinkPeers(back.ID(), member.h.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.mn.ConnectPeers(back.ID(), member.h.ID()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := svc.Sync(ctx, member.h.ID(), c.soc)
	if err != nil {
		t.Fatal(err)
	}
	secs := st.Duration.Seconds()
	t.Logf("catch-up: %d records in, %d out, %d round trips, %d bytes in, %d bytes out, %.2f s, %.0f records/s",
		st.RecordsIn, st.RecordsOut, st.RoundTrips, st.BytesIn, st.BytesOut, secs, float64(st.RecordsIn)/secs)
	if st.RecordsIn < count {
		t.Errorf("received %d records, want at least %d", st.RecordsIn, count)
	}
	if st.RoundTrips > 2 {
		t.Errorf("%d round trips, want at most 2", st.RoundTrips)
	}
	if !c.converged(c.nodes) {
		h0, n0 := c.state(founder)
		h1, n1 := c.state(member)
		t.Fatalf("after the catch-up: founder %d records %s, member %d records %s", n0, h0, n1, h1)
	}

	// The founder's own node comes back online too and stays in agreement.
	c.heal(groups)
	c.waitConverged(c.nodes, 10*time.Second)
}
