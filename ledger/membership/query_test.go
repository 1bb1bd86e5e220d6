package membership

import (
	"reflect"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

// TestDecodeEnrolled: the hand decoder of a roll reads member views as the
// general decoder does, and refuses a broken view with an error.
func TestDecodeEnrolled(t *testing.T) {
	for _, tc := range []struct {
		name string
		mv   MemberView
	}{
		{"the founder", MemberView{Key: []byte("founder-key"), Status: StatusActive, Since: crdt.MakeHLC(1_760_000_000_000, 0), Name: "Ann",
			Skills: []string{}, NameV: ledger.Version{Time: 5, Device: []byte("d"), Seq: 1}}},
		{"an admitted member with a profile", MemberView{Key: []byte("bob-key"), Status: StatusActive, Since: crdt.MakeHLC(1_760_000_000_001, 7),
			Admit: []byte("admit-cid"), Name: "Bob é", Bio: "bakes", Skills: []string{"bread", "repairs"}}},
		{"a member who left", MemberView{Key: []byte("carol-key"), Status: StatusLeft, Since: 1, Skills: nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := crdt.Marshal(tc.mv)
			if err != nil {
				t.Fatal(err)
			}
			var got, want Enrolled
			if err := decodeEnrolled(b, &got); err != nil {
				t.Fatal(err)
			}
			if err := crdt.UnmarshalView(b, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("by hand %+v\ndecoder %+v", got, want)
			}
			for n := range len(b) {
				var e Enrolled
				if err := decodeEnrolled(b[:n], &e); err == nil {
					t.Fatalf("a view cut to %d of %d bytes decoded", n, len(b))
				}
			}
		})
	}
}

// viewMap is a ledger.ViewReader over a map, for tests of view readers.
type viewMap map[string][]byte

func (m viewMap) View(k string) ([]byte, bool, error) {
	v, ok := m[k]
	return v, ok, nil
}

// TestMemberActive: the hand-reading memberActive answers as activeMember
// (the general decoder) for active, departed and unknown members and no
// member, and fails alike on a broken view.
func TestMemberActive(t *testing.T) {
	views := viewMap{}
	for _, mv := range []MemberView{
		{Key: []byte("ann"), Status: StatusActive, Since: 3, Name: "Ann", Skills: []string{"x"}},
		{Key: []byte("bob"), Status: StatusLeft, Since: 4, Admit: []byte("a")},
		{Key: []byte("cat"), Status: StatusRemoved},
	} {
		b, err := crdt.Marshal(mv)
		if err != nil {
			t.Fatal(err)
		}
		views[kMember+string(mv.Key)] = b
	}
	views[kMember+"bad"] = views[kMember+"ann"][:9]
	for _, tc := range []struct {
		name    string
		member  []byte
		active  bool
		wantErr bool
	}{
		{"active", []byte("ann"), true, false},
		{"left", []byte("bob"), false, false},
		{"removed", []byte("cat"), false, false},
		{"unknown", []byte("dan"), false, false},
		{"no member", nil, false, false},
		{"broken view", []byte("bad"), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := memberActive(views, tc.member)
			_, want, werr := activeMember(views, tc.member)
			if (err != nil) != tc.wantErr || (werr != nil) != tc.wantErr {
				t.Fatalf("errors: by hand %v, decoder %v", err, werr)
			}
			if got != tc.active || want != tc.active {
				t.Fatalf("active: by hand %v, decoder %v, want %v", got, want, tc.active)
			}
		})
	}
}
