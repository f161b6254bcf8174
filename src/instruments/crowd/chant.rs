//! The timing of a crowd chant, as pure functions of the moment, so that the chanting voices
//! (here) and the clappers that lock to them (the applause layer) agree on every beat.
//!
//! A chant lays the syllables of its words one per beat, padded with rests to a whole number
//! of two-beat groups ("one more song ·"), and speeds up by [`CHANT_ACCEL`] over the moment,
//! as real crowds do when they get excited.
//!
//! Must not touch: sound. No DSP here.

use crate::show::Moment;
use crate::show::rhythm::chant_grid;

pub use crate::show::rhythm::{CHANT_ACCEL, CHANT_LEAD_IN_SECS};

/// Words chanted when a chant moment names none.
pub const DEFAULT_WORDS: &str = "one more song";

/// Show time in seconds of beat `n` (0-based) of a chant moment: the tempo starts at
/// `moment.bpm` and rises linearly by [`CHANT_ACCEL`] over the moment. Claps lock to these.
pub fn chant_beat_secs(moment: &Moment, n: usize) -> f64 {
    chant_grid(moment).time_of(n as f64)
}

/// Beats elapsed (fractional) at show time `secs` of a chant moment; negative before the first
/// beat. The inverse of [`chant_beat_secs`].
pub fn chant_beats_at(moment: &Moment, secs: f64) -> f64 {
    chant_grid(moment).beat_at(secs)
}

/// Number of beats that start before the moment ends.
pub fn chant_beat_count(moment: &Moment) -> usize {
    let b = chant_beats_at(moment, moment.end_secs);
    if b <= 0.0 { 0 } else { b.ceil() as usize }
}

/// The syllables of a chant's words: split on spaces and hyphens, punctuation dropped.
pub fn chant_syllables(words: &str) -> Vec<String> {
    words
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Beats in one repetition of the chant: the syllables padded with rests to an even count.
pub fn pattern_beats(syllables: usize) -> usize {
    syllables.max(1).div_ceil(2) * 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::MomentKind;

    fn chant(bpm: f64, secs: f64) -> Moment {
        Moment {
            id: "chant-1".into(),
            kind: MomentKind::Chant,
            label: "chant".into(),
            start_secs: 10.0,
            end_secs: 10.0 + secs,
            energy: 0.7,
            peak: 0.5,
            song: None,
            words: Some("one more song".into()),
            bpm,
        }
    }

    #[test]
    fn beats_accelerate_and_invert() {
        let m = chant(120.0, 20.0);
        assert!((chant_beat_secs(&m, 0) - 10.3).abs() < 1e-9);
        let first = chant_beat_secs(&m, 1) - chant_beat_secs(&m, 0);
        let n = chant_beat_count(&m);
        let last = chant_beat_secs(&m, n - 1) - chant_beat_secs(&m, n - 2);
        assert!(
            (first - 0.5).abs() < 0.01,
            "starts at the given tempo: {first}"
        );
        assert!(
            last < first * 0.95 && last > first * 0.9,
            "speeds up ~8 %: {first} -> {last}"
        );
        for k in [0, 3, 17, 40] {
            let b = chant_beats_at(&m, chant_beat_secs(&m, k));
            assert!((b - k as f64).abs() < 1e-6, "{k} vs {b}");
        }
        assert!(chant_beat_secs(&m, n - 1) < m.end_secs);
    }

    #[test]
    fn syllables_and_pattern() {
        assert_eq!(chant_syllables("one more song!"), ["one", "more", "song"]);
        assert_eq!(chant_syllables("E-cho Fade"), ["E", "cho", "Fade"]);
        assert_eq!(pattern_beats(3), 4);
        assert_eq!(pattern_beats(2), 2);
    }
}
