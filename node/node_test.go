package node

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// peer is one member's node in a test, with its home and identity.
type peer struct {
	*Node
	name string
	home string
	id   *identity.Identity
}

// newPeer creates an identity in a fresh home and opens its node; the node
// is closed when the test ends.
func newPeer(t testing.TB, name string, opt Options) *peer {
	t.Helper()
	home, id := initHome(t, name)
	n, err := Open(home, id, opt)
	if err != nil {
		t.Fatalf("Open %s: %v", name, err)
	}
	t.Cleanup(func() { n.Close() })
	return &peer{Node: n, name: name, home: home, id: id}
}

// initHome creates an identity in a fresh home.
func initHome(t testing.TB, name string) (string, *identity.Identity) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	id, err := Init(home, name, "", []byte("pass-"+name))
	if err != nil {
		t.Fatalf("Init %s: %v", name, err)
	}
	return home, id
}

// export writes soc's records of p to a new CAR file and returns its path.
func (p *peer) export(t testing.TB, soc string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), p.name+".car")
	res, err := p.Export(ExportRequest{Society: soc, Path: path})
	if err != nil {
		t.Fatalf("%s: Export: %v", p.name, err)
	}
	if res.Society != soc || res.Path != path || res.Records < 1 {
		t.Fatalf("%s: Export = %+v", p.name, res)
	}
	return path
}

// importFile imports a CAR file into p and fails on any rejected record.
func (p *peer) importFile(t testing.TB, path string) *ImportResult {
	t.Helper()
	res, err := p.Import(path)
	if err != nil {
		t.Fatalf("%s: Import: %v", p.name, err)
	}
	if len(res.Rejected) > 0 {
		t.Fatalf("%s: Import rejected %v", p.name, res.Rejected)
	}
	return res
}

// pull copies the records of soc from src to p: src exports, p imports.
func (p *peer) pull(t testing.TB, src *peer, soc string) *ImportResult {
	t.Helper()
	return p.importFile(t, src.export(t, soc))
}

// society returns p's status of one society.
func (p *peer) society(t testing.TB, soc string) SocietyStatus {
	t.Helper()
	st, err := p.Status()
	if err != nil {
		t.Fatalf("%s: Status: %v", p.name, err)
	}
	for _, s := range st.Societies {
		if s.ID == soc {
			return s
		}
	}
	t.Fatalf("%s: Status has no society %s: %+v", p.name, soc, st.Societies)
	return SocietyStatus{}
}

// member returns how p's ledger sees the member m.
func (p *peer) member(t testing.TB, soc string, m *peer) (membership.MemberView, bool) {
	t.Helper()
	c, err := cid.Decode(soc)
	if err != nil {
		t.Fatal(err)
	}
	var mv membership.MemberView
	var found bool
	err = p.Store().View(c, func(r *crdt.Reader) error {
		ms, err := membership.Members(r)
		for _, x := range ms {
			if bytes.Equal(x.Key, m.id.MemberPublic()) {
				mv, found = x, true
			}
		}
		return err
	})
	if err != nil {
		t.Fatalf("%s: Members: %v", p.name, err)
	}
	return mv, found
}

