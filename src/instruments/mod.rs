//! The instruments: every sound of the show (the crowd, its hands and cheers, the lead singer…,
//! one file each), the room's tone, the venue and the master. Each turns its controls into stereo samples one chunk of at most
//! [`crate::kit::CHUNK`] frames at a time, and owns its voices, its random streams and its
//! schedule. Instruments know nothing of TOML, files or devices; they allocate only in their
//! constructors. Their building blocks are in [`crate::kit`]; the [`crate::conductor`] drives
//! them from a show.

pub mod applause;
pub mod bar;
pub mod cheers;
pub mod clap_tone;
pub mod crowd;
pub mod lead;
pub mod master;
pub mod node;
pub mod roomtone;
pub mod venue;
pub mod whistle;
