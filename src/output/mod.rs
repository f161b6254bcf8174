//! Where samples go: WAV and FLAC files or a pipe, with markers and loudness (and, with the
//! `live` feature, audio devices).
//!
//! Output code knows samples, formats and files, never the timeline or the DSP.

pub mod dest;
pub mod flac;
#[cfg(feature = "live")]
pub mod live;
pub mod loudness;
pub mod markers;
pub mod sink;
pub mod wav;