func TestCARExchange(t *testing.T) {
	alice := newPeer(t, "Alice", Options{})
	bob := newPeer(t, "Bob", Options{})

	st, err := alice.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Member.Name != "Alice" || st.Member.ID != alice.id.MemberID() || st.Member.DeviceID != alice.id.DeviceID() || len(st.Societies) != 0 {
		t.Fatalf("fresh Status = %+v", st)
	}

	created, err := alice.CreateSociety("  Garden Club ")
	if err != nil {
		t.Fatal(err)
	}
	soc := created.ID
	if created.Name != "Garden Club" || created.Members != 1 || created.Records != 1 || created.Me != "founder" || !strings.HasPrefix(soc, "bafy") {
		t.Fatalf("CreateSociety = %+v", created)
	}
	inv, err := alice.Invite(InviteRequest{Society: soc})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inv.Code, InvitePrefix) || inv.Society != soc {
		t.Fatalf("Invite = %+v", inv)
	}
	if exp, err := time.Parse(time.RFC3339, inv.Expires); err != nil || exp.Sub(time.Now()) < 167*time.Hour || exp.Sub(time.Now()) > 169*time.Hour {
		t.Fatalf("invite expires %q (%v), want in a week", inv.Expires, err)
	}

	// Bob holds the society's records but has not joined.
	res := bob.pull(t, alice, soc)
	if res.Society != soc || res.Stored != 2 || res.Admitted != 0 {
		t.Fatalf("Bob's first import = %+v", res)
	}
	if s := bob.society(t, soc); s.Me != "none" || s.Members != 1 || s.Name != "Garden Club" {
		t.Fatalf("Bob before joining: %+v", s)
	}
	// Before joining, the ledger refuses a profile as Bob's first record.
	if err := bob.SetProfile(ProfileRequest{Society: soc, Name: ptr("Rob")}); !errors.Is(err, ErrNotMember) && !errors.Is(err, ErrRecordNotStored) {
		t.Fatalf("SetProfile before joining: %v, want ErrNotMember or ErrRecordNotStored", err)
	}
	if s := bob.society(t, soc); s.Records != 2 || s.Me != "none" {
		t.Fatalf("Bob after a refused profile: %+v", s)
	}

	jr, err := bob.Join(inv.Code)
	if err != nil {
		t.Fatal(err)
	}
	if jr.Admitted || jr.Society != soc || jr.Name != "Garden Club" || jr.Join == "" {
		t.Fatalf("Join = %+v", jr)
	}
	if s := bob.society(t, soc); s.Me != "waiting" || s.Members != 1 {
		t.Fatalf("Bob after joining: %+v", s)
	}
	if _, err := bob.Join(inv.Code); !errors.Is(err, ErrAlreadyJoined) {
		t.Fatalf("second Join while waiting: %v, want ErrAlreadyJoined", err)
	}
	if err := bob.SetProfile(ProfileRequest{Society: soc, Name: ptr("Rob")}); !errors.Is(err, ErrNotMember) {
		t.Fatalf("SetProfile while waiting: %v, want ErrNotMember", err)
	}

	// Alice receives the join and admits Bob.
	res = alice.pull(t, bob, soc)
	if res.Stored != 1 || res.Duplicates != 2 || res.Admitted != 1 {
		t.Fatalf("Alice's import of the join = %+v", res)
	}
	as := alice.society(t, soc)
	if as.Members != 2 || as.Me != "founder" || res.StateHash != as.StateHash {
		t.Fatalf("Alice after admitting: %+v (import said %s)", as, res.StateHash)
	}

	// Bob receives the admission.
	res = bob.pull(t, alice, soc)
	if res.Stored != 1 || res.Admitted != 0 {
		t.Fatalf("Bob's import of the admission = %+v", res)
	}
	as, bs := alice.society(t, soc), bob.society(t, soc)
	if bs.Me != "member" || bs.Members != 2 || as.Members != 2 {
		t.Fatalf("after admission: Alice %+v, Bob %+v", as, bs)
	}
	if as.StateHash != bs.StateHash || as.Records != bs.Records || as.Records != 4 {
		t.Fatalf("diverged after admission: Alice %+v, Bob %+v", as, bs)
	}
	if _, err := bob.Join(inv.Code); !errors.Is(err, ErrAlreadyMember) && !errors.Is(err, ErrAlreadyJoined) {
		t.Fatalf("Join as a member: %v, want ErrAlreadyMember or ErrAlreadyJoined", err)
	}

	// Bob edits his profile; Alice sees it.
	before := as.StateHash
	if err := bob.SetProfile(ProfileRequest{Society: soc, Name: ptr("Robert"), Skills: &[]string{"Plumbing", "go"}}); err != nil {
		t.Fatal(err)
	}
	if st, err := bob.Status(); err != nil || st.Member.Name != "Robert" {
		t.Fatalf("Bob's Status after rename: %+v, %v", st, err)
	}
	if pub, err := LoadPublic(Paths{Home: bob.home}); err != nil || pub.Name != "Robert" {
		t.Fatalf("Bob's member.json after rename: %+v, %v", pub, err)
	}
	res = alice.pull(t, bob, soc)
	if res.Stored != 1 || res.Admitted != 0 {
		t.Fatalf("Alice's import of the profile = %+v", res)
	}
	as, bs = alice.society(t, soc), bob.society(t, soc)
	if as.StateHash != bs.StateHash || as.StateHash == before || as.Records != 5 {
		t.Fatalf("after profile: Alice %+v, Bob %+v (before %s)", as, bs, before)
	}
	mv, ok := alice.member(t, soc, bob)
	if !ok || mv.Name != "Robert" || mv.Status != membership.StatusActive || !slices.Equal(mv.Skills, []string{"go", "plumbing"}) {
		t.Fatalf("Alice sees Bob as %+v (found %v)", mv, ok)
	}
	if mv, ok := alice.member(t, soc, alice); !ok || mv.Name != "Alice" {
		t.Fatalf("Alice sees herself as %+v (found %v)", mv, ok)
	}

	// Importing the same file again changes nothing.
	again := bob.export(t, soc)
	res = alice.importFile(t, again)
	if res.Stored != 0 || res.Duplicates != 5 || res.Admitted != 0 || res.StateHash != as.StateHash {
		t.Fatalf("re-import = %+v", res)
	}

	// Carol uses the same single-use invite: her join is stored, but
	// Alice's node does not admit her.
	carol := newPeer(t, "Carol", Options{})
	carol.pull(t, alice, soc)
	jr, err = carol.Join(inv.Code)
	if err != nil {
		t.Fatalf("Carol's Join: %v", err)
	}
	if jr.Admitted {
		t.Fatalf("Carol's Join = %+v", jr)
	}
	res = alice.pull(t, carol, soc)
	if res.Stored != 1 || res.Admitted != 0 {
		t.Fatalf("Alice's import of Carol's join = %+v, want 1 stored, none admitted", res)
	}
	if mv, ok := alice.member(t, soc, carol); ok {
		t.Fatalf("Alice sees Carol as a member: %+v", mv)
	}
	if s := alice.society(t, soc); s.Members != 2 {
		t.Fatalf("Alice after Carol's join: %+v", s)
	}
	carol.pull(t, alice, soc)
	if s := carol.society(t, soc); s.Me != "waiting" || s.Members != 2 {
		t.Fatalf("Carol after the round trip: %+v", s)
	}

	// A code for a society Bob holds no records of.
	other, err := alice.CreateSociety("Book Club")
	if err != nil {
		t.Fatal(err)
	}
	inv2, err := alice.Invite(InviteRequest{Society: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Join(inv2.Code); !errors.Is(err, ErrSocietyRecords) {
		t.Fatalf("Join without the records: %v, want ErrSocietyRecords", err)
	}
	if s := bob.society(t, soc); s.StateHash != bs.StateHash {
		t.Fatalf("failed joins changed Bob's state: %+v", s)
	}

	// With two societies, the society must be named.
	if _, err := alice.Invite(InviteRequest{}); !errors.Is(err, ErrWhichSociety) {
		t.Fatalf("Invite without a society among two: %v, want ErrWhichSociety", err)
	}
	if _, err := alice.Export(ExportRequest{Path: filepath.Join(t.TempDir(), "x.car")}); !errors.Is(err, ErrWhichSociety) {
		t.Fatalf("Export without a society among two: %v, want ErrWhichSociety", err)
	}
}

// TestAutoAdmitRules checks which later joins an inviter's node admits.
func TestAutoAdmitRules(t *testing.T) {
	tests := []struct {
		name      string
		invite    InviteRequest
		advance   time.Duration // Alice's clock moves on before she imports
		wantAdmit bool
	}{
		{"second use of a two-use invite", InviteRequest{Uses: 2}, 0, true},
		{"second use of a one-use invite", InviteRequest{Uses: 1}, 0, false},
		{"expired invite", InviteRequest{Uses: 5, ExpiresHours: 1}, 2 * time.Hour, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			offset := time.Duration(0)
			clock := func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				return time.Now().Add(offset)
			}
			alice := newPeer(t, "Alice", Options{Now: clock})
			s, err := alice.CreateSociety("Garden")
			if err != nil {
				t.Fatal(err)
			}
			soc := s.ID
			inv, err := alice.Invite(tc.invite)
			if err != nil {
				t.Fatal(err)
			}
			// Bob's join arrives alone and is admitted unless expired.
			bob := newPeer(t, "Bob", Options{})
			bob.pull(t, alice, soc)
			if _, err := bob.Join(inv.Code); err != nil {
				t.Fatal(err)
			}
			// Dave's join arrives later.
			dave := newPeer(t, "Dave", Options{})
			dave.pull(t, alice, soc)
			if _, err := dave.Join(inv.Code); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			offset = tc.advance
			mu.Unlock()
			res := alice.pull(t, bob, soc)
			wantBob := 1
			if tc.advance > 0 {
				wantBob = 0
			}
			if res.Admitted != wantBob {
				t.Fatalf("Bob's join: admitted %d, want %d", res.Admitted, wantBob)
			}
			res = alice.pull(t, dave, soc)
			want := 0
			if tc.wantAdmit {
				want = 1
			}
			if res.Admitted != want {
				t.Fatalf("Dave's join: admitted %d, want %d", res.Admitted, want)
			}
			dave.pull(t, alice, soc)
			wantMe := "waiting"
			if tc.wantAdmit {
				wantMe = "member"
			}
			as, ds := alice.society(t, soc), dave.society(t, soc)
			if ds.Me != wantMe || ds.StateHash != as.StateHash || as.Members != uint64(1+wantBob+want) {
				t.Fatalf("Alice %+v, Dave %+v; want Dave %s", as, ds, wantMe)
			}
		})
	}
}

