package bench

import (
	"fmt"

	"github.com/commons-society/commons/node"
)

// Passphrase is the passphrase of the identities in a history's homes.
const Passphrase = "commons-bench"

// Home is a member's home holding a whole society, left closed so that
// another process can open it (a cold start).
type Home struct {
	// Dir is the home (identity and store); Society the society's ID.
	Dir, Society string
	// Records is how many records of the society the home's store holds.
	Records int
}

// FillHome makes the founder's home of h hold the whole history and, as
// Queries does, cfg.Transfers confirmed transfers with the first member
// and cfg.Pending waiting for the founder's answer; both stores are
// written with opts (the phone's store profile, say). The home is closed
// when FillHome returns and is removed with h.
func FillHome(h *History, cfg QueryConfig, opts node.Options) (_ *Home, err error) {
	cfg = cfg.withDefaults()
	nodes, _, err := trade(h, cfg, opts)
	defer func() {
		for _, n := range nodes {
			if cerr := n.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("bench: %w", cerr)
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	hm := &Home{Dir: h.homes[0].dir, Society: h.Society.String()}
	st, err := nodes[0].Status()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	for _, s := range st.Societies {
		if s.ID == hm.Society {
			hm.Records = int(s.Records)
		}
	}
	return hm, nil
}
