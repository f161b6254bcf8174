//! Where samples go: WAV files (and, with the `live` feature, audio devices).
//!
//! Output code knows samples, formats and files, never the timeline or the DSP.

#[cfg(feature = "live")]
pub mod live;
pub mod loudness;
pub mod markers;
pub mod wav;
