//! The lead singer conducted by a show: the show's voice, and the part the conductor writes
//! from its songs and banter ([`super::score`]).

use super::score;
use crate::conductor::Layer;
use crate::instruments::lead::{Singer, SingerConfig};
use crate::kit::{ChunkInfo, Stereo};
use crate::show::{Params, Show};

/// The lead singer of a show (the `lead` stem): sings `Show::lead_notes()` and talks in
/// banter moments.
#[derive(Clone)]
pub struct LeadLayer {
    inst: Singer,
}

/// The singer's configuration for `show`: its voice and its whole part, every moment's
/// randomness derived from `seed`.
pub fn config(show: &Show, seed: u64) -> SingerConfig {
    SingerConfig {
        voice: show.singer.voice,
        part: score::plan(show, seed),
        seed,
    }
}

impl LeadLayer {
    /// A lead for `show` at `sample_rate`, its randomness derived from `seed` per moment.
    pub fn new(show: &Show, seed: u64, sample_rate: f64) -> Self {
        LeadLayer {
            inst: Singer::new(&config(show, seed), sample_rate),
        }
    }
}

impl Layer for LeadLayer {
    fn render(&mut self, info: ChunkInfo, _params: &Params, out: &mut Stereo) {
        self.inst.render(info, out);
    }
}
