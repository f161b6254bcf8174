//! Venue (work in progress).
