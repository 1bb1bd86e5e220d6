package recsync

import (
	"bufio"
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzReadMsg checks the sync wire's decoder: it never panics, reserves
// nothing it does not give back or report, returns a message with exactly
// one part or an error, and what it accepts encodes back to a message
// that reads the same. The body limit is kept small so that the fuzzer
// explores framing as well as bodies.
func FuzzReadMsg(f *testing.F) {
	g, raws := history(51, 2, 3)
	seeds := []*msg{
		helloOf(f, openStore(f), g.soc),
		{Batch: raws[:3]},
		{Done: &done{Records: 3}},
		{Error: &wireErr{Code: codeBusy, Text: "too many sessions"}},
	}
	for _, m := range seeds {
		fr, err := encodeMsg(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(fr)
		f.Add(fr[:len(fr)/2])
		f.Add(append([]byte{fr[0] | 0x80, 0}, fr[1:]...)) // non-minimal length
	}
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x01})
	const limit = 1 << 20
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &countingBudget{}
		m, mem, err := readMsg(bufio.NewReader(bytes.NewReader(data)), limit, b)
		if err != nil {
			if m != nil || mem != 0 || b.held != 0 {
				t.Fatalf("failed (%v) but returned %v, holding %d (%d reported)", err, m, b.held, mem)
			}
			return
		}
		if mem != b.held || b.held > max(b.declared, 0) {
			t.Fatalf("reserved %d for a message of %d, reported %d", b.held, b.declared, mem)
		}
		fr, err := encodeMsg(m)
		if err != nil {
			if errors.Is(err, ErrBadPeer) {
				t.Fatalf("re-encode: %v", err)
			}
			return // a valid decode need not re-encode within the limit
		}
		again, _, err := readMsg(bufio.NewReader(bytes.NewReader(fr)), len(fr), nil)
		if err != nil {
			t.Fatalf("re-encoded message does not read back: %v", err)
		}
		if !reflect.DeepEqual(m, again) {
			t.Fatalf("read %+v, re-read %+v", m, again)
		}
	})
}
