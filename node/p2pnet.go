package node

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/p2p"
	"github.com/commons-society/commons/p2p/recsync"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	lpeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
)

// NetConfig configures StartNetwork.
type NetConfig struct {
	// Listen lists multiaddrs to listen on (p2p.DefaultListen when empty).
	Listen []string
	// Peers lists static peers (full multiaddrs with /p2p/ID).
	Peers []string
	// MDNS finds peers on the local network.
	MDNS bool
	// RelayService makes this peer a circuit relay for others (always-on
	// peers); HolePunching turns on DCUtR.
	RelayService, HolePunching bool
	// DHT turns on rendezvous through a private Kademlia DHT (no public
	// bootstrap: it learns peers from the connections it has); in server
	// mode when RelayService is set.
	DHT bool
	// SyncInterval is the mean time between periodic syncs with each
	// connected peer (default 1 min; each wait is jittered by ±50%).
	SyncInterval time.Duration
	// ConnLow and ConnHigh bound the open connections (p2p's defaults when
	// zero; phones use p2p.PhoneConnLow and p2p.PhoneConnHigh).
	ConnLow, ConnHigh int
	// Logger receives the network's log: rejected records and penalised
	// peers (warnings, rate-limited), syncs and stored records (debug).
	// Nil logs to slog.Default().
	Logger *slog.Logger
	// Metrics, when set, receives libp2p's Prometheus metrics and
	// Commons' (records stored and rejected, penalties, syncs, peers)
	// while the network runs (see ServeMetrics).
	Metrics prometheus.Registerer
}

// p2pNet is the Network of a node: a libp2p host with gossip, catch-up
// sync and discovery.
type p2pNet struct {
	n      *Node
	h      host.Host
	gossip *p2p.Gossip
	sync   *recsync.Service
	disc   *p2p.Discovery
	rdv    *p2p.Rendezvous
	cancel context.CancelFunc
	wg     sync.WaitGroup
	obs    *netObserver
	// metrics is the registry the network's collector is registered
	// with, if any.
	metrics prometheus.Registerer

	mu      sync.Mutex
	closing bool                      // Close has begun: no more OnRecords goroutines
	socMu   map[cid.Cid]chan struct{} // the lead outgoing sync of a society
	running map[peerSoc]bool          // outgoing syncs in progress
	joined  map[cid.Cid]bool
	wanted  map[cid.Cid]bool // societies being fetched before they are held
	stats   map[lpeer.ID]*PeerStatus
	synced  syncTracker // sessions in progress (node/society.go)
	// leadWait is how long a sync waits for the society's sync in progress
	// before running alongside it (defaultLeadWait).
	leadWait time.Duration
}

// peerSoc names an outgoing sync: a peer and a society.
type peerSoc struct {
	p   lpeer.ID
	soc cid.Cid
}

// defaultLeadWait is how long a sync waits for the society's sync in
// progress: long enough for a healthy sync to bring this node up to date
// (the next then only exchange vectors), short enough that a stalled or
// slow peer holds up no other.
const defaultLeadWait = 3 * time.Second

// StartNetwork starts replicating over libp2p: it needs the unlocked
// identity (the host is keyed by the device key).
func (n *Node) StartNetwork(ctx context.Context, cfg NetConfig) error {
	if n.id == nil {
		return ErrLocked
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = time.Minute
	}
	h, err := p2p.NewHost(p2p.Config{Key: n.id.Device, Listen: cfg.Listen, ConnLow: cfg.ConnLow, ConnHigh: cfg.ConnHigh,
		EnableRelayService: cfg.RelayService, EnableHolePunching: cfg.HolePunching, Metrics: cfg.Metrics})
	if err != nil {
		return err
	}
	return n.StartNetworkOn(ctx, h, cfg)
}

