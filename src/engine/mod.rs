//! Engine (work in progress).
