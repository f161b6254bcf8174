//! The command line under faults, on real files, devices, FIFOs, symlinks, pipes, signals and
//! (where the machine allows mounting one) a full file system: outputs are never corrupted,
//! replaced when they are not files, or left half-written; every stopping signal cleans up;
//! a closed or full stdout/stderr never panics.
//!
//! Runs as root in CI, so nothing here relies on permissions being refused.

use std::fs;
use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("concert")
}

fn concert() -> Command {
    Command::new(bin())
}

/// An 8-second show (renders in well under a second).
const SHORT: &str = "title = \"Short\"\nseed = 3\n[[timeline]]\nmoment = \"murmur\"\nsecs = 4\n\
                     [[timeline]]\nmoment = \"applause\"\nsecs = 4\n";
/// A show long enough that a render is still running when a signal arrives.
const LONG: &str = "title = \"Forever\"\n[[timeline]]\nmoment = \"applause\"\nsecs = \"1:00:00\"\n";

fn show(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("show.toml");
    fs::write(&p, text).unwrap();
    p
}

/// Every entry of `dir` (hidden ones too), sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn frames(path: &Path) -> u32 {
    hound::WavReader::open(path).unwrap().duration()
}

/// An error message names the user's path, never a temporary name, and the system's reason once.
fn assert_clean_error(err: &str, path: &str) {
    assert!(err.contains(path), "{err}");
    assert!(
        !err.contains(".part") && !err.contains(".concert-"),
        "{err}"
    );
    assert!(err.matches("os error").count() <= 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A private character device node `DIR/name` with the numbers of `/dev/null` (minor 3) or
/// `/dev/full` (minor 7): the same device, but a regression that replaced it would replace
/// this node, not the machine's own. `None` where device nodes cannot be made.
fn device(dir: &Path, name: &str, minor: u32) -> Option<PathBuf> {
    let path = dir.join(name);
    let ok = Command::new("mknod")
        .arg(&path)
        .args(["c", "1", &minor.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(path)
}

#[test]
fn a_null_device_is_written_into_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let Some(null) = device(dir.path(), "null", 3) else {
        eprintln!("skipped: cannot make a device node here");
        return;
    };
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&null)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = fs::metadata(&null).unwrap();
    assert!(meta.file_type().is_char_device(), "the device was replaced");
    assert_eq!(entries(dir.path()), ["null", "show.toml"]);
}

#[test]
fn a_full_device_fails_naming_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let Some(full) = device(dir.path(), "full", 7) else {
        eprintln!("skipped: cannot make a device node here");
        return;
    };
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_clean_error(&err, &full.display().to_string());
    assert!(err.contains("No space left"), "{err}");
    assert!(fs::metadata(&full).unwrap().file_type().is_char_device());
    assert_eq!(entries(dir.path()), ["full", "show.toml"]);
}

#[test]
fn a_fifo_receives_a_valid_wav_and_stays_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let fifo = dir.path().join("pipe.wav");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            fs::File::open(&fifo)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        })
    };
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = reader.join().unwrap();
    let r = hound::WavReader::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(r.duration(), 8 * 48_000, "header sizes match the data");
    assert_eq!(r.into_samples::<i32>().count(), 8 * 48_000 * 2);
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn a_planted_part_symlink_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let out = dir.path().join("out.wav");
    std::os::unix::fs::symlink(&victim, dir.path().join("out.wav.part")).unwrap();
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(frames(&out), 8 * 48_000);
}

#[test]
fn a_255_byte_file_name_works() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let out = dir.path().join(format!("{}.wav", "n".repeat(251)));
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(frames(&out), 8 * 48_000);
}

#[test]
fn a_folder_is_refused_before_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), LONG);
    let target = dir.path().join("folder");
    fs::create_dir(&target).unwrap();
    let started = Instant::now();
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "rendered before failing"
    );
    let err = stderr(&o);
    assert_clean_error(&err, &target.display().to_string());
    assert!(err.contains("is a folder"), "{err}");
    assert!(entries(&target).is_empty());
}

#[test]
fn a_missing_folder_is_named_as_given_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let out = dir.path().join("no-such-folder/out.wav");
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_clean_error(&err, &out.display().to_string());
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}

