//! Any instrument conducted by a show through a plain function: the conductor keeps, once for
//! every such instrument, the edit-stable gesture seed of each moment and where each moment
//! starts; the function turns what the conductor knows at a chunk ([`Now`]) into the
//! instrument's controls. Most layers need nothing more, so a new one is a table row:
//! `Conducted::new(part, config, |now| Control { .. })`.

use super::Layer;
use crate::instruments::node::Instrument;
use crate::kit::{ChunkInfo, Stereo, derive_seed};
use crate::show::{Params, Show};

/// A layer's part in a show, what it is built from: the show, the layer's name (its stem's
/// and its random streams'), its seed and the sample rate.
#[derive(Clone, Copy)]
pub struct Part<'a> {
    /// The show being played.
    pub show: &'a Show,
    /// The layer's name: each moment's gesture seed is derived from `"{name}:{moment id}"`.
    pub name: &'static str,
    /// The layer's seed, from which all its randomness is derived.
    pub seed: u64,
    /// Sample rate in Hz.
    pub sample_rate: f64,
}

impl Part<'_> {
    /// The gesture seed of the gaps between moments (`"{name}:gap"`).
    pub fn gap_seed(&self) -> u64 {
        derive_seed(self.seed, &format!("{}:gap", self.name))
    }
}

/// What the conductor knows at the start of a chunk, for a layer's control function.
#[derive(Clone, Copy)]
pub struct Now<'a> {
    /// The show's levels (and the operator's cues) at the chunk.
    pub params: &'a Params,
    /// The chunk's timing.
    pub info: ChunkInfo,
    /// Gesture seed of the moment playing (or of the gaps between moments), edit-stable: it
    /// depends on the show seed, the layer's name and the moment's id, nothing else.
    pub gesture_seed: u64,
    /// Seconds since the moment playing started (since the show started in a gap).
    pub since_secs: f64,
}

/// An instrument conducted by a show: its controls at every chunk are `control(now)`.
#[derive(Clone)]
pub struct Conducted<I: Instrument> {
    inst: I,
    control: fn(&Now) -> I::Control,
    /// Gesture seed and start (seconds) of each moment, indexed like the show's moments.
    moments: Vec<(u64, f64)>,
    /// Gesture seed of the gaps between moments.
    gap_seed: u64,
}

impl<I: Instrument> Conducted<I> {
    /// The instrument built from `cfg` for `part`, its controls following `control`.
    pub fn new(part: Part, cfg: I::Config, control: fn(&Now) -> I::Control) -> Self {
        Conducted {
            inst: I::build(&cfg, part.sample_rate),
            control,
            moments: part
                .show
                .moments
                .iter()
                .map(|m| {
                    let seed = derive_seed(part.seed, &format!("{}:{}", part.name, m.id));
                    (seed, m.start_secs)
                })
                .collect(),
            gap_seed: part.gap_seed(),
        }
    }

    /// The instrument inside.
    pub fn instrument(&self) -> &I {
        &self.inst
    }
}

impl<I: Instrument + 'static> Layer for Conducted<I> {
    fn render(&mut self, info: ChunkInfo, params: &Params, out: &mut Stereo) {
        let (gesture_seed, start) = params
            .moment
            .map_or((self.gap_seed, 0.0), |m| self.moments[m]);
        let now = Now {
            params,
            info,
            gesture_seed,
            since_secs: info.secs() - start,
        };
        let ctl = (self.control)(&now);
        self.inst.render(info, &ctl, out);
    }
}
