//! Helpers shared by the live playback tests: running `concert play`, reading its summary,
//! and rendering the same span offline with the library.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use concert::engine::Engine;

/// The show, seed and span every live test plays: 0:50 is inside "lights down" (crowd roar and
/// applause), so the excerpt is loud, busy and far from silence.
pub const SHOW: &str = "starlight-finale";
/// Seed passed to `play --seed` and to the offline render.
pub const SEED: u64 = 11;

/// `concert play SHOW --seed SEED ARGS…` with `HOME` (and so `~/.asoundrc`) at `home` and
/// extra environment `env`.
pub fn play(home: &Path, env: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("concert").expect("the concert binary");
    cmd.env("HOME", home)
        .env_remove("PULSE_SERVER")
        .args(["play", SHOW, "--seed", &SEED.to_string()])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("concert play runs")
}

/// What `play` printed about the stream and the run.
#[derive(Debug)]
pub struct Report {
    pub sample_rate: u32,
    pub format: String,
    pub channels: u32,
    pub played_frames: u64,
    pub wall_secs: f64,
    pub underruns: u64,
    pub xruns: u64,
    pub stream_errors: u64,
    pub callback_allocations: Option<u64>,
    pub stdout: String,
    pub stderr: String,
}

/// The number right after `key` in `text`.
pub fn number_after(text: &str, key: &str) -> Option<f64> {
    let rest = &text[text.find(key)? + key.len()..];
    let num: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.parse().ok()
}

/// Parse the header line ("playing … on DEV: 48000 Hz f32 2 ch, …") and the end summary
/// ("played 0:10 (480000 frames) in 10.02 s wall; underruns 0 (0 frames), xruns 0, …").
pub fn report(out: &Output) -> Report {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "play failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let header = stdout
        .lines()
        .find(|l| l.starts_with("playing "))
        .unwrap_or_else(|| panic!("no header line in:\n{stdout}"));
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("played ") || l.starts_with("stopped after "))
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    let after_colon = &header[header.rfind(": ").expect("device: config") + 2..];
    let words: Vec<&str> = after_colon.split_whitespace().collect();
    Report {
        sample_rate: words[0].parse().expect("sample rate"),
        format: words[2].to_string(),
        channels: words[3].parse().expect("channels"),
        played_frames: number_after(summary, "(").expect("frames") as u64,
        wall_secs: number_after(summary, " in ").expect("wall"),
        underruns: number_after(summary, "underruns").expect("underruns") as u64,
        xruns: number_after(summary, "xruns").expect("xruns") as u64,
        stream_errors: number_after(summary, "stream errors").expect("stream errors") as u64,
        callback_allocations: number_after(summary, "callback allocations").map(|n| n as u64),
        stdout,
        stderr: stderr.to_string(),
    }
}

/// The same span rendered offline by the library, interleaved stereo.
pub fn offline(sample_rate: u32, from_secs: f64, frames: usize) -> Vec<f32> {
    let show = concert::preset::resolve(SHOW).expect("built-in show");
    let mut engine = Engine::new(&show, SEED, sample_rate);
    engine.skip((from_secs * f64::from(sample_rate)).round() as u64);
    let mut out = vec![0.0; 2 * frames];
    engine.render_block(&mut out);
    out
}

/// Interleaved little-endian f32 from a raw capture file.
pub fn read_f32(path: &Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Pearson correlation of two equally long slices.
pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let (ma, mb) = (
        a.iter().map(|x| f64::from(*x)).sum::<f64>() / n,
        b.iter().map(|x| f64::from(*x)).sum::<f64>() / n,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x) - ma, f64::from(*y) - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    sab / (saa * sbb).sqrt().max(1e-30)
}

/// Children a test started, ended by their own pids when the test ends however it ends.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in self.0.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A private PulseAudio server with a null sink `cap` (a real clock, no sound card) behind
/// ALSA's default PCM, in a temporary home; gone when dropped.
pub struct Pulse {
    dir: tempfile::TempDir,
    children: Children,
    recorder: Option<usize>,
}