// StartNetworkOn is StartNetwork on a host built by the caller (tests use
// go-libp2p's mocknet); the host must be keyed by the device key. The node
// closes the host when it closes.
func (n *Node) StartNetworkOn(ctx context.Context, h host.Host, cfg NetConfig) error {
	if n.id == nil {
		return ErrLocked
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = time.Minute
	}
	var err error
	ctx, cancel := context.WithCancel(ctx)
	pn := &p2pNet{n: n, h: h, cancel: cancel, socMu: map[cid.Cid]chan struct{}{}, running: map[peerSoc]bool{}, leadWait: defaultLeadWait, joined: map[cid.Cid]bool{}, wanted: map[cid.Cid]bool{}, stats: map[lpeer.ID]*PeerStatus{},
		obs: newNetObserver(cfg.Logger, n.now)}
	onRecords := func(via string) func(cid.Cid, crdt.Result) {
		return func(soc cid.Cid, res crdt.Result) {
			pn.obs.storedRecords(via, soc, res)
			if len(res.Applied) == 0 {
				return
			}
			// Close waits for these, so that none reads a closed store.
			pn.mu.Lock()
			defer pn.mu.Unlock()
			if pn.closing {
				return
			}
			pn.wg.Add(1)
			go func() {
				defer pn.wg.Done()
				n.OnRecords(soc, res)
			}()
		}
	}
	// Gossip first: no topic is joined yet, so none of its hooks runs
	// before the sync service they use exists.
	pn.gossip, err = p2p.NewGossip(ctx, h, n.store, p2p.GossipOptions{
		OnRecords: onRecords(viaGossip),
		OnMissing: func(soc cid.Cid, from lpeer.ID) { pn.syncPeer(ctx, from, soc) },
		Member:    n.memberDevice,
		OnAck:     func(soc cid.Cid, _ lpeer.ID, seq uint64) { n.noteAcked(soc, seq) },
		OnReject:  func(soc cid.Cid, from lpeer.ID, err error) { pn.obs.rejected(viaGossip, soc, from, err) },
		Admit:     membership.PastCut,
	})
	if err != nil {
		h.Close()
		cancel()
		return err
	}
	pn.sync = recsync.New(h, n.store, recsync.Options{
		Societies: pn.societies,
		Member:    n.memberDevice,
		Invited:   n.invitedDevice,
		Known:     n.knownDevice,
		OnRecords: onRecords(viaSync),
		Admit:     n.admitFrom,
		OnProgress: func(p recsync.Progress) {
			n.progress(&pn.synced, p)
			pn.obs.syncEnded(p)
		},
		OnBadPeer: func(p lpeer.ID, soc cid.Cid, err error) {
			pn.obs.rejected(viaSync, soc, p, err)
			pn.gossip.Penalize(p, p2p.PenaltyBadSync)
			pn.obs.penalised(soc, p, err, p2p.PenaltyBadSync)
			_ = h.Network().ClosePeer(p)
		},
	})
	pn.disc, err = p2p.StartDiscovery(ctx, h, p2p.Config{Peers: cfg.Peers, MDNS: cfg.MDNS,
		OnConnect: func(p lpeer.ID) { pn.syncAll(ctx, p) }})
	if err != nil {
		pn.gossip.Close()
		pn.sync.Close()
		h.Close()
		cancel()
		return err
	}
	if cfg.DHT {
		if pn.rdv, err = p2p.StartRendezvous(ctx, h, p2p.RendezvousOptions{Server: cfg.RelayService}); err != nil {
			pn.disc.Close()
			pn.gossip.Close()
			pn.sync.Close()
			h.Close()
			cancel()
			return err
		}
	}
	if cfg.Metrics != nil {
		if err := cfg.Metrics.Register(netCollector{pn}); err != nil {
			pn.Close()
			return fmt.Errorf("node: register metrics: %w", err)
		}
		pn.metrics = cfg.Metrics
	}
	pn.wg.Add(2)
	go pn.periodic(ctx, cfg.SyncInterval)
	go func() {
		defer pn.wg.Done()
		n.closeLoop(ctx)
	}()
	return n.AttachNetwork(pn)
}

func (pn *p2pNet) societies() []cid.Cid {
	socs, _ := pn.n.store.Societies()
	pn.mu.Lock()
	defer pn.mu.Unlock()
	for w := range pn.wanted {
		held := false
		for _, s := range socs {
			held = held || s.Equals(w)
		}
		if !held {
			socs = append(socs, w)
		}
	}
	return socs
}

func (pn *p2pNet) record(p lpeer.ID, st recsync.Stats) {
	pn.mu.Lock()
	defer pn.mu.Unlock()
	ps := pn.stats[p]
	if ps == nil {
		ps = &PeerStatus{ID: p.String()}
		pn.stats[p] = ps
	}
	ps.LastSync = time.Now().UTC().Format(time.RFC3339)
	ps.RecordsIn += st.RecordsIn
	ps.RecordsOut += st.RecordsOut
}

