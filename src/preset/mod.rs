//! Presets (work in progress).