// lastBlockSpan returns where the data of the last block of a CARv1 file
// starts and ends: each section is a varint length, a CID and the data.
func lastBlockSpan(t testing.TB, b []byte) (int, int) {
	t.Helper()
	hl, n := binary.Uvarint(b)
	if n <= 0 {
		t.Fatal("bad CAR header length")
	}
	off := n + int(hl)
	start, end := -1, -1
	for off < len(b) {
		l, n := binary.Uvarint(b[off:])
		if n <= 0 || off+n+int(l) > len(b) {
			t.Fatalf("bad CAR section at %d", off)
		}
		sec := b[off+n : off+n+int(l)]
		cl, _, err := cid.CidFromBytes(sec)
		if err != nil {
			t.Fatalf("bad CID in CAR at %d: %v", off, err)
		}
		start, end = off+n+cl, off+n+int(l)
		off = end
	}
	if start < 0 || end <= start {
		t.Fatal("no block in CAR")
	}
	return start, end
}

func TestImportRejectsBadFile(t *testing.T) {
	alice := newPeer(t, "Alice", Options{})
	s, err := alice.CreateSociety("Garden")
	if err != nil {
		t.Fatal(err)
	}
	soc := s.ID
	bob := newPeer(t, "Bob", Options{})
	bob.pull(t, alice, soc) // Bob holds the genesis only
	for range 2 {
		if _, err := alice.Invite(InviteRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	good, err := os.ReadFile(alice.export(t, soc))
	if err != nil {
		t.Fatal(err)
	}
	start, end := lastBlockSpan(t, good)
	dir := t.TempDir()

	tamper := func(off int) []byte {
		b := bytes.Clone(good)
		b[off] ^= 0x01
		return b
	}
	tests := []struct {
		name    string
		content []byte // nil: no file at all
		badCAR  bool   // the file cannot be read as a CAR at all
	}{
		{"flipped byte mid last block", tamper((start + end) / 2), false},
		{"flipped last byte", tamper(end - 1), false},
		{"flipped first byte of last block", tamper(start), false},
		{"truncated inside the last block", good[:(start+end)/2], true},
		{"garbage", []byte("this is not a CAR file at all, just some text\n"), true},
		{"empty", []byte{}, true},
		{"missing", nil, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("bad%d.car", i))
			if tc.content != nil {
				if err := os.WriteFile(path, tc.content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before, err := bob.Status()
			if err != nil {
				t.Fatal(err)
			}
			res, err := bob.Import(path)
			if err == nil {
				t.Fatalf("Import succeeded: %+v", res)
			}
			switch {
			case tc.content == nil:
				if !errors.Is(err, os.ErrNotExist) {
					t.Errorf("error %v, want one wrapping os.ErrNotExist", err)
				}
			case tc.badCAR:
				if !errors.Is(err, crdt.ErrBadCAR) && !errors.Is(err, ErrBadImport) {
					t.Errorf("error %v, want one wrapping crdt.ErrBadCAR or ErrBadImport", err)
				}
			default:
				if !errors.Is(err, ErrBadImport) {
					t.Errorf("error %v, want one wrapping ErrBadImport", err)
				}
			}
			after, err := bob.Status()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("a failed import changed the state:\nbefore %+v\nafter  %+v", before, after)
			}
			if s := bob.society(t, soc); s.Records != 1 {
				t.Errorf("Bob holds %d records, want 1", s.Records)
			}
		})
	}

	// The untouched file still imports.
	path := filepath.Join(dir, "good.car")
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	res := bob.importFile(t, path)
	if res.Stored != 2 || res.StateHash != alice.society(t, soc).StateHash {
		t.Fatalf("good import = %+v", res)
	}
}

func TestControlSocket(t *testing.T) {
	alice := newPeer(t, "Alice", Options{})
	paths := Paths{Home: alice.home}
	if _, err := Dial(paths); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Dial with no server: %v, want ErrNotRunning", err)
	}
	srv, err := Listen(paths, alice)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()

	fi, err := os.Stat(paths.Socket())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, want a socket with 0600", fi.Mode())
	}
	if s2, err := Listen(paths, alice); err == nil {
		s2.Close()
		t.Fatal("a second Listen on a live socket succeeded")
	}

	cl, err := Dial(paths)
	if err != nil {
		t.Fatal(err)
	}
	var api API = cl
	sameStatus := func() {
		t.Helper()
		want, err := alice.Status()
		if err != nil {
			t.Fatal(err)
		}
		got, err := api.Status()
		if err != nil {
			t.Fatalf("Status over the socket: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Status over the socket\n got %+v\nwant %+v", got, want)
		}
	}
	sameStatus()

	created, err := api.CreateSociety("Garden")
	if err != nil {
		t.Fatal(err)
	}
	if created.Name != "Garden" || created.Me != "founder" || created.Members != 1 {
		t.Fatalf("CreateSociety over the socket = %+v", created)
	}
	if s := alice.society(t, created.ID); s.StateHash != created.StateHash {
		t.Fatalf("node sees %+v after remote CreateSociety %+v", s, created)
	}
	inv, err := api.Invite(InviteRequest{Society: created.ID, Uses: 3, ExpiresHours: 2})
	if err != nil {
		t.Fatal(err)
	}
	ic, err := ParseInviteCode(inv.Code)
	if err != nil {
		t.Fatal(err)
	}
	if ic.Society.String() != created.ID || ic.Invite.String() != inv.Invite || ic.Name != "Garden" {
		t.Fatalf("remote invite code carries %+v, result %+v", ic, inv)
	}
	err = alice.Store().View(ic.Society, func(r *crdt.Reader) error {
		iv, ok, err := membership.InviteState(r, ic.Invite)
		if err == nil && (!ok || iv.Uses != 3 || !bytes.Equal(iv.Key, ic.Secret.Public().(ed25519.PublicKey))) {
			err = fmt.Errorf("invite state %+v (found %v)", iv, ok)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.SetProfile(ProfileRequest{Name: ptr("Alicia"), Bio: ptr("gardener")}); err != nil {
		t.Fatal(err)
	}
	if mv, ok := alice.member(t, created.ID, alice); !ok || mv.Name != "Alicia" || mv.Bio != "gardener" {
		t.Fatalf("after remote SetProfile the ledger has %+v", mv)
	}
	car := filepath.Join(t.TempDir(), "garden.car")
	if ex, err := api.Export(ExportRequest{Path: car}); err != nil || ex.Records != 3 || ex.Society != created.ID {
		t.Fatalf("remote Export = %+v, %v", ex, err)
	}
	if im, err := api.Import(car); err != nil || im.Duplicates != 3 || im.Stored != 0 {
		t.Fatalf("remote Import = %+v, %v", im, err)
	}
	sameStatus()

	// Errors come back as errors, and change nothing.
	errs := []struct {
		name string
		call func() error
		want string
	}{
		{"invite unknown society", func() error {
			_, err := api.Invite(InviteRequest{Society: inv.Invite})
			return err
		}, "no such society"},
		{"invite bad society ID", func() error {
			_, err := api.Invite(InviteRequest{Society: "nope"})
			return err
		}, "no such society"},
		{"join bad code", func() error {
			_, err := api.Join("commons1!!")
			return err
		}, "invite code"},
		{"empty society name", func() error {
			_, err := api.CreateSociety("  ")
			return err
		}, "name"},
		{"empty profile", func() error { return api.SetProfile(ProfileRequest{}) }, "nothing to change"},
		{"import missing file", func() error {
			_, err := api.Import(filepath.Join(t.TempDir(), "missing.car"))
			return err
		}, "no such file"},
	}
	before := alice.society(t, created.ID)
	for _, tc := range errs {
		err := tc.call()
		var re *RemoteError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want a RemoteError mentioning %q", tc.name, err, tc.want)
		}
	}
	if after := alice.society(t, created.ID); after != before {
		t.Fatalf("failed remote calls changed the society: %+v -> %+v", before, after)
	}

	// Concurrent clients are served.
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := api.Status()
			if err == nil && (len(st.Societies) != 1 || st.Societies[0].StateHash != before.StateHash) {
				err = fmt.Errorf("concurrent Status = %+v", st)
			}
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}

	// A client that connects and never sends its request does not keep
	// Serve from returning. The idle connection is accepted before the
	// Status call behind it is answered.
	idle, err := net.Dial("unix", paths.Socket())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	sameStatus()

	cancel()
	waitServe(t, served)
	if err := srv.Close(); err != nil {
		t.Fatalf("Close after Serve: %v", err)
	}
	if n, err := idle.Read(make([]byte, 1)); err == nil {
		t.Fatalf("the idle connection is still open (read %d bytes)", n)
	}
	if _, err := Dial(paths); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Dial after cancel: %v, want ErrNotRunning", err)
	}
	if _, err := cl.Status(); err == nil {
		t.Fatal("a client call succeeded after the server stopped")
	}

	// A stale socket left by a dead process is replaced.
	ln, err := net.Listen("unix", paths.Socket())
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(paths.Socket()); err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	srv, err = Listen(paths, alice)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	served = make(chan error, 1)
	go func() { served <- srv.Serve(ctx2) }()
	cl, err = Dial(paths)
	if err != nil {
		t.Fatal(err)
	}
	api = cl
	idle2, err := net.Dial("unix", paths.Socket())
	if err != nil {
		t.Fatal(err)
	}
	defer idle2.Close()
	sameStatus()
	// Close without cancelling also stops Serve, despite the idle
	// connection, and removes the socket.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	waitServe(t, served)
	cancel2()
	if _, err := os.Stat(paths.Socket()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket after Close: %v", err)
	}
	if _, err := Dial(paths); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Dial after Close: %v, want ErrNotRunning", err)
	}
}

