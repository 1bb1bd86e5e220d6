package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commons-society/commons/node/bench"
	"github.com/ipfs/boxo/bitswap"
	"github.com/ipfs/boxo/bitswap/network/bsnet"
	"github.com/ipfs/boxo/blockservice"
	"github.com/ipfs/boxo/blockstore"
	"github.com/ipfs/boxo/ipld/merkledag"
	ds "github.com/ipfs/go-datastore"
	crdt "github.com/ipfs/go-ds-crdt"
	pebbleds "github.com/ipfs/go-ds-pebble"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
)

// topic is the pubsub topic the go-ds-crdt replicas announce heads on.
const topic = "commons-bench-ds-crdt"

// rebroadcast is how often a go-ds-crdt replica announces its heads
// (go-ds-crdt's default is a minute; the catch-up is timed from the first
// announcement the fresh replica receives, so this only shortens the wait).
const rebroadcast = 200 * time.Millisecond

// replica is one go-ds-crdt peer set up as go-ds-crdt's globaldb example
// sets it up (with ipfs-lite), here with boxo's parts directly: a Pebble
// datastore holding both the CRDT's keys and the blocks, a bitswap DAG
// service over a real libp2p host, and the pubsub broadcaster.
type replica struct {
	h      host.Host
	store  *pebbleds.Datastore
	bswap  *bitswap.Bitswap
	crdt   *crdt.Datastore
	cancel context.CancelFunc
	// puts counts the keys added; full is closed when it reaches want.
	puts atomic.Int64
	want int64
	full chan struct{}
	// first is when the first announcement arrived (zero until then).
	firstMu sync.Mutex
	first   time.Time
}

// newReplica opens a replica in dir on a new loopback host; its puts are
// counted towards want.
func newReplica(dir string, want int) (r *replica, err error) {
	r = &replica{want: int64(want), full: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	if r.h, err = bench.LoopbackHost(); err != nil {
		return r, err
	}
	if r.store, err = pebbleds.NewDatastore(dir); err != nil {
		return r, fmt.Errorf("pebble: %w", err)
	}
	bs := blockstore.NewBlockstore(r.store)
	r.bswap = bitswap.New(ctx, bsnet.NewFromIpfsHost(r.h), nil, bs)
	dag := merkledag.NewDAGService(blockservice.New(bs, r.bswap))
	ps, err := pubsub.NewGossipSub(ctx, r.h)
	if err != nil {
		return r, fmt.Errorf("pubsub: %w", err)
	}
	bc, err := crdt.NewPubSubBroadcaster(ctx, ps, topic)
	if err != nil {
		return r, fmt.Errorf("broadcaster: %w", err)
	}
	opts := crdt.DefaultOptions()
	opts.RebroadcastInterval = rebroadcast
	opts.RepairInterval = 0
	opts.PutHook = func(ds.Key, []byte) {
		if r.puts.Add(1) == r.want {
			close(r.full)
		}
	}
	if r.crdt, err = crdt.New(r.store, ds.NewKey("crdt"), dag, &stamped{Broadcaster: bc, r: r}, opts); err != nil {
		return r, fmt.Errorf("go-ds-crdt: %w", err)
	}
	return r, nil
}

// stamped notes when the first announcement arrives.
type stamped struct {
	crdt.Broadcaster
	r *replica
}

func (s *stamped) Next(ctx context.Context) ([]byte, error) {
	b, err := s.Broadcaster.Next(ctx)
	if err == nil {
		s.r.firstMu.Lock()
		if s.r.first.IsZero() {
			s.r.first = time.Now()
		}
		s.r.firstMu.Unlock()
	}
	return b, err
}

func (r *replica) close() {
	// The broadcaster must stop before the CRDT closes (go-ds-crdt's doc).
	r.cancel()
	if r.crdt != nil {
		_ = r.crdt.Close()
	}
	if r.bswap != nil {
		_ = r.bswap.Close()
	}
	if r.h != nil {
		_ = r.h.Close()
	}
	if r.store != nil {
		_ = r.store.Close()
	}
}

// values makes n random values of size bytes and their keys.
func values(n, size int) ([]ds.Key, [][]byte) {
	keys := make([]ds.Key, n)
	vals := make([][]byte, n)
	for i := range n {
		keys[i] = ds.NewKey(fmt.Sprintf("/v/%08d", i))
		vals[i] = make([]byte, size)
		_, _ = rand.Read(vals[i])
	}
	return keys, vals
}

// ingest puts the values into r, batch keys per delta (one Commit, which
// makes one DAG node and announces it), and syncs the datastore to disk
// after each commit (Pebble's WAL fsync). It returns the time taken.
func (r *replica) ingest(keys []ds.Key, vals [][]byte, batch int) (time.Duration, error) {
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < len(keys); i += batch {
		b, err := r.crdt.Batch(ctx)
		if err != nil {
			return 0, err
		}
		for j := i; j < min(i+batch, len(keys)); j++ {
			if err := b.Put(ctx, keys[j], vals[j]); err != nil {
				return 0, err
			}
		}
		if err := b.Commit(ctx); err != nil {
			return 0, err
		}
		if err := r.crdt.Sync(ctx, ds.NewKey("/")); err != nil {
			return 0, err
		}
	}
	elapsed := time.Since(start)
	select {
	case <-r.full:
	default:
		return 0, fmt.Errorf("go-ds-crdt holds %d values of %d", r.puts.Load(), r.want)
	}
	return elapsed, nil
}

// catchUp has a fresh replica in dir fetch every value of src. It is timed
// from the first head announcement the replica receives to the last value
// applied (go-ds-crdt's put hook), plus the final sync of the datastore to
// disk. The values are checked afterwards, untimed: the hook fires as a
// value joins a write batch, a moment before the batch is committed.
func catchUp(src *replica, dir string, keys []ds.Key, vals [][]byte, limit time.Duration) (time.Duration, error) {
	dst, err := newReplica(dir, len(keys))
	if err != nil {
		return 0, err
	}
	defer dst.close()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if err := dst.h.Connect(ctx, peer.AddrInfo{ID: src.h.ID(), Addrs: src.h.Addrs()}); err != nil {
		return 0, fmt.Errorf("connect: %w", err)
	}
	select {
	case <-dst.full:
	case <-ctx.Done():
		return 0, fmt.Errorf("go-ds-crdt caught up %d values of %d within %v", dst.puts.Load(), len(keys), limit)
	}
	applied := time.Now()
	dst.firstMu.Lock()
	first := dst.first
	dst.firstMu.Unlock()
	if first.IsZero() {
		return 0, errors.New("go-ds-crdt caught up before any announcement")
	}
	for i := range keys {
		for {
			v, err := dst.crdt.Get(ctx, keys[i])
			if err == nil && bytes.Equal(v, vals[i]) {
				break
			}
			switch {
			case err == nil:
				return 0, fmt.Errorf("go-ds-crdt value %s differs after catch-up", keys[i])
			case !errors.Is(err, ds.ErrNotFound):
				return 0, fmt.Errorf("go-ds-crdt value %s after catch-up: %w", keys[i], err)
			case ctx.Err() != nil:
				return 0, fmt.Errorf("go-ds-crdt value %s missing after catch-up: %w", keys[i], ctx.Err())
			}
			runtime.Gosched() // its batch is being committed
		}
	}
	start := time.Now()
	if err := dst.crdt.Sync(ctx, ds.NewKey("/")); err != nil {
		return 0, err
	}
	return applied.Sub(first) + time.Since(start), nil
}
