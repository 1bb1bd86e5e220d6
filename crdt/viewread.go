package crdt

import (
	"fmt"
	"math"
)

// Reading views by hand. A query that reads thousands of views (a count
// reads every vote of a proposal and every member) spends most of its
// time in the reflection of the general decoder; these functions walk the
// CBOR the store wrote (definite lengths, as Marshal writes them) and hand
// out the raw bytes of each field, so that a query decodes the few fields
// it reads with no reflection. Byte strings they return alias the input.

// ViewFields calls fn with the key and the raw value of each entry of the
// CBOR map data (a view as Marshal wrote it), in their stored order.
func ViewFields(data []byte, fn func(key string, val []byte) error) error {
	major, n, hl, err := readHead(data)
	if err != nil || major != 5 {
		return fmt.Errorf("%w: view is not a map", ErrMalformed)
	}
	rest := data[hl:]
	for range n {
		_, l, err := viewItem(rest)
		if err != nil {
			return err
		}
		key, err := ViewText(rest[:l])
		if err != nil {
			return err
		}
		rest = rest[l:]
		_, l, err = viewItem(rest)
		if err != nil {
			return err
		}
		if err := fn(key, rest[:l]); err != nil {
			return err
		}
		rest = rest[l:]
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: bytes after a view", ErrMalformed)
	}
	return nil
}

// viewItem returns the major type and the length in bytes of the CBOR
// item at the start of b.
func viewItem(b []byte) (byte, int, error) {
	major, n, hl, err := readHead(b)
	if err != nil {
		return 0, 0, err
	}
	if b[0]&31 == 31 {
		return 0, 0, fmt.Errorf("%w: indefinite length in a view", ErrMalformed)
	}
	switch major {
	case 0, 1, 7:
		return major, hl, nil
	case 2, 3:
		if n > uint64(len(b)-hl) {
			return 0, 0, fmt.Errorf("%w: string past the end of a view", ErrMalformed)
		}
		return major, hl + int(n), nil
	case 4, 5, 6:
		items := n
		switch major {
		case 5:
			items = 2 * n
		case 6:
			items = 1
		}
		if items > uint64(len(b)) {
			return 0, 0, fmt.Errorf("%w: container past the end of a view", ErrMalformed)
		}
		l := hl
		for range items {
			_, il, err := viewItem(b[l:])
			if err != nil {
				return 0, 0, err
			}
			l += il
		}
		return major, l, nil
	}
	return 0, 0, ErrMalformed
}

// ViewBytes decodes a CBOR byte string (nil for null).
func ViewBytes(val []byte) ([]byte, error) {
	major, n, hl, err := readHead(val)
	switch {
	case err == nil && major == 7 && n == 22:
		return nil, nil
	case err != nil || major != 2 || uint64(len(val)-hl) != n:
		return nil, fmt.Errorf("%w: not a byte string", ErrMalformed)
	}
	return val[hl:len(val):len(val)], nil
}

// ViewText decodes a CBOR text string.
func ViewText(val []byte) (string, error) {
	major, n, hl, err := readHead(val)
	if err != nil || major != 3 || uint64(len(val)-hl) != n {
		return "", fmt.Errorf("%w: not a text string", ErrMalformed)
	}
	return string(val[hl:]), nil
}

// ViewUint decodes a CBOR unsigned integer.
func ViewUint(val []byte) (uint64, error) {
	major, n, hl, err := readHead(val)
	if err != nil || major != 0 || hl != len(val) {
		return 0, fmt.Errorf("%w: not an unsigned integer", ErrMalformed)
	}
	return n, nil
}

// ViewInt decodes a CBOR integer that fits an int64.
func ViewInt(val []byte) (int64, error) {
	major, n, hl, err := readHead(val)
	if err != nil || (major != 0 && major != 1) || hl != len(val) || n > math.MaxInt64 {
		return 0, fmt.Errorf("%w: not an integer", ErrMalformed)
	}
	if major == 1 {
		return -1 - int64(n), nil
	}
	return int64(n), nil
}

// ViewArray calls fn with the raw bytes of each item of a CBOR array (none
// for null).
func ViewArray(val []byte, fn func(item []byte) error) error {
	major, n, hl, err := readHead(val)
	switch {
	case err == nil && major == 7 && n == 22:
		return nil
	case err != nil || major != 4:
		return fmt.Errorf("%w: not an array", ErrMalformed)
	}
	rest := val[hl:]
	for range n {
		_, l, err := viewItem(rest)
		if err != nil {
			return err
		}
		if err := fn(rest[:l]); err != nil {
			return err
		}
		rest = rest[l:]
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: bytes after an array", ErrMalformed)
	}
	return nil
}