#[test]
fn two_renders_to_one_path_leave_one_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), &SHORT.replace("secs = 4", "secs = 10"));
    let render = |seed: &str, out: &Path| {
        concert()
            .arg("render")
            .arg(&s)
            .args(["-q", "--seed", seed, "-o"])
            .arg(out)
            .spawn()
            .unwrap()
    };
    let a = dir.path().join("a.wav");
    let b = dir.path().join("b.wav");
    assert!(render("1", &a).wait().unwrap().success());
    assert!(render("2", &b).wait().unwrap().success());
    let both = dir.path().join("both.wav");
    let (mut x, mut y) = (render("1", &both), render("2", &both));
    let (sx, sy) = (x.wait().unwrap(), y.wait().unwrap());
    assert!(sx.success() && sy.success(), "{sx:?} {sy:?}");
    let got = fs::read(&both).unwrap();
    assert!(
        got == fs::read(&a).unwrap() || got == fs::read(&b).unwrap(),
        "the file mixes two renders"
    );
    assert_eq!(
        entries(dir.path()),
        ["a.wav", "b.wav", "both.wav", "show.toml"]
    );
}

#[test]
fn replacing_a_file_keeps_a_symlink_pointing_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let real = dir.path().join("real.wav");
    fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.wav");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&link)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(frames(&real), 8 * 48_000);
}

/// Starts a long render, sends `sig` once it is under way, and returns its exit and stderr.
fn render_and_signal(sig: &str, args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let s = show(dir, LONG);
    let child = concert()
        .arg("render")
        .arg(&s)
        .args(["-q"])
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        Command::new("kill")
            .args([&format!("-{sig}"), &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let o = child.wait_with_output().unwrap();
    (o.status.code(), stderr(&o))
}

#[test]
fn every_stopping_signal_cleans_up_and_exits_128_plus_n() {
    for (sig, n) in [("INT", 2), ("HUP", 1), ("QUIT", 3), ("TERM", 15)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("long.wav");
        let (code, err) = render_and_signal(sig, &["-o", out.to_str().unwrap()], dir.path());
        assert_eq!(code, Some(128 + n), "SIG{sig}: {err}");
        assert!(err.contains(&format!("SIG{sig}")), "{err}");
        assert!(err.contains("partial output removed"), "{err}");
        assert_eq!(entries(dir.path()), ["show.toml"], "SIG{sig}");
    }
}

#[test]
fn a_signal_during_stems_leaves_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let stems = dir.path().join("stems");
    let (code, err) = render_and_signal("TERM", &["--stems", stems.to_str().unwrap()], dir.path());
    assert_eq!(code, Some(143), "{err}");
    assert_eq!(entries(dir.path()), ["show.toml"]);
}

#[test]
fn a_file_size_limit_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let out = dir.path().join("big.wav");
    // 200 blocks of 512 bytes: well under the 2.3 MB the render needs.
    let script = format!(
        "ulimit -f 200; exec '{}' render '{}' -q -o '{}'",
        bin().display(),
        s.display(),
        out.display()
    );
    let o = Command::new("sh").args(["-c", &script]).output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("file too large"), "{err}");
    assert_clean_error(&err, &out.display().to_string());
    assert_eq!(entries(dir.path()), ["show.toml"]);
}

/// Runs `concert ARGS` with stdout a pipe whose reader is already gone.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    concert()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let s = s.to_str().unwrap();
    for args in [
        &["timeline", "starlight-finale"][..],
        &["timeline", "--json", "starlight-finale"],
        &["presets"],
        &["check", s, "echo-fade-club"],
    ] {
        let o = with_closed_stdout(args);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    for args in [&["timeline", "echo-fade-club"][..], &["presets"]] {
        let o = concert()
            .args(args)
            .stdout(fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains("cannot write to standard output"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_full_stderr_does_not_turn_success_into_failure() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let out = dir.path().join("a.wav");
    let o = concert()
        .arg("render")
        .arg(&s)
        .arg("-o")
        .arg(&out)
        .stderr(fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(frames(&out), 8 * 48_000);
}

#[test]
fn a_start_past_the_end_is_refused_and_an_end_past_it_clamped() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let out = dir.path().join("clip.wav");
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["--from", "20:00", "--to", "20:02", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("past the end of the show (0:08)"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // Exactly at the end is past it too.
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["--from", "8", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["--from", "0:06", "--to", "99:00", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("--to 1:39:00 is past the end of the show (0:08)"));
    assert_eq!(frames(&out), 2 * 48_000, "clamped to the show's end");
}

#[test]
fn stems_with_a_folder_in_the_way_fail_before_rendering_and_keep_the_old_set() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let stems = dir.path().join("stems");
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "--to", "1", "--stems"])
        .arg(&stems)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // Every file of the set but the lead's, which a folder will be in the way of.
    let others: Vec<String> = stem_set().into_iter().filter(|n| n != "lead.wav").collect();
    let before: Vec<Vec<u8>> = others
        .iter()
        .map(|n| fs::read(stems.join(n)).unwrap())
        .collect();
    fs::remove_file(stems.join("lead.wav")).unwrap();
    fs::create_dir(stems.join("lead.wav")).unwrap();
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "--stems"])
        .arg(&stems)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("lead.wav"), "{}", stderr(&o));
    let after: Vec<Vec<u8>> = others
        .iter()
        .map(|n| fs::read(stems.join(n)).unwrap())
        .collect();
    assert!(before == after, "the old set was touched");
    assert_eq!(entries(&stems), stem_set());
}

