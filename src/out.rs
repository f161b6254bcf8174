//! Printing for the command line without panics: `println!` panics when stdout is a closed
//! pipe (`concert timeline | head -1`) or a full device (`> /dev/full`), and `eprintln!` when
//! stderr is (`2>/dev/full`).
//!
//! Standard output goes through [`Stdout`], whose errors are [`StdoutError`]s: `main` exits
//! quietly with [`BROKEN_PIPE_EXIT`] on a closed pipe (the reader has what it wanted, as with
//! any Unix filter killed by SIGPIPE) and reports anything else (exit 1). Messages on standard
//! error go through [`note`], which drops them if stderr cannot be written: nothing better can
//! be done, and the exit code still tells.

use std::fmt;
use std::io::{self, BufWriter, StdoutLock, Write};

/// Exit code after standard output was closed early: 128 + SIGPIPE, what a shell reports for a
/// filter killed by SIGPIPE, so `set -o pipefail` scripts see the same as with `cat`.
pub const BROKEN_PIPE_EXIT: i32 = 141;

/// Standard output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output")]
pub struct StdoutError(#[source] pub io::Error);

impl StdoutError {
    /// The reader went away (`| head`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        self.0.kind() == io::ErrorKind::BrokenPipe
    }
}

/// Buffered standard output with fallible writes; [`Stdout::finish`] flushes and reports.
pub struct Stdout(BufWriter<StdoutLock<'static>>);

impl Stdout {
    /// Locks standard output for this command.
    pub fn new() -> Stdout {
        Stdout(BufWriter::new(io::stdout().lock()))
    }

    /// Writes one line.
    pub fn line(&mut self, args: fmt::Arguments) -> Result<(), StdoutError> {
        self.0.write_fmt(args).map_err(StdoutError)?;
        self.0.write_all(b"\n").map_err(StdoutError)
    }

    /// Writes text made elsewhere (a completion script, a man page) as it is.
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), StdoutError> {
        self.0.write_all(bytes).map_err(StdoutError)
    }

    /// Flushes; a write error that the buffer held back surfaces here.
    pub fn finish(mut self) -> Result<(), StdoutError> {
        self.0.flush().map_err(StdoutError)
    }
}

/// Writes a line to standard error, dropping it if stderr cannot be written.
pub fn note(args: fmt::Arguments) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}
