//! Unit conversions: decibels, semitones, MIDI notes and pan positions.

/// Frequency ratio of `st` semitones.
#[inline]
pub fn semis(st: f32) -> f32 {
    (st * (std::f32::consts::LN_2 / 12.0)).exp()
}

/// Decibels to a linear gain.
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// MIDI note number to frequency in Hz.
#[inline]
pub fn midi_to_hz(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

/// Equal-power pan: `pan` in -1 (left) ..= 1 (right) to (left, right) gains.
#[inline]
pub fn pan_gains(pan: f32) -> (f32, f32) {
    let a = (pan.clamp(-1.0, 1.0) + 1.0) * std::f32::consts::FRAC_PI_4;
    (a.cos(), a.sin())
}