/// The files of a stem set, sorted: the mix and one per layer.
fn stem_set() -> Vec<String> {
    let mut names: Vec<String> = std::iter::once("mix")
        .chain(concert::engine::STEMS)
        .map(|n| format!("{n}.wav"))
        .collect();
    names.sort();
    names
}

/// A small tmpfs, unmounted when dropped; `None` where mounting is not allowed.
struct Tmpfs(PathBuf, #[allow(dead_code)] tempfile::TempDir);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.path().to_path_buf(), dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_disk_filling_during_stems_keeps_the_old_set_and_leaves_no_partial_one() {
    let Some(fs_) = Tmpfs::mount("3m") else {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), SHORT);
    let stems = fs_.0.join("stems");
    // A short set fits (the mix and a stem per layer, each 0.5 s × 288 kB/s: 0.7 MB for five
    // files) ...
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "--to", "0.5", "--stems"])
        .arg(&stems)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let before: Vec<Vec<u8>> = entries(&stems)
        .iter()
        .map(|n| fs::read(stems.join(n)).unwrap())
        .collect();
    // ... the whole show (2.3 MB a file) does not.
    let o = concert()
        .arg("render")
        .arg(&s)
        .args(["-q", "--stems"])
        .arg(&stems)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("No space left"), "{err}");
    assert_clean_error(&err, &stems.display().to_string());
    assert_eq!(entries(&stems), stem_set());
    let after: Vec<Vec<u8>> = entries(&stems)
        .iter()
        .map(|n| fs::read(stems.join(n)).unwrap())
        .collect();
    assert!(before == after, "the old set was touched");
    assert_eq!(entries(&fs_.0), ["stems"]);
}

#[test]
fn progress_has_its_own_seek_line_and_a_cut_title() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to give the render a terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let title = "T".repeat(300);
    let s = show(
        dir.path(),
        &format!("title = \"{title}\"\n[[timeline]]\nmoment = \"murmur\"\nsecs = 120\n"),
    );
    let cmd = format!(
        "'{}' render '{}' --from 1:00 --to 1:10 -o '{}'",
        bin().display(),
        s.display(),
        dir.path().join("clip.wav").display()
    );
    let o = Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let screen = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = screen.split(['\r', '\n']).map(str::trim_end).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("seeking ") && l.contains(" of 1:00")),
        "{screen}"
    );
    // The seek line has no bar and no ETA of its own.
    assert!(
        lines
            .iter()
            .filter(|l| l.contains("seeking"))
            .all(|l| !l.contains("ETA"))
    );
    let bars: Vec<&&str> = lines.iter().filter(|l| l.contains("rendering")).collect();
    assert!(!bars.is_empty(), "{screen}");
    for l in bars {
        assert!(!l.contains(&title), "the whole title is in the bar");
        // From the title to the end of the ETA (the terminal pads the rest).
        let start = l.find("rendering").unwrap();
        let end = l.find("ETA").map_or(l.len(), |i| i + 3);
        let width = l[start..end].chars().count();
        assert!(width < 120, "{width} characters: {l}");
    }
}

#[test]
fn a_signal_ignored_by_nohup_stays_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let s = show(dir.path(), LONG);
    let out = dir.path().join("long.wav");
    let mut child = Command::new("nohup")
        .arg(bin())
        .arg("render")
        .arg(&s)
        .args(["-q", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let pid = child.id().to_string();
    let kill = |sig: &str| Command::new("kill").args([sig, &pid]).status().unwrap();
    assert!(kill("-HUP").success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGHUP stopped a nohup render"
    );
    assert!(kill("-TERM").success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    assert_eq!(entries(dir.path()), ["show.toml"]);
}
