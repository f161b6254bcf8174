//! The singer's part: every sung note and spoken syllable as an [`Utterance`] on the clock,
//! with the per-note choices a singer makes (scoop depth, vibrato onset and rate, how far a
//! phrase falls) already drawn. The conductor writes a show's part (`conductor::score`); anyone
//! can write their own.

use super::vowels::Syllable;

/// One sung note or spoken syllable on the show clock.
#[derive(Debug, Clone)]
pub struct Utterance {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds (the fall and breath of a phrase end come after it).
    pub end: f64,
    /// Pitch at the start, in MIDI semitones.
    pub midi: f32,
    /// Pitch at the end (speech glides inside a syllable; sung notes hold `midi`).
    pub end_midi: f32,
    /// What is articulated.
    pub syllable: Syllable,
    /// Effort 0..=1 (loudness and brightness).
    pub effort: f32,
    /// First of a phrase: scoop in from below.
    pub phrase_start: bool,
    /// Last of a phrase: fall off, fade and breathe.
    pub phrase_end: bool,
    /// Portamento from the previous note.
    pub slide: bool,
    /// Spoken (banter) rather than sung.
    pub speech: bool,
    /// Seed of the moment this belongs to (the voice reseeds when a moment starts).
    pub moment_seed: u64,
    /// Depth of the scoop into a phrase start, in cents.
    pub scoop_cents: f32,
    /// Seconds into the note where vibrato starts.
    pub vibrato_delay: f32,
    /// Vibrato rate for this note in Hz.
    pub vibrato_hz: f32,
    /// Vibrato extent for this note, ± cents.
    pub vibrato_cents: f32,
    /// Depth of the phrase-final fall, in cents.
    pub fall_cents: f32,
    /// Seconds of fall and fade after `end` (phrase ends only).
    pub tail: f32,
    /// Where this note lands against the written pitch, in cents: no two repeats of a note are
    /// sung at exactly the same pitch.
    pub detune_cents: f32,
}

impl Utterance {
    /// Length in seconds.
    pub fn secs(&self) -> f64 {
        self.end - self.start
    }
}
