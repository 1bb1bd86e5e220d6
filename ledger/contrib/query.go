package contrib

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/ipfs/go-cid"
)

// ContributionByID returns one contribution with its review aggregates; ok
// is false when it is unknown or took no effect.
func ContributionByID(r *crdt.Reader, id cid.Cid) (ContributionView, bool, error) {
	var cv ContributionView
	ok, err := ledger.Get(r, kContrib+ledger.Account(id.Bytes()), &cv)
	return cv, ok, err
}

// ContributionQuery filters contributions.
type ContributionQuery struct {
	// Member keeps one member's contributions; nil for everyone's.
	Member []byte
	// Skill matches the skill exactly (case-insensitive); empty for any.
	Skill string
	// Limit caps the number returned; 0 or less for no cap.
	Limit int
}

// Contributions returns the contributions matching q, newest first by the
// time they were recorded (ties by CID, descending). With a member its cost is that of
// the member's contributions, otherwise of all contributions.
func Contributions(r *crdt.Reader, q ContributionQuery) ([]ContributionView, error) {
	skill := ledger.NormSkill(q.Skill)
	keep := func(cv ContributionView) bool { return skill == "" || cv.Skill == skill }
	full := func(n int) bool { return q.Limit > 0 && n >= q.Limit }
	var out []ContributionView
	if q.Member != nil {
		prefix := kContribs + ledger.Account(q.Member)
		err := r.ScanBack(prefix, "", func(k string, _ []byte) error {
			if full(len(out)) {
				return crdt.ErrStop
			}
			rest := k[len(prefix):]
			if len(rest) < 8 {
				return fmt.Errorf("%w: contribution index key", crdt.ErrCorrupt)
			}
			id, tail, ok := ledger.CutAccount(rest[8:])
			if !ok || tail != "" {
				return fmt.Errorf("%w: contribution index key", crdt.ErrCorrupt)
			}
			var cv ContributionView
			if ok, err := ledger.Get(r, kContrib+ledger.Account([]byte(id)), &cv); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("%w: indexed contribution missing", crdt.ErrCorrupt)
			}
			if keep(cv) {
				out = append(out, cv)
			}
			return nil
		})
		return out, err
	}
	err := r.Scan(kContrib, func(_ string, b []byte) error {
		var cv ContributionView
		if err := crdt.Unmarshal(b, &cv); err != nil {
			return fmt.Errorf("%w: contribution view: %v", crdt.ErrCorrupt, err)
		}
		if keep(cv) {
			out = append(out, cv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, newestContribution)
	if full(len(out)) {
		out = out[:q.Limit]
	}
	return out, nil
}

// newestContribution orders contributions newest first by recording
// time, then by CID descending, as the member index does.
func newestContribution(a, b ContributionView) int {
	if a.Created != b.Created {
		if a.Created > b.Created {
			return -1
		}
		return 1
	}
	return bytes.Compare(b.ID, a.ID)
}

// ReviewsOf returns the reviews in effect of a contribution (each
// reviewer's latest), newest first.
func ReviewsOf(r *crdt.Reader, contribution cid.Cid) ([]ReviewView, error) {
	var out []ReviewView
	err := r.Scan(kReview+ledger.Account(contribution.Bytes()), func(_ string, b []byte) error {
		var rv ReviewView
		if err := crdt.Unmarshal(b, &rv); err != nil {
			return fmt.Errorf("%w: review view: %v", crdt.ErrCorrupt, err)
		}
		out = append(out, rv)
		return nil
	})
	sortReviews(out)
	return out, err
}

func sortReviews(rs []ReviewView) {
	slices.SortFunc(rs, func(a, b ReviewView) int {
		switch {
		case b.V.Less(a.V):
			return -1
		case a.V.Less(b.V):
			return 1
		}
		return bytes.Compare(a.Reviewer, b.Reviewer)
	})
}

// ReviewsBy returns up to limit (0 or less: all) of the reviews in effect
// that a member wrote, newest first.
func ReviewsBy(r *crdt.Reader, member []byte, limit int) ([]ReviewView, error) {
	prefix := kReviews + ledger.Account(member)
	var keys []string
	if err := r.ScanBack(prefix, "", func(_ string, v []byte) error {
		if limit > 0 && len(keys) == limit {
			return crdt.ErrStop
		}
		keys = append(keys, reviewKey(v, member))
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]ReviewView, 0, len(keys))
	for _, k := range keys {
		var rv ReviewView
		if ok, err := ledger.Get(r, k, &rv); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("%w: indexed review missing", crdt.ErrCorrupt)
		}
		out = append(out, rv)
	}
	return out, nil
}