// waitServe waits for Serve to return nil; the time limit only turns a
// hang into a failure.
func waitServe(t testing.TB, served <-chan error) {
	t.Helper()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the server was stopped")
	}
}

// TestControlSocketBadRequest sends malformed requests by hand.
func TestControlSocketBadRequest(t *testing.T) {
	alice := newPeer(t, "Alice", Options{})
	paths := Paths{Home: alice.home}
	serveControl(t, paths, alice)
	tests := []struct{ req, want string }{
		{"not json\n", "bad request"},
		{`{"cmd":"explode"}` + "\n", `unknown command \"explode\"`},
		{`{"cmd":"invite","args":"x"}` + "\n", "bad arguments"},
		{`{"cmd":"status"}` + "\n", `"result":{"member":{"id":"` + alice.id.MemberID()},
	}
	for _, tc := range tests {
		c, err := net.Dial("unix", paths.Socket())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte(tc.req)); err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(c)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("request %q: answer %q, want it to contain %q", tc.req, out, tc.want)
		}
	}
}

func TestInviteCode(t *testing.T) {
	_, sec, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	soc, invCID := crdt.CIDOf([]byte("society")), crdt.CIDOf([]byte("invite"))
	for _, addrs := range [][]string{nil, {"/ip4/192.0.2.1/tcp/4001", "/ip6/::1/udp/4001/quic-v1"}} {
		c := InviteCode{Society: soc, Invite: invCID, Secret: sec, Name: "Garden Club ☘", Addrs: addrs}
		s := c.String()
		if !strings.HasPrefix(s, InvitePrefix) || s != strings.ToLower(s) || strings.ContainsAny(s, " =\n") {
			t.Fatalf("code %q", s)
		}
		for _, variant := range []string{s, strings.ToUpper(s), "  " + s + "\n"} {
			got, err := ParseInviteCode(variant)
			if err != nil {
				t.Fatalf("ParseInviteCode(%q): %v", variant, err)
			}
			if !got.Society.Equals(soc) || !got.Invite.Equals(invCID) || !got.Secret.Equal(sec) || got.Name != c.Name || !slices.Equal(got.Addrs, addrs) {
				t.Fatalf("round trip of %+v gave %+v", c, got)
			}
		}
	}

	good := InviteCode{Society: soc, Invite: invCID, Secret: sec, Name: "x"}.String()
	shortSeed, err := crdt.Marshal(wireCode{Society: crdt.Link{Cid: soc}, Invite: crdt.Link{Cid: invCID}, Seed: []byte{1, 2, 3}, Addrs: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	bad := []struct{ name, code string }{
		{"empty", ""},
		{"wrong prefix", "commons2" + good[len(InvitePrefix):]},
		{"no prefix", good[len(InvitePrefix):]},
		{"prefix only", InvitePrefix},
		{"bad base32", InvitePrefix + "!!!!****"},
		{"base32 digits out of alphabet", InvitePrefix + "01890189"},
		{"truncated", good[:len(good)-7]},
		{"cut in half", good[:len(good)/2]},
		{"not CBOR", InvitePrefix + strings.ToLower(b32.EncodeToString([]byte("hello, world")))},
		{"short secret", InvitePrefix + strings.ToLower(b32.EncodeToString(shortSeed))},
		{"space inside", good[:20] + " " + good[20:]},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := ParseInviteCode(tc.code); !errors.Is(err, ErrBadCode) {
				t.Fatalf("ParseInviteCode(%q) = %+v, %v; want ErrBadCode", tc.code, got, err)
			}
		})
	}
}

