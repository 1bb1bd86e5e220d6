package node

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// Errors a front end may want to tell apart.
var (
	ErrLocked          = refusal.Prefixed("node", "the identity is locked (no passphrase given)")
	ErrNoSociety       = refusal.Prefixed("node", "no such society here")
	ErrWhichSociety    = refusal.Prefixed("node", "this member belongs to several societies: say which with --society ID")
	ErrNotMember       = ledger.ErrNotMember
	ErrSocietyRecords  = refusal.Prefixed("node", "this device does not hold the society's records yet: import them (commons-node import FILE.car) or connect to a member's peer")
	ErrAlreadyJoined   = refusal.Prefixed("node", "this device already asked to join this society")
	ErrAlreadyMember   = refusal.Prefixed("node", "already a member of this society")
	ErrRecordNotStored = refusal.Prefixed("node", "the record was not stored")
)

// Node is one member's peer: identity, store and ledger.
type Node struct {
	paths Paths
	pub   PublicIdentity
	id    *identity.Identity // nil when opened without the passphrase
	store *crdt.Store
	// peerLock is held from Open to Close by a peer (Options.Peer).
	peerLock *peerLock
	clock    *crdt.Clock
	mu       sync.Mutex // serialises authoring so the device chain never forks
	now      func() time.Time
	netMu    sync.Mutex
	net      Network
	changed  chan struct{}
	shared   sharedSeqs // this device's records known to be held elsewhere
	// closeMu guards closeDone: the proposals (society/proposal) for which
	// closeDue has nothing more to write.
	closeMu   sync.Mutex
	closeDone map[string]bool
	// fx keeps each society's governance effects (see Node.effects).
	fx fxCache
	// closeWrite writes one automatic close (writeClose when nil; tests
	// make it refuse).
	closeWrite func(soc, id cid.Cid) error
}

// Options tune Open.
type Options struct {
	// Now is the wall clock (time.Now when nil); tests may fix it.
	Now func() time.Time
	// StoreProfile sizes the store (crdt.ProfileDesktop when zero; phones
	// use crdt.ProfilePhone).
	StoreProfile crdt.Profile
	// LockWait is how long Open waits while another process holds the
	// store (DefaultLockWait when zero; no wait when negative).
	LockWait time.Duration
	// OnWait, when set, is called once if Open has to wait for the store
	// (to tell the user, or to synchronise a test).
	OnWait func()
	// KDF is the cost of the passphrase's key derivation for a key this
	// node's home creates (identity.KDFDesktop when zero; phones use
	// identity.KDFPhone, see mobile.Options).
	KDF identity.KDF
	// Peer marks a long-running peer (commons-node run, the app): it
	// takes the store before one-shot commands that want it at the same
	// time, and keeps the home's peer lock until Close.
	Peer bool
}

// Init creates a new identity in home (or restores one from a recovery
// phrase) and saves it encrypted with the passphrase, which must pass
// CheckNewPassphrase.
func Init(home, name, phrase string, passphrase []byte) (*identity.Identity, error) {
	return InitKDF(home, name, phrase, passphrase, identity.KDFDesktop)
}

// InitKDF is Init with the key file's derivation cost (identity.KDFPhone
// for a key made on a phone).
func InitKDF(home, name, phrase string, passphrase []byte, kdf identity.KDF) (*identity.Identity, error) {
	p := Paths{Home: home}
	if _, err := os.Stat(p.Identity()); err == nil {
		return nil, refusal.Prefixed("node", "%s already holds an identity", home)
	}
	if strings.TrimSpace(name) == "" {
		return nil, refusal.Prefixed("node", "a name is needed")
	}
	if err := CheckNewPassphrase(passphrase); err != nil {
		return nil, err
	}
	var id *identity.Identity
	var err error
	if phrase != "" {
		id, err = identity.Restore(name, phrase)
	} else {
		id, err = identity.New(name)
	}
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("node: create home: %w", err)
	}
	if err := identity.SaveKDF(p.Identity(), id, passphrase, kdf); err != nil {
		return nil, err
	}
	if err := savePublic(p, PublicIdentity{MemberID: id.MemberID(), DeviceID: id.DeviceID(), Name: name,
		Member: id.MemberPublic(), Device: id.DevicePublic()}); err != nil {
		return nil, err
	}
	return id, nil
}

