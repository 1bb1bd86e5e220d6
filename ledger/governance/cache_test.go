package governance

import (
	"reflect"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/ipfs/go-cid"
)

// TestDecodeVote: the hand decoder of vote views reads every ballot shape
// as the general decoder does (into voteRow), and refuses a broken view
// with an error.
func TestDecodeVote(t *testing.T) {
	link := crdt.Link{Cid: cid.NewCidV1(cid.DagCBOR, []byte("\x12\x20aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))}
	ver := ledger.Version{Time: crdt.MakeHLC(1_760_000_000_000, 3), Device: []byte("device-key"), Seq: 42}
	for _, tc := range []struct {
		name string
		vote Vote
	}{
		{"a choice", Vote{Proposal: link, Choice: tally.Yes}},
		{"an objection with a reason", Vote{Proposal: link, Choice: tally.Object, Reason: "not yet"}},
		{"approvals", Vote{Proposal: link, Approve: []string{"a", "option with spaces", "é"}}},
		{"a ranking", Vote{Proposal: link, Rank: []string{"c", "a", "b"}}},
		{"points, negative and large", Vote{Proposal: link, Points: []tally.Point{{Option: "a", N: -3}, {Option: "b", N: 0}, {Option: "c", N: 1 << 40}}}},
		{"empty lists", Vote{Proposal: link, Approve: []string{}, Points: []tally.Point{}}},
		{"nothing", Vote{Proposal: link}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := crdt.Marshal(VoteView{ID: []byte("vote-id"), Voter: []byte("voter-key"), V: ver, Vote: tc.vote})
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeVote(b)
			if err != nil {
				t.Fatal(err)
			}
			var x voteRow
			if err := crdt.UnmarshalView(b, &x); err != nil {
				t.Fatal(err)
			}
			want := VoteView{ID: x.ID, Voter: x.Voter, V: x.V,
				Vote: Vote{Choice: x.Vote.Choice, Approve: x.Vote.Approve, Rank: x.Vote.Rank, Points: x.Vote.Points}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("by hand %+v\ndecoder %+v", got, want)
			}
			for n := range len(b) {
				if _, err := decodeVote(b[:n]); err == nil {
					t.Fatalf("a view cut to %d of %d bytes decoded", n, len(b))
				}
			}
		})
	}
}

// TestDecodeDelegation: the hand decoder of delegation views reads them as
// the general decoder does, a revocation included, and refuses a broken
// view with an error.
func TestDecodeDelegation(t *testing.T) {
	ver := ledger.Version{Time: crdt.MakeHLC(1_760_000_000_000, 1), Device: []byte("device-key"), Seq: 7}
	for _, tc := range []struct {
		name string
		d    Delegation
	}{
		{"council-wide", Delegation{Council: Root, To: []byte("delegate-key")}},
		{"for a topic", Delegation{Council: "proposal/0", Topic: "parks", To: []byte("delegate-key")}},
		{"a revocation", Delegation{Council: Root}},
		{"an empty delegate", Delegation{Council: Root, To: []byte{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := crdt.Marshal(DelegationView{ID: []byte("delegation-id"), Delegator: []byte("from-key"), V: ver, D: tc.d})
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeDelegation(b)
			if err != nil {
				t.Fatal(err)
			}
			var want DelegationView
			if err := crdt.UnmarshalView(b, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("by hand %+v\ndecoder %+v", got, want)
			}
			for n := range len(b) {
				if _, err := decodeDelegation(b[:n]); err == nil {
					t.Fatalf("a view cut to %d of %d bytes decoded", n, len(b))
				}
			}
		})
	}
}

// TestCIDString: cidString prints a CID as cid.Cid.String does, for
// version 1 CIDs of several lengths and a version 0 one, and "" for
// bytes that are no CID.
func TestCIDString(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    cid.Cid
	}{
		{"dag-cbor, sha2-256", cid.NewCidV1(cid.DagCBOR, append([]byte{0x12, 0x20}, make([]byte, 32)...))},
		{"raw, identity of 1 byte", cid.NewCidV1(cid.Raw, []byte{0x00, 0x01, 0xff})},
		{"raw, identity of 2 bytes", cid.NewCidV1(cid.Raw, []byte{0x00, 0x02, 0xab, 0xcd})},
		{"version 0", cid.NewCidV0(append([]byte{0x12, 0x20}, []byte("0123456789abcdef0123456789abcdef")...))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := cidString(tc.c.Bytes()), tc.c.String(); got != want {
				t.Fatalf("%q, want %q", got, want)
			}
		})
	}
	if got := cidString([]byte("no cid")); got != "" {
		t.Fatalf("bytes that are no CID print %q", got)
	}
}
