//! Signals during a render: SIGINT, SIGTERM (what `timeout`, systemd, Docker and CI runners
//! send), SIGHUP and SIGQUIT all stop the render between blocks, so its temporary files are
//! removed, and the process exits 128 + the signal's number with a message. A second signal
//! while the first is being handled exits at once (with the same code), for a render stuck in
//! a blocking `open` (a FIFO nobody reads).
//!
//! SIGHUP stays ignored if it was ignored when the process started (`nohup concert render …`
//! must survive the terminal closing). SIGINT and SIGQUIT are always handled, even though a
//! non-interactive shell starts its background jobs with them ignored: that convention only
//! shields a job from the keyboard, and a `kill -INT` sent to a render on purpose (a CI runner
//! or a script run in the background) must stop it cleanly, not be lost.
//!
//! SIGXFSZ is caught and ignored, so a write past the file-size limit (`ulimit -f`) fails with
//! EFBIG, which becomes a clean "file too large" error instead of killing the process.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGXFSZ};
use signal_hook::flag;

/// Signals that stop a render cleanly.
pub const STOPPING: [i32; 4] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT];

/// What a received stopping signal set.
pub struct Stop {
    /// Set by any stopping signal; the render polls it between blocks.
    pub flag: Arc<AtomicBool>,
    /// The number of the last stopping signal received (0 if none).
    which: Arc<AtomicUsize>,
}

impl Stop {
    /// Installs the handlers (for the life of the process).
    pub fn install() -> io::Result<Stop> {
        let stop = Stop {
            flag: Arc::new(AtomicBool::new(false)),
            which: Arc::new(AtomicUsize::new(0)),
        };
        for sig in STOPPING {
            if sig == SIGHUP && ignored(sig) {
                // `nohup`: keep SIGHUP ignored, as asked.
                continue;
            }
            // Order matters: the shutdown check sees the flag as the *previous* signal left it.
            flag::register_conditional_shutdown(sig, 128 + sig, Arc::clone(&stop.flag))?;
            flag::register_usize(sig, Arc::clone(&stop.which), sig as usize)?;
            flag::register(sig, Arc::clone(&stop.flag))?;
        }
        // Any handler replaces the default action (terminate); the write then fails with EFBIG.
        flag::register(SIGXFSZ, Arc::new(AtomicBool::new(false)))?;
        Ok(stop)
    }

    /// The signal that stopped the render, if one did.
    pub fn signal(&self) -> Option<i32> {
        match self.which.load(Ordering::SeqCst) {
            0 => None,
            n => i32::try_from(n).ok(),
        }
    }
}

/// Whether `sig` is ignored (`SIG_IGN`) in this process.
fn ignored(sig: i32) -> bool {
    // SAFETY: with a null new action, sigaction only reads the current one into `old`, a
    // zeroed plain C struct it fully initialises; nothing is installed or changed.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

/// A signal's conventional name, for messages.
pub fn name(sig: i32) -> &'static str {
    match sig {
        SIGINT => "SIGINT (Ctrl-C)",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        SIGQUIT => "SIGQUIT",
        _ => "a signal",
    }
}
