//! Destinations: how a finished output reaches the path the user gave without ever leaving a
//! half-written file there, replacing something that is not a file, or following a planted link.
//!
//! - A new path or an existing regular file: the output is written to a temporary file created
//!   exclusively (`O_EXCL`, a random short name, so nothing already there is followed or
//!   shared with a concurrent run) in the same folder, and renamed over the destination only by
//!   [`Dest::commit`]. Dropped without a commit (an error, a signal), it deletes itself.
//! - An existing path that is not a regular file (`/dev/null`, a FIFO, a terminal): written
//!   directly, never replaced. The encoders write their header with its final sizes first and
//!   never seek back, so a reader at the other end of a FIFO sees a valid file.
//! - A folder: refused when the destination is opened, before any rendering.
//!
//! A set of stems goes into a temporary folder ([`StemDir`]) and is moved into place only when
//! every file is complete, so a failure leaves the previous set as it was.
//!
//! Errors name the path the user gave (never the temporary name) and carry the system's reason
//! once, as their source. This module knows files, not samples or timelines.

use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// Prefix of temporary names: hidden, short (a 255-byte destination name still works, because
/// the temporary name does not derive from it) and recognisable as ours.
const TEMP_PREFIX: &str = ".concert-";
/// Random characters in a temporary name.
const TEMP_RANDOM: usize = 6;
/// Names tried before giving up (each taken one is skipped, never opened).
const TEMP_ATTEMPTS: u32 = 64;
/// Write buffer per output file.
const BUFFER_BYTES: usize = 1 << 20;

/// Errors placing an output file.
#[derive(Debug, thiserror::Error)]
pub enum DestError {
    /// The destination is a folder (or names one with a trailing `/`).
    #[error("{} is a folder — give a file name, e.g. {}", path.display(), path.join("show.wav").display())]
    IsDir {
        /// The path as given.
        path: PathBuf,
    },
    /// A stems destination that is not a folder, or a stem name taken by a non-file.
    #[error("{} is not a regular file or folder that stems can replace — move it away or choose another --stems folder", path.display())]
    NotReplaceable {
        /// The path in the way.
        path: PathBuf,
    },
    /// The process's file-size limit (`ulimit -f`) was reached.
    #[error("cannot write {}: file too large — the file-size limit (`ulimit -f`) was reached; raise it or render a shorter span", path.display())]
    TooLarge {
        /// The path as given.
        path: PathBuf,
    },
    /// The system refused to create, write or rename the file.
    #[error("cannot write {}", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
}