func (pn *p2pNet) syncPeer(ctx context.Context, p lpeer.ID, soc cid.Cid) {
	// One outgoing sync per peer and society: another one asked for
	// meanwhile would find nothing more.
	k := peerSoc{p, soc}
	pn.mu.Lock()
	if pn.running[k] {
		pn.mu.Unlock()
		return
	}
	pn.running[k] = true
	lead := pn.socMu[soc]
	if lead == nil {
		lead = make(chan struct{}, 1)
		pn.socMu[soc] = lead
	}
	pn.mu.Unlock()
	defer func() {
		pn.mu.Lock()
		delete(pn.running, k)
		pn.mu.Unlock()
	}()
	// Syncs of one society run one after the other while they go well:
	// after the first has brought this node up to date, the next ones only
	// exchange vectors, instead of all peers sending the same records at
	// once. A sync that holds the lead for longer than leadWait (a slow or
	// stalled peer) no longer holds up the others: they run alongside.
	wait := time.NewTimer(pn.leadWait)
	defer wait.Stop()
	select {
	case lead <- struct{}{}:
		defer func() { <-lead }()
	case <-wait.C:
	case <-ctx.Done():
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if st, err := pn.sync.Sync(ctx, p, soc); err == nil {
		pn.record(p, st)
	}
}

func (pn *p2pNet) syncAll(ctx context.Context, p lpeer.ID) {
	for _, soc := range pn.societies() {
		if ctx.Err() != nil {
			return
		}
		pn.syncPeer(ctx, p, soc)
	}
}

// periodic syncs with every connected peer now and then, with jitter.
func (pn *p2pNet) periodic(ctx context.Context, mean time.Duration) {
	defer pn.wg.Done()
	for {
		wait := mean/2 + time.Duration(rand.Int64N(int64(mean)))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		for _, p := range pn.h.Network().Peers() {
			pn.syncAll(ctx, p)
		}
	}
}

// Join implements Network.
func (pn *p2pNet) Join(soc cid.Cid) error {
	pn.mu.Lock()
	if pn.joined[soc] {
		pn.mu.Unlock()
		return nil
	}
	pn.joined[soc] = true
	pn.mu.Unlock()
	if err := pn.gossip.Join(soc); err != nil {
		return fmt.Errorf("node: join society topic: %w", err)
	}
	if pn.rdv != nil {
		if err := pn.rdv.Add(soc); err != nil {
			return fmt.Errorf("node: rendezvous: %w", err)
		}
	}
	return nil
}

// Publish implements Network.
func (pn *p2pNet) Publish(soc cid.Cid, raw []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = pn.gossip.Publish(ctx, soc, raw) // with no peers, sync carries it later
}

// Addrs implements Network.
func (pn *p2pNet) Addrs() []string { return p2p.FullAddrs(pn.h) }

// Fetch implements Network.
func (pn *p2pNet) Fetch(ctx context.Context, soc cid.Cid, addrs []string, ic *InviteCode) error {
	infos, err := p2p.ParsePeers(addrs)
	if err != nil {
		return err
	}
	pn.mu.Lock()
	pn.wanted[soc] = true
	pn.mu.Unlock()
	var errs []error
	for _, ai := range infos {
		if ai.ID == pn.h.ID() {
			continue
		}
		if err := pn.h.Connect(ctx, ai); err != nil {
			errs = append(errs, err)
			continue
		}
		var st recsync.Stats
		if ic != nil {
			proof := ed25519.Sign(ic.Secret, membership.SyncInviteMessage(crdt.Link{Cid: soc}, []byte(pn.h.ID())))
			st, err = pn.sync.SyncInvited(ctx, ai.ID, soc, recsync.Invitation{Invite: ic.Invite, Proof: proof})
		} else {
			st, err = pn.sync.Sync(ctx, ai.ID, soc)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pn.record(ai.ID, st)
		return nil
	}
	if len(errs) == 0 {
		return refusal.Prefixed("node", "the invite names no address to reach")
	}
	return errors.Join(errs...)
}

// Peers implements Network.
func (pn *p2pNet) Peers() []PeerStatus {
	out := []PeerStatus{}
	gossiped := pn.gossip.PeerRecords()
	pn.mu.Lock()
	defer pn.mu.Unlock()
	for _, p := range pn.h.Network().Peers() {
		ps := PeerStatus{ID: p.String()}
		if s := pn.stats[p]; s != nil {
			ps = *s
		}
		ps.RecordsIn += gossiped[p].In
		ps.RecordsOut += gossiped[p].Out
		ps.Addrs = nil
		for _, c := range pn.h.Network().ConnsToPeer(p) {
			ps.Addrs = append(ps.Addrs, c.RemoteMultiaddr().String())
		}
		out = append(out, ps)
	}
	return out
}

// SyncStatus describes the catch-up in progress.
func (pn *p2pNet) SyncStatus() SyncStatus { return pn.synced.status() }

// LANError says why LAN discovery is not running although it was asked
// for, or nil.
func (pn *p2pNet) LANError() error { return pn.disc.LANError() }

// Rejections counts what peers sent that was refused.
func (pn *p2pNet) Rejections() *RejectionStatus { return pn.obs.status() }

// Close implements Network.
func (pn *p2pNet) Close() error {
	pn.mu.Lock()
	pn.closing = true
	pn.mu.Unlock()
	if pn.metrics != nil {
		pn.metrics.Unregister(netCollector{pn})
	}
	pn.cancel()
	if pn.rdv != nil {
		pn.rdv.Close()
	}
	pn.disc.Close()
	pn.gossip.Close()
	pn.sync.Close()
	pn.wg.Wait()
	return pn.h.Close()
}

// memberDevice reports whether a peer's device (the peer ID is the device
// key) may write to a society: certified for an active member, not
// revoked, forked or cut.
func (n *Node) memberDevice(soc cid.Cid, p lpeer.ID) bool {
	key, ok := p2p.DeviceKey(p)
	if !ok {
		return false
	}
	member := false
	_ = n.store.View(soc, func(r *crdt.Reader) error {
		dv, ok, err := membership.DeviceOf(r, key)
		if err != nil || !ok {
			return err
		}
		member = membership.CanWrite(r, key, dv.Member) == nil
		return nil
	})
	return member
}

// admitFrom is the node's policy on the records a peer sends by sync
// (recsync.Options.Admit): a member device's are all taken, as they may
// be parents of its member's records; anyone else's (a stranger's, a
// revoked device's own) are refused when written after their device's
// cut (membership.PastCut). Gossip refuses those from everyone, so once a
// revocation is known here, the revoked device can make this node store
// only what member devices took while they did not know it yet.
func (n *Node) admitFrom(soc cid.Cid, p lpeer.ID) crdt.Admit {
	if n.memberDevice(soc, p) {
		return nil
	}
	return membership.PastCut
}

// Why a sync invite proof is refused (invitedDevice).
var (
	errInviteUnknown = refusal.Prefixed("node", "no such invite in the society")
	errInviteOver    = refusal.Prefixed("node", "the invite is revoked, expired or used up")
	errInviteProof   = refusal.Prefixed("node", "the invite proof does not verify")
)

// invitedDevice judges the invite proof in the sync hello of a peer that is
// no member device of soc (recsync.Options.Invited): the invite must be
// held, unrevoked, unexpired and not used up, and its key must have signed
// membership.SyncInviteMessage for this peer. The peer may then send only
// its own join records.
func (n *Node) invitedDevice(soc cid.Cid, p lpeer.ID, invite cid.Cid, proof []byte) (func(*crdt.Record) bool, error) {
	key, ok := p2p.DeviceKey(p)
	if !ok {
		return nil, errInviteProof
	}
	err := n.store.View(soc, func(r *crdt.Reader) error {
		iv, ok, err := membership.InviteState(r, invite)
		switch {
		case err != nil:
			return err
		case !ok:
			return errInviteUnknown
		case iv.Revoked || iv.Used >= iv.Uses || n.nowMs() > iv.Expires:
			return errInviteOver
		case len(iv.Key) != ed25519.PublicKeySize || !ed25519.Verify(iv.Key, membership.SyncInviteMessage(crdt.Link{Cid: soc}, []byte(p)), proof):
			return errInviteProof
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(rec *crdt.Record) bool {
		return rec.Type == membership.TypeJoin && bytes.Equal(rec.Author, key)
	}, nil
}

// knownDevice reports whether a peer is a member device of some society
// this node holds.
func (n *Node) knownDevice(p lpeer.ID) bool {
	socs, err := n.store.Societies()
	if err != nil {
		return false
	}
	for _, soc := range socs {
		if n.memberDevice(soc, p) {
			return true
		}
	}
	return false
}