fn pulse_cmd(program: &str, home: &Path, run: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("HOME", home)
        .env("XDG_RUNTIME_DIR", run)
        .env_remove("PULSE_SERVER");
    cmd
}

impl Pulse {
    /// Start the server and wait until it answers.
    pub fn start() -> Pulse {
        let dir = tempfile::tempdir().unwrap();
        let (home, run) = (dir.path().join("home"), dir.path().join("run"));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&run).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        std::fs::write(
            home.join(".asoundrc"),
            "pcm.!default { type pulse }\nctl.!default { type pulse }\n",
        )
        .unwrap();
        let mut children = Children(Vec::new());
        let server = pulse_cmd("pulseaudio", &home, &run)
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
                "-L",
                "module-null-sink sink_name=cap rate=48000 format=float32le channels=2",
                "-L",
                "module-native-protocol-unix",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio is installed (.ci/run installs pulseaudio pulseaudio-utils libasound2-plugins)");
        children.0.push(server);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let ok = pulse_cmd("pactl", &home, &run)
                .arg("info")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("pactl is installed")
                .success();
            if ok {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the PulseAudio server did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Pulse {
            dir,
            children,
            recorder: None,
        }
    }

    /// The home whose `.asoundrc` routes ALSA's default PCM to the server.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The runtime directory where the server's socket lives (`XDG_RUNTIME_DIR`).
    pub fn run(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// Record the sink's monitor with `parec` into a raw f32 stereo file, and warm the sink up;
    /// returns the file.
    pub fn record(&mut self) -> PathBuf {
        let (home, run) = (self.home(), self.run());
        let capture = self.dir.path().join("monitor.raw");
        let recorder = pulse_cmd("parec", &home, &run)
            .args([
                "-d",
                "cap.monitor",
                "--format=float32le",
                "--rate=48000",
                "--channels=2",
                "--raw",
                // A roomy record buffer, so a busy machine does not make parec drop samples.
                "--latency-msec=100",
            ])
            .stdout(std::fs::File::create(&capture).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("parec is installed");
        self.recorder = Some(self.children.0.len());
        self.children.0.push(recorder);
        std::thread::sleep(Duration::from_millis(300));
        // The first stream played after the recorder attaches stalls for about a second
        // (measured: 1.1 s; later streams do not), so play half a second of silence first. It
        // records as zeros, which the alignment of a test skips.
        let silence = self.dir.path().join("silence.raw");
        std::fs::write(&silence, vec![0u8; 48_000 * 2 * 4 / 2]).unwrap();
        let warmed = pulse_cmd("pacat", &home, &run)
            .args([
                "--format=float32le",
                "--rate=48000",
                "--channels=2",
                "--raw",
            ])
            .stdin(std::fs::File::open(&silence).unwrap())
            .stderr(Stdio::null())
            .status()
            .expect("pacat is installed");
        assert!(warmed.success(), "pacat played to the null sink");
        capture
    }

    /// Stop the recorder gracefully (SIGINT) so it writes out what it holds.
    pub fn stop_recording(&mut self) {
        if let Some(i) = self.recorder.take() {
            let pid = self.children.0[i].id().to_string();
            let _ = Command::new("kill").args(["-INT", &pid]).status();
            let _ = self.children.0[i].wait();
        }
    }
}

// ---- Reading a recording: bands, beats and where the played span starts.

/// The sample rate of every live test's stream and recording.
pub const SR: usize = 48_000;

/// RMS in dBFS.
pub fn db(x: &[f32]) -> f64 {
    let ms = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len().max(1) as f64;
    10.0 * ms.max(1e-20).log10()
}

/// A one-pole band-pass (high-pass at `lo`, low-pass at `hi` Hz) of a mono signal.
pub fn band(x: &[f32], lo: f64, hi: f64) -> Vec<f32> {
    let a_hi = (-std::f64::consts::TAU * lo / SR as f64).exp();
    let a_lo = (-std::f64::consts::TAU * hi / SR as f64).exp();
    let (mut lp_for_hp, mut lp) = (0.0f64, 0.0f64);
    x.iter()
        .map(|v| {
            let v = f64::from(*v);
            lp_for_hp = a_hi * lp_for_hp + (1.0 - a_hi) * v;
            let hp = v - lp_for_hp;
            // Two low-pass poles, so the band's upper edge is steep enough to leave out the
            // claps' hiss from the voices.
            lp = a_lo * lp + (1.0 - a_lo) * hp;
            lp as f32
        })
        .collect()
}

/// Normalised autocorrelation of the 10 ms RMS envelope of `x` at each lag (10 ms steps).
pub fn envelope_autocorrelation(x: &[f32], max_lag: usize) -> Vec<f64> {
    let env: Vec<f64> = x
        .chunks(SR / 100)
        .map(|c| (c.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / c.len() as f64).sqrt())
        .collect();
    let mean = env.iter().sum::<f64>() / env.len() as f64;
    let d: Vec<f64> = env.iter().map(|v| v - mean).collect();
    let var: f64 = d.iter().map(|v| v * v).sum::<f64>().max(1e-30);
    (0..=max_lag)
        .map(|lag| {
            d.iter()
                .zip(&d[lag.min(d.len())..])
                .map(|(a, b)| a * b)
                .sum::<f64>()
                / var
        })
        .collect()
}

/// The envelope's strongest period between 0.35 and 1 s (refined as a quarter of the
/// strongest lag near four periods) and its autocorrelation there.
pub fn beat_period(x: &[f32]) -> (f64, f64) {
    let r = envelope_autocorrelation(x, 420);
    let best = |lags: std::ops::RangeInclusive<usize>| {
        lags.map(|l| (l, r[l]))
            .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a })
    };
    let (lag, peak) = best(35..=100);
    let (four, _) = best(4 * lag - 10..=(4 * lag + 10).min(420));
    (four as f64 / 400.0, peak)
}

