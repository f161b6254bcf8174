//! `concert`: a procedural concert-ambience synthesizer.
//!
//! A show ([`show::Show`], usually loaded by [`preset`]) is turned into samples by the pure,
//! deterministic [`engine::Engine`], block by block; [`output`] writes WAV files and stems.

pub mod bed;
pub mod conductor;
pub mod engine;
pub mod instruments;
pub mod kit;
pub mod output;
#[cfg(feature = "plot")]
pub mod plot;
pub mod preset;
pub mod render;
pub mod show;
pub mod timeline_export;
