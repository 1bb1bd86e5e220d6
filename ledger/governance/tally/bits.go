package tally

import "math/bits"

func mul64(a, b uint64) (hi, lo uint64) { return bits.Mul64(a, b) }

// div64 divides the 128-bit hi:lo by c; the quotient saturates when it does
// not fit in 64 bits (never for the values the tallies use).
func div64(hi, lo, c uint64) (q, r uint64) {
	if hi >= c {
		return ^uint64(0) >> 1, 0
	}
	return bits.Div64(hi, lo, c)
}

// cmpMul compares a*b with c*d for non-negative values: -1, 0 or +1.
func cmpMul(a, b, c, d uint64) int {
	h1, l1 := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(c, d)
	switch {
	case h1 != h2:
		if h1 < h2 {
			return -1
		}
		return 1
	case l1 != l2:
		if l1 < l2 {
			return -1
		}
		return 1
	}
	return 0
}