/// The envelope's autocorrelation at `secs` of lag.
pub fn periodicity_at(x: &[f32], secs: f64) -> f64 {
    let lag = (secs * 100.0).round() as usize;
    envelope_autocorrelation(x, lag)[lag]
}

/// Checks that `live` beats every `period` seconds (within `tolerance`, autocorrelation above
/// `min_r`, and more than twice that of the same span `offline` and of the span after the
/// beat was `stopped`); prints what it measured under `what`.
pub fn assert_beat(
    what: &str,
    (live, offline, stopped): (&[f32], &[f32], &[f32]),
    period: f64,
    tolerance: f64,
    min_r: f64,
) {
    let (found, r) = beat_period(live);
    let r_offline = periodicity_at(offline, period);
    let r_stopped = periodicity_at(stopped, period);
    eprintln!(
        "{what}: beats every {found:.3} s (autocorrelation {r:.2}); offline there {r_offline:.2}; after the stop {r_stopped:.2}"
    );
    assert!(
        (found - period).abs() <= tolerance,
        "{what} beats every {found} s, not {period} s"
    );
    assert!(r > min_r, "{what}: a clear beat: {r}");
    assert!(
        r > 2.0 * r_offline.max(0.05),
        "{what}: the offline render has no such beat: {r_offline}"
    );
    assert!(
        r > 2.0 * r_stopped.max(0.05),
        "{what}: the beat stopped: {r_stopped}"
    );
}

/// Where the span starts in the recording: the lag that best matches the offline render's
/// first second (before any cue).
pub fn align(rec: &[f32], reference: &[f32]) -> usize {
    let onset = rec
        .iter()
        .position(|x| x.abs() > 1e-4)
        .expect("something reached the sink");
    let window = &reference[SR / 2..SR / 2 + SR / 4];
    let (best, c) = (onset.saturating_sub(SR / 2)..onset + SR)
        .filter(|p| p + SR / 2 + SR / 4 <= rec.len())
        .map(|p| {
            (
                p,
                correlation(window, &rec[p + SR / 2..p + SR / 2 + SR / 4]),
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a lag to search");
    assert!(c > 0.9, "found the start of the span in the recording: {c}");
    best
}
