// Package tally holds the voting methods of council governance as pure
// functions: given the counted ballots of a proposal (after delegation and
// weight), it computes the result and the rounds that explain it.
//
// Every function is deterministic across platforms: weights are integers,
// fractions are exact (math/big) or fixed-point integers with a documented
// rounding, never floating point (Go may fuse a multiply and an add on
// arm64, so a float tally could differ between a phone and a laptop), and
// ties are broken by the order of the options as the proposal lists them,
// never by map order. Inputs are validated by the caller (see the governance
// module's ballot checks); the functions here never panic on a ballot that
// passed those checks and skip what they cannot count.
package tally
