//! The lead's melody: the notes of a song and the compact text notation they are written in.
//!
//! # Notation
//!
//! A melody is a sequence of whitespace-separated tokens; durations are relative to the song's
//! `bpm`, where a quarter note is one beat.
//!
//! | token            | meaning |
//! |------------------|---------|
//! | `la:A4/8`        | sing "la" on A4 for an eighth note |
//! | `oh:E5/4.`       | dotted quarter (each `.` adds half of the previous value) |
//! | `yeah:C#5/2`     | sharps `#`, flats `b`; octave numbers as in scientific pitch (C4 = MIDI 60) |
//! | `ah:>D5/4`       | `>` before the pitch: slide (portamento) into this note from the previous one |
//! | `~/4`            | a rest of a quarter note |
//! | `_/8`            | tie: lengthen the previous note by an eighth |
//! | `\|`             | bar line: visual only |
//! | `,`              | breath: ends the current phrase (so does any rest) |
//! | `p` `mp` `mf` `f` `ff` | dynamics for the following notes (default `mf`) |
//!
//! Durations are `1 2 4 8 16 32` (whole … thirty-second) with optional dots, or a triplet
//! suffix `t` (`/8t` = a third of a quarter). Syllables are letters and apostrophes; the lead
//! knows the vowels of `la na oh ah yeah whoa ooh hey` and more (see `dsp::lead`).
//!
//! A phrase starts at the first note, after a rest and after a breath; its last note is the
//! one before the next rest or breath (or the end of the melody).

/// A dynamic mark, which sets the singer's effort (loudness and brightness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dynamic {
    /// Soft.
    P,
    /// Moderately soft.
    Mp,
    /// Moderately loud (the default).
    #[default]
    Mf,
    /// Loud.
    F,
    /// Very loud.
    Ff,
}

impl Dynamic {
    /// Effort 0..=1 used by the voice for loudness and spectral tilt.
    pub fn velocity(self) -> f32 {
        match self {
            Dynamic::P => 0.35,
            Dynamic::Mp => 0.5,
            Dynamic::Mf => 0.65,
            Dynamic::F => 0.82,
            Dynamic::Ff => 1.0,
        }
    }
}

/// One sung note of a melody, timed in beats from the start of the melody.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Start in beats from the first note.
    pub start_beats: f64,
    /// Length in beats (ties included).
    pub beats: f64,
    /// MIDI pitch (69 = A4 = 440 Hz).
    pub midi: u8,
    /// The sung syllable.
    pub syllable: String,
    /// Dynamic in force.
    pub dynamic: Dynamic,
    /// First note of a phrase.
    pub phrase_start: bool,
    /// Last note of a phrase.
    pub phrase_end: bool,
    /// Slide into this note from the previous one.
    pub slide: bool,
}

/// Total length of a melody in beats: the end of its last note or rest.
pub fn length_beats(notes: &[Note]) -> f64 {
    notes.iter().map(|n| n.start_beats + n.beats).fold(0.0, f64::max)
}
