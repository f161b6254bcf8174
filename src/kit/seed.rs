//! Seeds and the random generator: every voice, moment and gesture draws from its own stream,
//! derived from the show seed and a stable id, so editing one part leaves the others alone.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// The random generator every voice uses: named and portable, so renders stay byte-identical
/// across rand versions and machines (`StdRng`/`SmallRng` are not).
pub type Rng = Xoshiro256PlusPlus;

/// A generator seeded from a derived seed.
pub fn rng(seed: u64) -> Rng {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// A 64-bit seed derived from a show seed and a stable id (FNV-1a over the id, mixed with
/// SplitMix64), so each moment and voice has its own random stream that does not depend on
/// the order or number of other moments.
pub fn derive_seed(show_seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    splitmix64(show_seed ^ splitmix64(h))
}

/// SplitMix64 finaliser: a cheap, well-mixed hash of a 64-bit value.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
