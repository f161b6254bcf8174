//! White noise and random variates. Two generators: the seeded [`Rng`] for decisions and
//! per-voice variation, and xorshift32 for per-sample noise where the main generator would cost
//! too much (breath, friction, clap bodies). Each float mapping has a name, because voices were
//! tuned with a particular one and changing it changes their sound.

use rand::Rng as _;

use super::Rng;

/// Uniform in [0, 1) from the top 24 bits: cheap enough to call per sample.
#[inline]
pub fn uniform(r: &mut Rng) -> f32 {
    (r.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// Uniform white noise in [-1, 1).
#[inline]
pub fn bipolar(r: &mut Rng) -> f32 {
    uniform(r) * 2.0 - 1.0
}

/// A non-zero 32-bit seed (for xorshift noise, whose all-zero state would stay silent).
#[inline]
pub fn nonzero_u32(r: &mut Rng) -> u32 {
    r.next_u32() | 1
}

/// An approximately Gaussian value with unit deviation (Irwin–Hall of 4 uniforms), for
/// per-cycle jitter where the tails must stay bounded.
#[inline]
pub fn gauss4(r: &mut Rng) -> f32 {
    (uniform(r) + uniform(r) + uniform(r) + uniform(r) - 2.0) * 1.732_050_8
}

/// Approximately standard-normal from three uniforms (cheap, bounded to ±3), in f64 for timing.
pub fn gauss3_f64(r: &mut Rng) -> f64 {
    (f64::from(uniform(r)) + f64::from(uniform(r)) + f64::from(uniform(r)) - 1.5) * 2.0
}

/// Advance a xorshift32 state (13, 17, 5) and return it. The state must not be 0.
#[inline(always)]
pub fn xorshift32(state: &mut u32) -> u32 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    x
}

/// Noise in [-1, 1) from the top 24 bits of a xorshift32 step.
#[inline(always)]
pub fn xorshift_bipolar24(state: &mut u32) -> f32 {
    (xorshift32(state) >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0
}

/// Noise in [-1, 1) from all 32 bits of a xorshift32 step, read as a signed integer.
#[inline(always)]
pub fn xorshift_bipolar32(state: &mut u32) -> f32 {
    (xorshift32(state) as i32) as f32 * (1.0 / 2_147_483_648.0)
}
