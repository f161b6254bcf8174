//! Sound layers (their shared building blocks are in [`crate::kit`]).
//!
//! Every layer turns the show's control [`Params`] into stereo samples, one chunk of at most
//! [`CHUNK`] frames at a time, and owns its voices, its random streams and its schedule. Layers
//! know nothing of TOML, files or devices; they allocate only in their constructors.

pub mod applause;
pub mod cheers;
pub mod crowd;
pub mod lead;
pub mod master;
pub mod roomtone;
pub mod util;
pub mod venue;
pub mod whistle;

use crate::kit::{ChunkInfo, Stereo};
use crate::show::Params;

/// A sound layer of the show (crowd, applause, cheers, lead).
pub trait Layer: Send {
    /// Write the next chunk into `out` (overwriting it), following `params`, which hold the
    /// control values at the start of the chunk. Must not allocate, lock or do I/O.
    fn render(&mut self, info: ChunkInfo, params: &Params, out: &mut Stereo);
}