// Open opens the node of a home. id may be nil for read-only use. While
// another process holds the store, Open waits for it (Options.LockWait);
// it returns ErrBusy if a peer serves the home, and ErrStoreBusy or
// ErrPeerHung if the store stays held.
func Open(home string, id *identity.Identity, opt Options) (*Node, error) {
	p := Paths{Home: home}
	pub, err := LoadPublic(p)
	if err != nil {
		return nil, err
	}
	if id != nil && id.MemberID() != pub.MemberID {
		return nil, refusal.Prefixed("node", "%s does not match the identity", p.Public())
	}
	st, pl, err := openStore(p, opt)
	if err != nil {
		return nil, err
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	n := &Node{paths: p, pub: pub, id: id, store: st, peerLock: pl, clock: crdt.NewClock(opt.Now), now: opt.Now}
	n.shared.load(p.Shared(), pub.DeviceID)
	return n, nil
}

// Close closes the store.
func (n *Node) Close() error {
	if net := n.network(); net != nil {
		_ = net.Close()
	}
	defer n.peerLock.release()
	return n.store.Close()
}

// Store exposes the record store (for the network layer and tests).
func (n *Node) Store() *crdt.Store { return n.store }

// Public returns the local member's public identity.
func (n *Node) Public() PublicIdentity { return n.pub }

func idOf(pub []byte) string {
	s, err := identity.IDFromPublicKey(ed25519.PublicKey(pub))
	if err != nil {
		return fmt.Sprintf("invalid-key-%x", pub)
	}
	return s
}

// society resolves a society ID string, or the only society when empty.
func (n *Node) society(s string) (cid.Cid, error) {
	socs, err := n.store.Societies()
	if err != nil {
		return cid.Undef, err
	}
	if s == "" {
		switch len(socs) {
		case 0:
			return cid.Undef, refusal.New(ErrNoSociety, "create one or join one first")
		case 1:
			return socs[0], nil
		}
		return cid.Undef, ErrWhichSociety
	}
	c, err := cid.Decode(s)
	if err != nil {
		return cid.Undef, &DetailError{
			Err:    refusal.New(ErrNoSociety, "%q is not a society ID (society IDs start with \"bafy\"; status lists yours)", s),
			Detail: err,
		}
	}
	for _, x := range socs {
		if x.Equals(c) {
			return c, nil
		}
	}
	return cid.Undef, refusal.New(ErrNoSociety, "%s", c)
}

// author signs and stores a new record of the local device. The caller
// holds n.mu.
func (n *Node) author(soc cid.Cid, typ string, body any, deps []cid.Cid) (cid.Cid, error) {
	if n.id == nil {
		return cid.Undef, ErrLocked
	}
	b, err := crdt.Marshal(body)
	if err != nil {
		return cid.Undef, err
	}
	dev := []byte(n.id.DevicePublic())
	if typ != membership.TypeGenesis && typ != membership.TypeJoin && typ != membership.TypeDevice {
		var anchor cid.Cid
		err := n.store.View(soc, func(r *crdt.Reader) error {
			if err := membership.CanWrite(r, dev, n.pub.Member); err != nil {
				return err
			}
			if fx, err := n.effects(r); err != nil {
				return err
			} else if _, gone := fx.Removed(n.pub.Member); gone {
				return refusal.New(ledger.ErrNotMember, "a decision of the society removed you")
			}
			head, err := r.Head(dev)
			if err != nil || head.Seq > 0 {
				return err
			}
			// A device new to this society (a restored identity) first
			// certifies itself, naming its member's admission.
			mv, _, err := membership.Member(r, n.pub.Member)
			if err != nil {
				return err
			}
			anchor = soc // the founder's genesis
			if len(mv.Admit) > 0 {
				if anchor, err = cid.Cast(mv.Admit); err != nil {
					return fmt.Errorf("%w: admission link: %v", crdt.ErrCorrupt, err)
				}
			}
			return nil
		})
		if err != nil {
			return cid.Undef, err
		}
		if anchor.Defined() {
			if _, err := n.author(soc, membership.TypeDevice, membership.Device{Cert: n.id.Cert, Name: "device"}, []cid.Cid{anchor}); err != nil {
				return cid.Undef, fmt.Errorf("node: certify this device: %w", err)
			}
		}
	}
	rec := &crdt.Record{Version: crdt.FormatVersion, Type: typ, Body: b}
	var maxT crdt.HLC
	err = n.store.View(soc, func(r *crdt.Reader) error {
		head, err := r.Head(dev)
		if err != nil {
			return err
		}
		rec.Seq = head.Seq + 1
		if head.Seq > 0 {
			rec.Prev = &crdt.Link{Cid: head.CID}
			maxT = head.Time
			hm, _, err := r.Meta(head.CID)
			if err != nil {
				return err
			}
			if hm.Flags&membership.FlagAnchored == 0 && typ != membership.TypeJoin {
				// First record after admission: carry the admission.
				mv, ok, err := membership.Member(r, n.pub.Member)
				if err != nil {
					return err
				}
				if !ok || mv.Status != membership.StatusActive || len(mv.Admit) == 0 {
					return ErrNotMember
				}
				ac, err := cid.Cast(mv.Admit)
				if err != nil {
					return fmt.Errorf("%w: admission link: %v", crdt.ErrCorrupt, err)
				}
				deps = append(deps, ac)
			}
		}
		for _, d := range deps {
			m, ok, err := r.Meta(d)
			if err != nil {
				return err
			}
			if !ok {
				return refusal.New(crdt.ErrNotFound, "dependency %s", d)
			}
			maxT = max(maxT, m.Time)
		}
		return nil
	})
	if err != nil {
		return cid.Undef, err
	}
	if typ != membership.TypeGenesis {
		rec.Society = &crdt.Link{Cid: soc}
	}
	rec.Deps = crdt.SortLinks(deps)
	n.clock.Observe(maxT)
	rec.Time = n.clock.Now()
	raw, c, err := rec.Sign(n.id.Device)
	if err != nil {
		return cid.Undef, err
	}
	if typ == membership.TypeGenesis {
		soc = c
	}
	res, err := n.store.Ingest(soc, [][]byte{raw})
	if err != nil {
		return cid.Undef, err
	}
	if len(res.Rejected) > 0 {
		return cid.Undef, refusal.New(ErrRecordNotStored, "%v", res.Rejected[0].Err)
	}
	if len(res.Applied) == 0 {
		return cid.Undef, refusal.New(ErrRecordNotStored, "it waits for records this device lacks")
	}
	if typ == membership.TypeGenesis {
		if net := n.network(); net != nil {
			if err := net.Join(soc); err != nil {
				return c, err
			}
		}
	}
	n.publish(soc, raw)
	n.notify()
	return c, nil
}

// Status describes the member and the societies held.
func (n *Node) Status() (*Status, error) {
	st := &Status{Member: MemberStatus{ID: n.pub.MemberID, Name: n.pub.Name, DeviceID: n.pub.DeviceID}, Societies: []SocietyStatus{}}
	socs, err := n.store.Societies()
	if err != nil {
		return nil, err
	}
	for _, soc := range socs {
		ss, err := n.societyStatus(soc)
		if err != nil {
			return nil, err
		}
		st.Societies = append(st.Societies, *ss)
	}
	st.Pending, _ = n.store.PendingCount()
	if net := n.network(); net != nil {
		st.Network = &NetworkStatus{Addrs: net.Addrs(), Peers: net.Peers()}
		if s, ok := net.(interface{ SyncStatus() SyncStatus }); ok {
			st.Network.Sync = s.SyncStatus()
		}
		if l, ok := net.(interface{ LANError() error }); ok && l.LANError() != nil {
			st.Network.LAN = l.LANError().Error()
		}
		if r, ok := net.(interface{ Rejections() *RejectionStatus }); ok {
			st.Network.Rejections = r.Rejections()
		}
	}
	return st, nil
}

func (n *Node) societyStatus(soc cid.Cid) (*SocietyStatus, error) {
	h, count, err := n.store.State(soc)
	if err != nil {
		return nil, err
	}
	ss := &SocietyStatus{ID: soc.String(), Records: count, StateHash: h.String(), Me: "none"}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		fx, err := n.effects(r)
		if err != nil {
			return err
		}
		ss.Name, ss.Settings = sv.Name, fx.Settings
		ss.Founder, ss.FounderID = bytes.Equal(sv.Founder, n.pub.Member), idOf(sv.Founder)
		if ss.Unshared, err = n.unshared(r); err != nil {
			return err
		}
		if ss.Members, err = membership.MemberCount(r); err != nil {
			return err
		}
		mv, ok, err := membership.Member(r, n.pub.Member)
		if err != nil {
			return err
		}
		switch {
		case ok && mv.Status == membership.StatusActive && removed(fx, n.pub.Member):
			ss.Me = membership.StatusRemoved
		case ok && mv.Status == membership.StatusActive && bytes.Equal(sv.Founder, n.pub.Member):
			ss.Me = "founder"
		case ok && mv.Status == membership.StatusActive:
			ss.Me = "member"
		case ok:
			ss.Me = mv.Status
		default:
			head, err := r.Head(n.pub.Device)
			if err != nil {
				return err
			}
			if head.Seq > 0 {
				ss.Me = "waiting"
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	forks, err := n.store.Forks(soc)
	if err != nil {
		return nil, err
	}
	ss.Forks = len(forks)
	return ss, nil
}

// CreateSociety founds a society with the local member as founder.
func (n *Node) CreateSociety(name string) (*SocietyStatus, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, refusal.Prefixed("node", "a society needs a name")
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	g := membership.Genesis{Name: name, Settings: membership.DefaultSettings(), Cert: n.id.Cert, Nonce: nonce, Founder: n.pub.Name}
	c, err := n.author(cid.Undef, membership.TypeGenesis, g, nil)
	if err != nil {
		return nil, err
	}
	return n.societyStatus(c)
}

// Invite makes an invite code for a society.
func (n *Node) Invite(req InviteRequest) (*InviteResult, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	if req.ExpiresHours == 0 {
		req.ExpiresHours = 7 * 24
	}
	if req.Uses == 0 {
		req.Uses = 1
	}
	if req.ExpiresHours < 0 || req.ExpiresHours > 24*366 || req.Uses < 0 || req.Uses > 1000 {
		return nil, refusal.Prefixed("node", "an invite lasts 1 hour to a year and allows 1 to 1000 uses")
	}
	pub, sec, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	exp := n.now().Add(time.Duration(req.ExpiresHours) * time.Hour)
	n.mu.Lock()
	defer n.mu.Unlock()
	c, err := n.author(soc, membership.TypeInvite, membership.Invite{Key: pub, Expires: uint64(exp.UnixMilli()), Uses: uint64(req.Uses)}, nil)
	if err != nil {
		return nil, err
	}
	var name string
	_ = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		name = sv.Name
		return err
	})
	code := InviteCode{Society: soc, Invite: c, Secret: sec, Name: name}
	if net := n.network(); net != nil {
		code.Addrs = net.Addrs()
	}
	return &InviteResult{Code: code.String(), Invite: c.String(), Society: soc.String(), Expires: exp.UTC().Format(time.RFC3339)}, nil
}

// Join asks to join the society of an invite code. The society's records
// (at least up to the invite) must be held; the inviter's node admits the
// join when it receives it.
func (n *Node) Join(code string) (*JoinResult, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	ic, err := ParseInviteCode(code)
	if err != nil {
		return nil, err
	}
	res := &JoinResult{Society: ic.Society.String(), Name: ic.Name}
	net := n.network()
	if net != nil {
		if err := net.Join(ic.Society); err != nil {
			return nil, err
		}
		if len(ic.Addrs) == 0 {
			// A code without addresses (made offline): ask the peers
			// already connected, such as those found by mDNS.
			for _, p := range net.Peers() {
				ic.Addrs = append(ic.Addrs, "/p2p/"+p.ID)
			}
		}
		if len(ic.Addrs) > 0 {
			var held bool
			_ = n.store.View(ic.Society, func(r *crdt.Reader) error {
				_, held, _ = r.Meta(ic.Invite)
				return nil
			})
			if !held {
				ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
				err := net.Fetch(ctx, ic.Society, ic.Addrs, &ic)
				cancel()
				if err != nil {
					return nil, fmt.Errorf("node: could not reach the inviter to fetch the society's records: %w", err)
				}
			}
		}
	}
	c, err := n.writeJoin(ic)
	if err != nil {
		return nil, err
	}
	res.Join = c.String()
	res.Admitted = n.waitAdmitted(ic, net)
	return res, nil
}

// writeJoin checks that this device may join with ic and writes its join
// record (admitting it at once when this device made the invite).
func (n *Node) writeJoin(ic InviteCode) (cid.Cid, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	err := n.store.View(ic.Society, func(r *crdt.Reader) error {
		if _, ok, err := r.Meta(ic.Invite); err != nil {
			return err
		} else if !ok {
			return ErrSocietyRecords
		}
		if active, err := membership.IsActive(r, n.pub.Member); err != nil {
			return err
		} else if active {
			return ErrAlreadyMember
		}
		if h, err := r.Head(n.pub.Device); err != nil {
			return err
		} else if h.Seq > 0 {
			return ErrAlreadyJoined
		}
		return nil
	})
	if err != nil {
		return cid.Undef, err
	}
	proof := ed25519.Sign(ic.Secret, membership.JoinMessage(crdt.Link{Cid: ic.Society}, n.id.MemberPublic(), n.id.DevicePublic()))
	j := membership.Join{Invite: crdt.Link{Cid: ic.Invite}, Cert: n.id.Cert, Proof: proof, Name: n.pub.Name}
	c, err := n.author(ic.Society, membership.TypeJoin, j, []cid.Cid{ic.Invite})
	if err != nil {
		return cid.Undef, err
	}
	if _, err := n.autoAdmit(ic.Society); err != nil {
		return cid.Undef, err
	}
	return c, nil
}

// joinTimeout bounds how long join waits for the inviter.
const joinTimeout = 15 * time.Second

// admitRetry is how long join waits for the admission before fetching
// again.
const admitRetry = time.Second

// waitAdmitted pushes the join to the inviter (when reachable) and waits,
// up to joinTimeout, for the admission to arrive.
func (n *Node) waitAdmitted(ic InviteCode, net Network) bool {
	active := func() bool {
		var ok bool
		_ = n.store.View(ic.Society, func(r *crdt.Reader) error {
			ok, _ = membership.IsActive(r, n.pub.Member)
			return nil
		})
		return ok
	}
	if active() || net == nil || len(ic.Addrs) == 0 {
		return active()
	}
	deadline := time.NewTimer(joinTimeout)
	defer deadline.Stop()
	for !active() {
		ch := n.changes()
		ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
		_ = net.Fetch(ctx, ic.Society, ic.Addrs, &ic)
		cancel()
		if active() {
			return true
		}
		// The admission comes by gossip, or by the next fetch: the
		// inviter serves this device in full once it is admitted.
		retry := time.NewTimer(admitRetry)
		select {
		case <-ch:
		case <-retry.C:
		case <-deadline.C:
			retry.Stop()
			return active()
		}
		retry.Stop()
	}
	return true
}

// autoAdmit admits the pending joins that used this device's invites and
// that the invites still allow. The caller holds n.mu.
func (n *Node) autoAdmit(soc cid.Cid) (int, error) {
	if n.id == nil {
		return 0, nil
	}
	type todo struct{ join, invite cid.Cid }
	var admits []todo
	nowMs := uint64(n.now().UnixMilli())
	err := n.store.View(soc, func(r *crdt.Reader) error {
		joins, err := membership.PendingJoins(r)
		if err != nil {
			return err
		}
		used := map[cid.Cid]uint64{}
		for _, j := range joins {
			iv, ok, err := membership.InviteState(r, j.Invite.Cid)
			if err != nil {
				return err
			}
			if !ok || !bytes.Equal(iv.Author, n.pub.Device) || iv.Revoked || nowMs > iv.Expires || iv.Used+used[j.Invite.Cid] >= iv.Uses {
				continue
			}
			used[j.Invite.Cid]++
			admits = append(admits, todo{j.Join.Cid, j.Invite.Cid})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, a := range admits {
		if _, err := n.author(soc, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: a.join}, Invite: crdt.Link{Cid: a.invite}}, []cid.Cid{a.join, a.invite}); err != nil {
			return 0, fmt.Errorf("node: admit %s: %w", a.join, err)
		}
	}
	return len(admits), nil
}

// SetProfile changes some of the local member's profile fields.
func (n *Node) SetProfile(req ProfileRequest) error {
	if n.id == nil {
		return ErrLocked
	}
	if req.Name == nil && req.Bio == nil && req.Skills == nil {
		return refusal.Prefixed("node", "nothing to change: give --name, --bio or --skills")
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err = n.author(soc, membership.TypeProfile, membership.Profile{Name: req.Name, Bio: req.Bio, Skills: req.Skills}, nil); err != nil {
		return err
	}
	if req.Name != nil && *req.Name != n.pub.Name {
		pub := n.pub
		pub.Name = *req.Name
		if err := savePublic(n.paths, pub); err != nil {
			return err
		}
		n.pub = pub
	}
	return nil
}

// Export writes a society's records to a CAR file (atomically).
func (n *Node) Export(req ExportRequest) (*ExportResult, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	if req.Path == "" {
		return nil, refusal.Prefixed("node", "export needs a file name")
	}
	dir := filepath.Dir(req.Path)
	f, err := os.CreateTemp(dir, ".export-*.car")
	if err != nil {
		return nil, fmt.Errorf("node: export: %w", err)
	}
	defer os.Remove(f.Name())
	count, err := n.store.ExportCAR(soc, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), req.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("node: export: %w", err)
	}
	return &ExportResult{Society: soc.String(), Records: count, Path: req.Path}, nil
}

// ErrBadImport is returned when a CAR file holds records that fail their
// checks; nothing from such a file is stored.
var ErrBadImport = refusal.Prefixed("node", "the file holds bad records; nothing was imported")

// Import verifies every record of a CAR file and stores the valid ones. A
// file with any record that fails its signature or CID check is refused
// whole. Records the ledger rejects (for example a non-member's) are
// reported and not stored.
func (n *Node) Import(path string) (*ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("node: import: %w", err)
	}
	defer f.Close()
	b, err := crdt.ReadCAR(f)
	if err != nil {
		return nil, fmt.Errorf("node: import %s: %w", path, err)
	}
	if len(b.Bad) > 0 {
		var lines []string
		for _, r := range b.Bad {
			lines = append(lines, fmt.Sprintf("%s: %v", r.CID, r.Err))
		}
		return nil, fmt.Errorf("%w:\n  %s", ErrBadImport, strings.Join(lines, "\n  "))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	res, err := n.store.Ingest(b.Society, b.Records)
	if err != nil {
		return nil, err
	}
	out := &ImportResult{Society: b.Society.String(), Stored: len(res.Applied), Duplicates: res.Duplicates, Waiting: res.Pending}
	if err := n.noteImported(b.Society, b.Records); err != nil {
		return nil, err
	}
	if net := n.network(); net != nil && len(res.Applied) > 0 {
		if err := net.Join(b.Society); err != nil {
			return nil, err
		}
	}
	for _, r := range res.Rejected {
		out.Rejected = append(out.Rejected, fmt.Sprintf("%s: %v", r.CID, r.Err))
	}
	if len(res.Applied) > 0 || res.Duplicates > 0 {
		if out.Admitted, err = n.autoAdmit(b.Society); err != nil {
			return nil, err
		}
	}
	h, _, err := n.store.State(b.Society)
	if err != nil {
		return nil, err
	}
	out.StateHash = h.String()
	return out, nil
}

var _ API = (*Node)(nil)