/// The error for an I/O failure on `path` (the user's path): a file-size limit becomes
/// [`DestError::TooLarge`].
pub fn io_error(path: &Path, source: io::Error) -> DestError {
    if source.kind() == io::ErrorKind::FileTooLarge {
        DestError::TooLarge {
            path: path.to_path_buf(),
        }
    } else {
        DestError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A fresh temporary name: [`TEMP_PREFIX`], [`TEMP_RANDOM`] random letters and digits, `suffix`.
/// (`RandomState` is seeded from the operating system's randomness.)
fn temp_name(suffix: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    let mut bits = h.finish();
    let mut name = String::from(TEMP_PREFIX);
    for _ in 0..TEMP_RANDOM {
        name.push(char::from(
            ALPHABET[(bits % ALPHABET.len() as u64) as usize],
        ));
        bits /= ALPHABET.len() as u64;
    }
    name.push_str(suffix);
    name
}

/// Creates a new entry in `dir` with `make`, which must fail with `AlreadyExists` when the
/// name is taken (`O_EXCL`: nothing already there, a planted symlink included, is followed).
fn create_unique<T>(
    dir: &Path,
    suffix: &str,
    make: impl Fn(&Path) -> io::Result<T>,
) -> io::Result<(Cleanup, T)> {
    for _ in 0..TEMP_ATTEMPTS {
        let path = dir.join(temp_name(suffix));
        match make(&path) {
            Ok(made) => return Ok((Cleanup(Some(path)), made)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from(io::ErrorKind::AlreadyExists))
}

/// A temporary file or folder that is removed when dropped, unless kept.
struct Cleanup(Option<PathBuf>);

impl Cleanup {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// It has been moved into place: leave it.
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            // Best effort: the output has already failed; its error is what the user needs.
            if p.is_dir() {
                let _ = fs::remove_dir_all(&p);
            } else {
                let _ = fs::remove_file(&p);
            }
        }
    }
}

/// The buffered writer of a destination.
pub type DestWriter = BufWriter<File>;

/// An output file on its way to its destination (see the module docs).
pub struct Dest {
    /// The path as the user gave it, for messages.
    shown: PathBuf,
    /// Where the temporary file is renamed to (a symlinked destination's target).
    target: PathBuf,
    /// The temporary file, for destinations that are replaced on commit; it deletes itself
    /// when dropped before the commit.
    temp: Option<Cleanup>,
    /// A second handle on the file, to sync it before the rename.
    sync: Option<File>,
}

impl Dest {
    /// Opens the destination `path`. Fails before anything is written if `path` is a folder
    /// or cannot be created.
    pub fn create(path: &Path) -> Result<(Dest, DestWriter), DestError> {
        let shown = path.to_path_buf();
        if path.as_os_str().to_string_lossy().ends_with('/') {
            return Err(DestError::IsDir { path: shown });
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(DestError::IsDir { path: shown }),
            Ok(meta) if !meta.is_file() => {
                // A device or FIFO: the user means "write into it" (`-o /dev/null`).
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| io_error(path, e))?;
                let dest = Dest {
                    shown,
                    target: path.to_path_buf(),
                    temp: None,
                    sync: None,
                };
                Ok((dest, BufWriter::with_capacity(BUFFER_BYTES, file)))
            }
            existing => {
                // A regular file (replaced, keeping its permissions) or a new path. A symlink
                // to a file is followed so the link keeps pointing at the new file.
                let target = match &existing {
                    Ok(_) if is_symlink(path) => fs::canonicalize(path).unwrap_or(shown.clone()),
                    _ => shown.clone(),
                };
                let mode = existing.as_ref().map_or(NEW_FILE_MODE, file_mode);
                let (temp, file) = create_unique(parent_of(&target), ".tmp", |p| new_file(p, mode))
                    .map_err(|e| io_error(path, e))?;
                let sync = file.try_clone().ok();
                let dest = Dest {
                    shown,
                    target,
                    temp: Some(temp),
                    sync,
                };
                Ok((dest, BufWriter::with_capacity(BUFFER_BYTES, file)))
            }
        }
    }

    /// Whether the destination is written directly (a device or FIFO) rather than through a
    /// temporary file renamed into place.
    pub fn is_direct(&self) -> bool {
        self.temp.is_none()
    }

    /// The path as the user gave it.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Moves the finished file into place (an atomic rename within its folder); a destination
    /// written directly is already in place.
    pub fn commit(mut self) -> Result<(), DestError> {
        if let Some(file) = self.sync.take() {
            file.sync_all().map_err(|e| io_error(&self.shown, e))?;
        }
        if let Some(temp) = self.temp.take() {
            fs::rename(temp.path(), &self.target).map_err(|e| io_error(&self.shown, e))?;
            temp.keep();
        }
        Ok(())
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The folder a path lives in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Mode of a new output: readable by all, as `File::create` makes it (the umask applies).
const NEW_FILE_MODE: u32 = 0o666;

/// The mode of an existing file, which its replacement keeps.
#[cfg(unix)]
fn file_mode(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn file_mode(_: &fs::Metadata) -> u32 {
    NEW_FILE_MODE
}

/// Creates `path` exclusively (`O_CREAT | O_EXCL`) with `mode`.
fn new_file(path: &Path, mode: u32) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

/// A set of files (stems) written into a temporary folder and moved into `DIR` only when all
/// are complete; dropped before [`StemDir::commit`], it removes the temporary folder, so `DIR`
/// is never created empty or left with a mixed set.
pub struct StemDir {
    /// The folder as the user gave it.
    shown: PathBuf,
    /// Whether `DIR` already exists (then the files are moved in one by one, with rollback;
    /// otherwise the whole folder is renamed into place).
    exists: bool,
    temp: Cleanup,
    names: Vec<String>,
}

impl StemDir {
    /// Prepares to write the files `names` into `dir`; refuses, before anything is written,
    /// a `dir` that is not a folder or a name in it that is not a regular file.
    pub fn create(dir: &Path, names: &[String]) -> Result<StemDir, DestError> {
        let shown = dir.to_path_buf();
        let exists = match fs::metadata(dir) {
            Ok(m) if m.is_dir() => true,
            Ok(_) => return Err(DestError::NotReplaceable { path: shown }),
            Err(_) => false,
        };
        if exists {
            for name in names {
                let p = dir.join(name);
                if let Ok(m) = fs::symlink_metadata(&p)
                    && !m.is_file()
                {
                    return Err(DestError::NotReplaceable { path: p });
                }
            }
        }
        // Inside DIR when it exists (same file system as the files it replaces); else beside
        // it, in the nearest folder that exists (missing parents are made only on success).
        let home = if exists {
            dir.to_path_buf()
        } else {
            dir.ancestors()
                .skip(1)
                .find(|a| a.as_os_str().is_empty() || a.is_dir())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let home = if home.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            home
        };
        let (temp, ()) =
            create_unique(&home, "", |p| fs::create_dir(p)).map_err(|e| io_error(dir, e))?;
        Ok(StemDir {
            shown,
            exists,
            temp,
            names: names.to_vec(),
        })
    }

    /// Opens file `name` (one of the names given to [`StemDir::create`]); returns the path the
    /// user will know it by (`DIR/name`) and its writer.
    pub fn file(&self, name: &str) -> Result<(PathBuf, DestWriter), DestError> {
        let shown = self.shown.join(name);
        let file =
            File::create_new(self.temp.path().join(name)).map_err(|e| io_error(&shown, e))?;
        Ok((shown, BufWriter::with_capacity(BUFFER_BYTES, file)))
    }

    /// Moves the complete set into place. A failure part-way puts back what was there before.
    pub fn commit(self) -> Result<(), DestError> {
        let dir = &self.shown;
        if !self.exists {
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent).map_err(|e| io_error(dir, e))?;
            }
            match fs::rename(self.temp.path(), dir) {
                Ok(()) => {
                    // Renamed away: nothing is left for the guard to remove.
                    self.temp.keep();
                    return Ok(());
                }
                // Someone made DIR meanwhile: merge into it like an existing folder.
                Err(_) if dir.is_dir() => {}
                Err(e) => return Err(io_error(dir, e)),
            }
        }
        let old = self.temp.path().join(".old");
        fs::create_dir(&old).map_err(|e| io_error(dir, e))?;
        let mut saved: Vec<&str> = Vec::new();
        let mut placed: Vec<&str> = Vec::new();
        let mut result = Ok(());
        for name in &self.names {
            let current = dir.join(name);
            if fs::symlink_metadata(&current).is_ok() {
                if let Err(e) = fs::rename(&current, old.join(name)) {
                    result = Err(io_error(&current, e));
                    break;
                }
                saved.push(name);
            }
        }
        if result.is_ok() {
            for name in &self.names {
                let to = dir.join(name);
                if let Err(e) = fs::rename(self.temp.path().join(name), &to) {
                    result = Err(io_error(&to, e));
                    break;
                }
                placed.push(name);
            }
        }
        if result.is_err() {
            // Roll back: take the new files out, put the old ones back.
            for name in placed {
                let _ = fs::rename(dir.join(name), self.temp.path().join(name));
            }
            for name in saved {
                let _ = fs::rename(old.join(name), dir.join(name));
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_file_appears_only_on_commit_and_never_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.wav");
        {
            let (_d, mut w) = Dest::create(&dest).unwrap();
            w.write_all(b"half").unwrap();
            w.flush().unwrap();
            assert!(!dest.exists());
        }
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
        let (d, mut w) = Dest::create(&dest).unwrap();
        w.write_all(b"whole").unwrap();
        drop(w);
        d.commit().unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"whole");
        assert_eq!(names(dir.path()), ["a.wav"]);
    }

    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.wav");
        fs::write(&dest, "old").unwrap();
        fs::set_permissions(&dest, fs::Permissions::from_mode(0o640)).unwrap();
        let (d, w) = Dest::create(&dest).unwrap();
        drop(w);
        d.commit().unwrap();
        let mode = fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn a_255_byte_name_works() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join(format!("{}.wav", "n".repeat(251)));
        let (d, mut w) = Dest::create(&dest).unwrap();
        w.write_all(b"x").unwrap();
        drop(w);
        d.commit().unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"x");
    }

    #[test]
    fn a_folder_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let e = Dest::create(dir.path()).err().unwrap();
        assert!(matches!(e, DestError::IsDir { .. }), "{e}");
    }

    #[test]
    fn stems_move_in_as_a_set_or_not_at_all() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("stems");
        let set = ["mix.wav".to_string(), "lead.wav".to_string()];
        // A dropped set leaves nothing, not even the folder.
        {
            let s = StemDir::create(&dir, &set).unwrap();
            s.file("mix.wav").unwrap();
        }
        assert!(names(root.path()).is_empty());
        // A committed set makes the folder.
        let s = StemDir::create(&dir, &set).unwrap();
        for n in &set {
            let (_, mut w) = s.file(n).unwrap();
            w.write_all(n.as_bytes()).unwrap();
        }
        s.commit().unwrap();
        assert_eq!(names(&dir), ["lead.wav", "mix.wav"]);
        // A second set replaces the first, and leaves no temporary folder.
        let s = StemDir::create(&dir, &set).unwrap();
        for n in &set {
            let (_, mut w) = s.file(n).unwrap();
            w.write_all(b"new").unwrap();
        }
        s.commit().unwrap();
        assert_eq!(names(&dir), ["lead.wav", "mix.wav"]);
        assert_eq!(fs::read(dir.join("lead.wav")).unwrap(), b"new");
    }
}
