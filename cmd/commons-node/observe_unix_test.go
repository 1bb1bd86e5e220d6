//go:build unix

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/internal/p2ptest"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/node"
	"github.com/commons-society/commons/p2p"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
)

// forged signs a profile record of soc with a fresh key (no member's):
// break, when set, spoils it after signing.
func forged(t *testing.T, soc cid.Cid, breakIt func(r *crdt.Record)) []byte {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name := "Mallory"
	body, err := crdt.Marshal(membership.Profile{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	r := &crdt.Record{Version: crdt.FormatVersion, Society: &crdt.Link{Cid: soc}, Seq: 1,
		Time: crdt.MakeHLC(uint64(time.Now().UnixMilli()), 0), Type: membership.TypeProfile, Body: body}
	raw, _, err := r.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	if breakIt == nil {
		return raw
	}
	breakIt(r)
	if raw, err = crdt.Marshal(r); err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestRunObservesRejections: a stranger's libp2p host on 127.0.0.1 gossips
// invalid records to 'run'; each one is counted under its reason in
// 'status --json' and in the plain status's summary, logged on standard
// error with its reason, peer and society, and exported on /metrics beside
// libp2p's metrics.
func TestRunObservesRejections(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	socID := h.ok(t, "society", "create", "Garden").last()
	soc, err := cid.Decode(socID)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(identity.PassphraseEnv, h.pass)
	p := startRun(h.dir, "--metrics", "127.0.0.1:0", "--log-level", "info")
	var addr, metricsURL string
	for _, l := range p.started(t) {
		if a, ok := strings.CutPrefix(l, "listening on "); ok && strings.HasPrefix(a, "/ip4/127.0.0.1/tcp/") {
			addr = a
		}
		if u, ok := strings.CutPrefix(l, "metrics on "); ok {
			metricsURL = u
		}
	}
	defer p.stop(t)
	if addr == "" || !strings.HasPrefix(metricsURL, "http://127.0.0.1:") {
		t.Fatalf("run printed no loopback address (%q) or metrics URL (%q)", addr, metricsURL)
	}

	// The attacker: a real host on loopback whose GossipSub validates
	// nothing, subscribed to the society's topic.
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ah, err := p2p.NewHost(p2p.Config{Key: key, Listen: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ah.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := p2ptest.RogueTopic(t, ctx, ah, soc)
	target, err := peer.AddrInfoFromString(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := ah.Connect(ctx, *target); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		return slices.Contains(topic.ListPeers(), target.ID), "run's peer in the attacker's topic"
	})

	// At most three: a stranger starts below the publish threshold
	// (p2p.StrangerScore), and a fourth invalid message would find it on
	// the graylist, unread (the reason of a record of another society is
	// in TestRejectReason).
	cases := []struct {
		name, reason string
		raw          []byte
	}{
		{"signature of another record", node.ReasonSignature, forged(t, soc, func(r *crdt.Record) { r.Sig[0] ^= 1 })},
		{"stranger's profile", node.ReasonNotMember, forged(t, soc, nil)},
		{"garbage", node.ReasonMalformed, []byte("not a record at all")},
	}
	short := node.ShortID(soc)
	for i, c := range cases {
		if err := topic.Publish(ctx, c.raw); err != nil {
			t.Fatalf("%s: publish: %v", c.name, err)
		}
		// Counted, under its reason, as the attacker's.
		var st node.Status
		eventually(t, 30*time.Second, func() (bool, string) {
			r := runCLI(t, h.dir, h.pass, "status", "--json")
			st = node.Status{}
			if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Network == nil || st.Network.Rejections == nil {
				return false, fmt.Sprintf("%s: status --json without rejections: %v %s", c.name, err, r.stdout)
			}
			rj := st.Network.Rejections
			return rj.Total == i+1 && rj.ByReason[c.reason] == 1, fmt.Sprintf("%s: rejections %+v", c.name, *rj)
		})
		rj := st.Network.Rejections
		if len(rj.Peers) != 1 || rj.Peers[0].ID != ah.ID().String() || rj.Peers[0].Total != i+1 ||
			rj.Peers[0].ByReason[c.reason] != 1 || rj.Peers[0].LastSociety != short || rj.OtherPeers != 0 {
			t.Fatalf("%s: per-peer counts %+v", c.name, rj.Peers)
		}
		// Logged, with reason, peer and society.
		want := []string{"level=WARN", `msg="record rejected"`, "reason=" + c.reason, "peer=" + ah.ID().String(), "society=" + short, "via=gossip"}
		logged := false
		for !logged {
			select {
			case l := <-p.stderr:
				logged = true
				for _, w := range want {
					logged = logged && strings.Contains(l, w)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("%s: no log line with %v", c.name, want)
			}
		}
	}

	r := runCLI(t, h.dir, h.pass, "status")
	if !strings.Contains(r.stdout, "3 rejected (") || !strings.Contains(r.stdout, "bad_signature 1") || !strings.Contains(r.stdout, "from 1 peer(s)") {
		t.Errorf("plain status has no rejection summary:\n%s", r.stdout)
	}

	// Scraped over 127.0.0.1: Commons' counters and libp2p's metrics.
	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", metricsURL, resp.StatusCode, err)
	}
	text := string(body)
	wants := []string{"commons_records_stored_total{via=\"gossip\"}", "commons_syncs_total{result=\"ok\"}",
		"commons_peers_penalised_total 0", "commons_peers ", "libp2p_swarm_", "libp2p_rcmgr_", "go_goroutines "}
	for _, c := range cases {
		wants = append(wants, fmt.Sprintf("commons_records_rejected_total{reason=%q,via=\"gossip\"} 1", c.reason))
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("/metrics has no %s", w)
		}
	}
}
