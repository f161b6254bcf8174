//! The kit every instrument is built from: chunks, seeds, noise, smoothing, units, resonators,
//! beat grids and the words for places and voices. It knows no show, no preset and no engine, so an instrument (or a user's own
//! fundsp graph) can use it on its own.
//!
//! Everything here is allocation-free per sample and deterministic from its seed.

mod beat;
mod chunk;
mod cued;
mod noise;
mod place;
mod resonator;
mod seed;
mod smooth;
mod units;
mod voice;

pub use beat::{BeatGrid, ClapKind, ClapSection};
pub use chunk::{CHUNK, ChunkInfo, Stereo};
pub use cued::{Cued, CuedChant};
pub use noise::{
    bipolar, gauss3_f64, gauss4, nonzero_u32, uniform, xorshift_bipolar24, xorshift_bipolar32,
    xorshift32,
};
pub use place::{Listener, Venue, VenueKind};
pub use resonator::Resonator;
pub use seed::{Rng, derive_seed, rng, splitmix64};
pub use smooth::{one_pole_coef, one_pole_coef_hz, smooth01};
pub use units::{db_to_gain, midi_to_hz, pan_gains, semis};
pub use voice::VoiceType;
