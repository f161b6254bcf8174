//! The conductor: the only module that reads both the show and the instruments. It turns a
//! [`Show`] into each instrument's configuration (built once) and controls (every chunk), so
//! instruments never see a timeline and can be played without one.
//!
//! A [`Layer`] is an instrument conducted by a show: the engine asks it for one chunk at a
//! time with the show's [`Params`] at that chunk, and it hands its instrument the controls.

mod applause;
mod conducted;
mod crowd;
pub mod roomtone;
pub mod score;

pub use applause::ApplauseLayer;
pub use conducted::{Conducted, Now, Part};
pub use crowd::{CrowdLayer, chant_beat_count, chant_beat_secs, chant_clock, chant_sounds};

use crate::instruments::crowd::voice::SyllableSound;
use crate::kit::{CHUNK, ChunkInfo, Stereo};
use crate::show::{Params, Show};

/// An instrument conducted by a show (crowd, applause, cheers, lead…). Most are a
/// [`Conducted`] instrument; a layer with more to do (the crowd's chants) is its own type.
pub trait Layer: Send + Sync + CloneLayer {
    /// Write the next chunk into `out` (overwriting it), following `params`, which hold the
    /// control values at the start of the chunk. Must not allocate, lock or do I/O.
    fn render(&mut self, info: ChunkInfo, params: &Params, out: &mut Stereo);

    /// Take the syllables of a chant the operator started ([`Params::cued`]) and give back
    /// the ones they replace; a layer that does not chant gives them straight back. A move:
    /// allocation-free.
    fn swap_cued_sounds(&mut self, sounds: Vec<SyllableSound>) -> Vec<SyllableSound> {
        sounds
    }

    /// The syllables of the operator's chant this layer holds (none unless it chants).
    fn cued_sounds(&self) -> &[SyllableSound] {
        &[]
    }
}

/// Cloning a boxed [`Layer`] (the engine's graph wants every node `Clone`); implemented for
/// every `Clone` layer.
pub trait CloneLayer {
    /// A boxed copy of this layer.
    fn clone_layer(&self) -> Box<dyn Layer>;
}

impl<L: Layer + Clone + 'static> CloneLayer for L {
    fn clone_layer(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Layer> {
    fn clone(&self) -> Self {
        self.clone_layer()
    }
}

/// Render `secs` seconds of one layer on its own, following `show`'s params, starting at
/// `from_secs`. Returns interleaved stereo. For tests and measurements, not the audio thread.
pub fn render_layer(
    layer: &mut dyn Layer,
    show: &Show,
    sample_rate: u32,
    from_secs: f64,
    secs: f64,
) -> Vec<f32> {
    let sr = f64::from(sample_rate);
    let first = (from_secs * sr).round() as u64 / CHUNK as u64 * CHUNK as u64;
    let frames = (secs * sr).round() as usize;
    let mut out = Vec::with_capacity(frames * 2);
    let mut chunk = Stereo::default();
    let mut frame = first;
    while out.len() < frames * 2 {
        let info = ChunkInfo {
            frame,
            sample_rate: sr,
        };
        let params = show.params_at(info.secs());
        layer.render(info, &params, &mut chunk);
        for i in 0..CHUNK {
            if out.len() >= frames * 2 {
                break;
            }
            out.push(chunk.l[i]);
            out.push(chunk.r[i]);
        }
        frame += CHUNK as u64;
    }
    out
}
