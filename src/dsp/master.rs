//! Master (work in progress).
