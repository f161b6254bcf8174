//! Smoothing: one-pole coefficients and an S-curve, shared so every layer glides alike.

/// The coefficient of a one-pole smoother `y += c·(x − y)` updated every `dt` seconds with time
/// constant `tau` seconds.
#[inline]
pub fn one_pole_coef(dt: f64, tau: f64) -> f32 {
    (1.0 - (-dt / tau).exp()) as f32
}

/// The coefficient of a per-sample one-pole low-pass with its corner at `hz`.
#[inline]
pub fn one_pole_coef_hz(hz: f32, sample_rate: f32) -> f32 {
    1.0 - (-std::f32::consts::TAU * hz / sample_rate).exp()
}

/// Smoothstep of `x` clamped to 0..=1: an S-curve with flat ends, for fades and glides.
#[inline]
pub fn smooth01(x: f64) -> f32 {
    let t = x.clamp(0.0, 1.0) as f32;
    t * t * (3.0 - 2.0 * t)
}
