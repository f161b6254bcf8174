//! Applause (work in progress).
