package bench

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
)

// tinyHistory is a small society of two members.
func tinyHistory(t *testing.T, records, size int) *History {
	t.Helper()
	h, err := NewHistory(HistoryConfig{Records: records, RecordSize: size, Devices: 2, Dir: t.TempDir(), Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	})
	return h
}

func TestHistoryShape(t *testing.T) {
	for _, size := range []int{300, 600} {
		h := tinyHistory(t, 40, size)
		if len(h.Raws) != 40 {
			t.Fatalf("size %d: %d records, want 40", size, len(h.Raws))
		}
		// The generated records (the last ones) are padded to the size.
		last := h.Raws[len(h.Raws)-1]
		if d := len(last) - size; d < -8 || d > 8 {
			t.Errorf("size %d: a generated record of %d bytes", size, len(last))
		}
		st, err := OpenStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := ingestAll(st, h.Society, h.Raws, 7); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		vv, err := st.VersionVector(h.Society)
		if err != nil {
			t.Fatal(err)
		}
		if len(vv) != 2 {
			t.Errorf("size %d: %d devices wrote, want 2", size, len(vv))
		}
		st.Close()
	}
}

func TestHistoryTooSmall(t *testing.T) {
	_, err := NewHistory(HistoryConfig{Records: 3, Devices: 2, Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "at least") {
		t.Fatalf("a 3-record history of 2 devices: %v", err)
	}
}

// TestMeasuresCheckRecords makes sure each measurement really verifies:
// a history with one bad signature fails all of them.
func TestMeasuresCheckRecords(t *testing.T) {
	h := tinyHistory(t, 30, 300)
	i := len(h.Raws) - 5
	rec, _, err := crdt.Decode(h.Raws[i])
	if err != nil {
		t.Fatal(err)
	}
	rec.Sig = bytes.Clone(rec.Sig)
	rec.Sig[3] ^= 1
	bad, err := crdt.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	h.Raws[i] = bad
	for _, tt := range []struct {
		name string
		run  func() error
	}{
		{"ingest", func() error { _, err := Ingest(h, filepath.Join(t.TempDir(), "s"), 8); return err }},
		{"catch-up", func() error { _, err := CatchUp(h, t.TempDir(), 8); return err }},
		{"verify", func() error { _, err := VerifyRate(h, 20*time.Millisecond); return err }},
	} {
		if err := tt.run(); err == nil {
			t.Errorf("%s: no error for a record with a bad signature", tt.name)
		}
	}
}

func TestRunTiny(t *testing.T) {
	f, err := Run(Config{History: HistoryConfig{Records: 50, Devices: 2, Dir: t.TempDir()}, Batch: 16,
		Verify: 50 * time.Millisecond, Query: QueryConfig{Transfers: 3, Pending: 2, Queries: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Records != 50 || f.Ingest.Records != 50 || f.CatchUp.Records != 50 {
		t.Errorf("records %d, ingested %d, caught up %d, want 50", f.Records, f.Ingest.Records, f.CatchUp.Records)
	}
	if f.Ingest.PerSecond() <= 0 || f.CatchUp.PerSecond() <= 0 || f.Verify <= 0 {
		t.Errorf("rates: %+v", f)
	}
	q := f.Queries
	if q.Transfers != 3 || q.Pending != 2 || q.Records <= 50 {
		t.Errorf("query society: %+v", q)
	}
	for name, l := range map[string]Latency{"balance": q.Balance, "statement": q.Statement, "pending": q.PendingList} {
		if l.Runs != 4 || l.P50 <= 0 || l.P50 > l.P99 || l.P99 > l.Max {
			t.Errorf("%s: %+v", name, l)
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ingest:", "catch-up:", "verify:", "ingest / verify:", "balance:", "statement page (50 lines):", "pending:", "records/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
