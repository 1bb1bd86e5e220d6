package crdt

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
)

// Link is a CID encoded the dag-cbor way: CBOR tag 42 around a byte string
// holding a zero byte followed by the binary CID.
type Link struct{ cid.Cid }

const linkTag = 42

// MarshalCBOR encodes the link as tag 42.
func (l Link) MarshalCBOR() ([]byte, error) {
	if !l.Defined() {
		return nil, errors.New("crdt: cannot encode an undefined CID")
	}
	b := l.Bytes()
	n := len(b) + 1
	out := make([]byte, 0, n+6)
	out = append(out, 0xd8, linkTag)
	out = appendHead(out, 2, uint64(n))
	out = append(out, 0)
	return append(out, b...), nil
}

// UnmarshalCBOR decodes a tag-42 link, accepting only the canonical form.
func (l *Link) UnmarshalCBOR(data []byte) error {
	if len(data) < 3 || data[0] != 0xd8 || data[1] != linkTag {
		return fmt.Errorf("%w: link is not tag 42", ErrMalformed)
	}
	rest := data[2:]
	major, n, hl, err := readHead(rest)
	if err != nil || major != 2 {
		return fmt.Errorf("%w: link content is not a byte string", ErrMalformed)
	}
	if uint64(len(rest)-hl) != n {
		return fmt.Errorf("%w: link length", ErrMalformed)
	}
	body := rest[hl:]
	if !bytes.Equal(appendHead(nil, 2, n), rest[:hl]) {
		return fmt.Errorf("%w: link length not minimal", ErrNonCanonical)
	}
	if len(body) < 2 || body[0] != 0 {
		return fmt.Errorf("%w: link lacks the multibase identity prefix", ErrMalformed)
	}
	c, err := cid.Cast(body[1:])
	if err != nil {
		return fmt.Errorf("%w: link: %v", ErrMalformed, err)
	}
	l.Cid = c
	return nil
}

// appendHead appends a CBOR head of the given major type with its minimal
// argument encoding.
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= 0xff:
		return append(b, m|24, byte(n))
	case n <= 0xffff:
		return append(b, m|25, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return append(b, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	default:
		return append(b, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32),
			byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// readHead parses a CBOR head, returning major type, argument and head length.
func readHead(b []byte) (major byte, n uint64, hl int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, ErrMalformed
	}
	major = b[0] >> 5
	info := b[0] & 31
	switch {
	case info < 24:
		return major, uint64(info), 1, nil
	case info == 24 && len(b) >= 2:
		return major, uint64(b[1]), 2, nil
	case info == 25 && len(b) >= 3:
		return major, uint64(b[1])<<8 | uint64(b[2]), 3, nil
	case info == 26 && len(b) >= 5:
		return major, uint64(b[1])<<24 | uint64(b[2])<<16 | uint64(b[3])<<8 | uint64(b[4]), 5, nil
	case info == 27 && len(b) >= 9:
		var v uint64
		for i := 1; i <= 8; i++ {
			v = v<<8 | uint64(b[i])
		}
		return major, v, 9, nil
	}
	return 0, 0, 0, ErrMalformed
}
