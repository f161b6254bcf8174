//! What an operator has started live, as plain per-chunk data: a chant on its own clock and a
//! span of clapping in time. The engine fills it in (see `engine::operator`); the layers read
//! it like the rest of the chunk's controls. It knows no show and no instrument.

use super::{BeatGrid, ClapSection};

/// The operator's sections sounding in one chunk (both `None` while no operator cue runs, so
/// a render without operator cues sees exactly the show's controls).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cued {
    /// A chant started by the operator, riding over whatever the show plays.
    pub chant: Option<CuedChant>,
    /// Clapping in time started by the operator (a clap-along, or the claps under a cued
    /// chant); it takes the place of the show's own clap sections while it lasts.
    pub claps: Option<ClapSection>,
}

/// The clock and level of a chant the operator started; its words (already turned into
/// syllable sounds) were handed to the crowd when it started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CuedChant {
    /// Its beats, from the first.
    pub grid: BeatGrid,
    /// Show time (s) at which it ends (infinite until the operator stops it).
    pub end_secs: f64,
    /// Chanting level now (0..=1): full while it runs, falling to 0 once stopped.
    pub level: f32,
}
