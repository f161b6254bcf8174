//! Conducting the cheers: the show's audience becomes the [`CheersConfig`], and each chunk's
//! [`Params`] become a [`CheersControl`], with the seed of the moment playing (or of the gaps
//! between moments) as the section's gesture seed.

use super::Layer;
use crate::instruments::cheers::{Cheers, CheersConfig, CheersControl};
use crate::kit::{ChunkInfo, Stereo, derive_seed};
use crate::show::{Params, Show};

/// The cheers conducted by a show.
#[derive(Clone)]
pub struct CheersLayer {
    cheers: Cheers,
    /// Gesture seed of each moment, from the show seed and the moment's id (edit-stable).
    moment_seeds: Vec<u64>,
    moment_starts: Vec<f64>,
    /// Gesture seed of the gaps between moments.
    gap_seed: u64,
}

/// The cheers' configuration for `show` (the seed is the gaps' gesture seed; each moment gets
/// its own through the control).
pub fn config(show: &Show, seed: u64) -> CheersConfig {
    CheersConfig {
        audience: show.venue.audience,
        seed: derive_seed(seed, "cheers:gap"),
    }
}

impl CheersLayer {
    /// A cheers layer for `show`, with randomness from `seed`.
    pub fn new(show: &Show, seed: u64, sample_rate: f64) -> Self {
        CheersLayer {
            cheers: Cheers::new(&config(show, seed), sample_rate),
            moment_seeds: show
                .moments
                .iter()
                .map(|m| derive_seed(seed, &format!("cheers:{}", m.id)))
                .collect(),
            moment_starts: show.moments.iter().map(|m| m.start_secs).collect(),
            gap_seed: derive_seed(seed, "cheers:gap"),
        }
    }

    /// The controls for the chunk `info`, following `params`.
    fn control(&self, info: ChunkInfo, params: &Params) -> CheersControl {
        let (gesture_seed, start) = params.moment.map_or((self.gap_seed, 0.0), |m| {
            (self.moment_seeds[m], self.moment_starts[m])
        });
        CheersControl {
            energy: params.energy,
            hush: params.hush,
            cheer_rate: params.cheer_rate,
            whistle_rate: params.whistle_rate,
            scream_rate: params.scream_rate,
            gesture_seed,
            since_secs: info.secs() - start,
        }
    }
}

impl Layer for CheersLayer {
    fn render(&mut self, info: ChunkInfo, params: &Params, out: &mut Stereo) {
        let ctl = self.control(info, params);
        self.cheers.render(info, &ctl, out);
    }
}