func TestLockedNode(t *testing.T) {
	home, id := initHome(t, "Alice")
	n, err := Open(home, id, Options{})
	if err != nil {
		t.Fatal(err)
	}
	alice := &peer{Node: n, name: "Alice", home: home, id: id}
	s, err := alice.CreateSociety("Garden")
	if err != nil {
		t.Fatal(err)
	}
	soc := s.ID
	inv, err := alice.Invite(InviteRequest{})
	if err != nil {
		t.Fatal(err)
	}
	bob := newPeer(t, "Bob", Options{})
	bob.pull(t, alice, soc)
	if _, err := bob.Join(inv.Code); err != nil {
		t.Fatal(err)
	}
	joinCAR := bob.export(t, soc)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := Open(home, bob.id, Options{}); err == nil {
		t.Fatal("Open with another member's identity succeeded")
	}
	n, err = Open(home, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	locked := &peer{Node: n, name: "Alice (locked)", home: home, id: id}
	st, err := locked.Status()
	if err != nil {
		t.Fatalf("Status of a locked node: %v", err)
	}
	if st.Member.ID != id.MemberID() || st.Member.Name != "Alice" || len(st.Societies) != 1 || st.Societies[0].Me != "founder" {
		t.Fatalf("Status of a locked node = %+v", st)
	}
	calls := []struct {
		name string
		call func() error
	}{
		{"CreateSociety", func() error { _, err := locked.CreateSociety("Other"); return err }},
		{"Invite", func() error { _, err := locked.Invite(InviteRequest{Society: soc}); return err }},
		{"Join", func() error { _, err := locked.Join(inv.Code); return err }},
		{"SetProfile", func() error { return locked.SetProfile(ProfileRequest{Society: soc, Name: ptr("A")}) }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, ErrLocked) {
			t.Errorf("%s on a locked node: %v, want ErrLocked", c.name, err)
		}
	}
	if after := locked.society(t, soc); after != st.Societies[0] {
		t.Fatalf("locked calls changed the society: %+v -> %+v", st.Societies[0], after)
	}
	// A locked node stores records and exports, but cannot admit.
	res := locked.importFile(t, joinCAR)
	if res.Stored != 1 || res.Admitted != 0 {
		t.Fatalf("locked Import = %+v, want 1 stored, none admitted", res)
	}
	locked.export(t, soc)
	if s := locked.society(t, soc); s.Members != 1 || s.Records != 3 {
		t.Fatalf("locked node after import: %+v", s)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	// Unlocked again, re-importing the same file admits the held join.
	n, err = Open(home, id, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	alice = &peer{Node: n, name: "Alice", home: home, id: id}
	res = alice.importFile(t, joinCAR)
	if res.Stored != 0 || res.Admitted != 1 {
		t.Fatalf("unlocked re-import = %+v, want the join admitted", res)
	}
	bob.pull(t, alice, soc)
	if bs, as := bob.society(t, soc), alice.society(t, soc); bs.Me != "member" || bs.StateHash != as.StateHash || as.Members != 2 {
		t.Fatalf("after the late admission: Alice %+v, Bob %+v", as, bs)
	}
}

func ptr[T any](v T) *T { return &v }
