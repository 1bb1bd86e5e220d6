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
