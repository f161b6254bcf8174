//! The timing of a crowd chant, as pure functions of its [`ChantClock`], so that the chanting
//! voices (here) and the clappers that lock to them (the applause layer) agree on every beat.
//!
//! A chant lays the syllables of its words one per beat, padded with rests to a whole number
//! of two-beat groups ("one more song ·"), and speeds up over the chant (the clock's grid
//! accelerates), as real crowds do when they get excited.
//!
//! Must not touch: sound. No DSP here.

use crate::kit::BeatGrid;

/// Words chanted when a chant moment names none.
pub const DEFAULT_WORDS: &str = "one more song";

/// The clock of one chant: its beat grid (tempo rising as the crowd gets excited) and the
/// show time at which it stops. The conductor makes it from the chant moment, so the chanting
/// voices and the clappers that lock to them find the same beats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChantClock {
    /// Every chanted beat, from the first on.
    pub grid: BeatGrid,
    /// Show time (s) at which the chant ends.
    pub end_secs: f64,
}

impl ChantClock {
    /// Show time in seconds of beat `n` (0-based).
    pub fn beat_secs(&self, n: usize) -> f64 {
        self.grid.time_of(n as f64)
    }

    /// Beats elapsed (fractional) at show time `secs`; negative before the first beat. The
    /// inverse of [`ChantClock::beat_secs`].
    pub fn beats_at(&self, secs: f64) -> f64 {
        self.grid.beat_at(secs)
    }

    /// Number of beats that start before the chant ends.
    pub fn beat_count(&self) -> usize {
        let b = self.beats_at(self.end_secs);
        if b <= 0.0 { 0 } else { b.ceil() as usize }
    }
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

    #[test]
    fn syllables_and_pattern() {
        assert_eq!(chant_syllables("one more song!"), ["one", "more", "song"]);
        assert_eq!(chant_syllables("E-cho Fade"), ["E", "cho", "Fade"]);
        assert_eq!(pattern_beats(3), 4);
        assert_eq!(pattern_beats(2), 2);
    }
}
