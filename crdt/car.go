package crdt

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
	"github.com/ipld/go-car/v2/storage"
)

// ErrBadCAR is returned for a CAR file that cannot be read as one.
var ErrBadCAR = errors.New("crdt: bad CAR file")

// ExportCAR writes every record of a society to w as a CARv1 whose root is
// the society ID, in canonical (causal) order. It returns the record count.
func (s *Store) ExportCAR(society cid.Cid, w io.Writer) (int, error) {
	car, err := storage.NewWritable(w, []cid.Cid{society}, carv2.WriteAsCarV1(true))
	if err != nil {
		return 0, fmt.Errorf("crdt: export: %w", err)
	}
	n := 0
	err = s.Records(society, func(c cid.Cid, raw []byte) error {
		n++
		return car.Put(context.Background(), c.KeyString(), raw)
	})
	if err != nil {
		return n, fmt.Errorf("crdt: export: %w", err)
	}
	if err := car.Finalize(); err != nil {
		return n, fmt.Errorf("crdt: export: %w", err)
	}
	return n, nil
}

// Bundle is the content of a CAR file of records, each checked against its
// CID and signature.
type Bundle struct {
	Society cid.Cid
	Records [][]byte
	// Bad lists the blocks that failed their checks.
	Bad []Rejection
}

// MaxCARRecords bounds how many records one CAR file may hold.
const MaxCARRecords = 5_000_000

// ReadCAR reads and verifies a CAR file of one society's records: the root
// must be one CID (the society ID) and every block a well-formed, signed
// record whose bytes hash to its CID.
func ReadCAR(r io.Reader) (*Bundle, error) {
	br, err := carv2.NewBlockReader(r, carv2.MaxAllowedSectionSize(MaxRecordSize+256), carv2.WithTrustedCAR(true))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCAR, err)
	}
	if len(br.Roots) != 1 {
		return nil, fmt.Errorf("%w: want exactly one root (the society ID), got %d", ErrBadCAR, len(br.Roots))
	}
	b := &Bundle{Society: br.Roots[0]}
	var raws [][]byte
	var cids []cid.Cid
	for {
		blk, err := br.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadCAR, err)
		}
		if len(raws) >= MaxCARRecords {
			return nil, fmt.Errorf("%w: more than %d records", ErrBadCAR, MaxCARRecords)
		}
		raws = append(raws, blk.RawData())
		cids = append(cids, blk.Cid())
	}
	ds := decodeAll(raws)
	for i, d := range ds {
		switch {
		case d.err != nil:
			b.Bad = append(b.Bad, Rejection{CID: cids[i], Err: d.err})
		case !d.cid.Equals(cids[i]):
			b.Bad = append(b.Bad, Rejection{CID: cids[i], Err: fmt.Errorf("%w: block hashes to %s", ErrCIDMismatch, d.cid)})
		default:
			b.Records = append(b.Records, raws[i])
		}
	}
	return b, nil
}
