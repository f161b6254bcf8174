//! Outputs (work in progress).
