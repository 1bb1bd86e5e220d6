package crdt

import (
	"errors"
	"testing"
)

// TestViewFieldsRefuses: views the store did not write as Marshal does
// (indefinite lengths, lengths past the end, something other than a map)
// are refused with ErrMalformed, never read past their end.
func TestViewFieldsRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not a map", []byte{0x82, 0x01, 0x02}},
		{"an indefinite map", []byte{0xbf, 0x61, 'a', 0x01, 0xff}},
		{"an entry missing", []byte{0xa2, 0x61, 'a', 0x01}},
		{"a key that is no text", []byte{0xa1, 0x01, 0x01}},
		{"a string past the end", []byte{0xa1, 0x61, 'a', 0x5a, 0xff, 0xff, 0xff, 0xff}},
		{"an array past the end", []byte{0xa1, 0x61, 'a', 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"an indefinite string", []byte{0xa1, 0x61, 'a', 0x5f, 0x41, 0x00, 0xff}},
		{"bytes after the map", []byte{0xa1, 0x61, 'a', 0x01, 0x00}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ViewFields(tc.data, func(string, []byte) error { return nil })
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%v, want ErrMalformed", err)
			}
		})
	}
	var got []string
	if err := ViewFields([]byte{0xa2, 0x61, 'a', 0x01, 0x61, 'b', 0x82, 0x01, 0x20}, func(k string, v []byte) error {
		got = append(got, k)
		return nil
	}); err != nil || len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("a good view: %v %v", got, err)
	}
}
