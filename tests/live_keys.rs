//! The operator's keyboard, end to end: `concert play` on a real terminal (a pseudo-terminal
//! from util-linux `script`, so crossterm's raw mode and key reading run as on a desktop)
//! through a PulseAudio null sink, the sink's monitor recorded with `parec`. During the show's
//! pre-show chatter (0:10 on of `starlight-finale`, where the offline render has neither an
//! applause swell nor a clap-along) the keys `a` (applause swell), `k` (clap-along on), `k`
//! (off) and `q` (quit) are typed at set times; each must be heard in the recording, and `q`
//! must end play where it was pressed, with a clean summary and exit status.

#![cfg(feature = "live")]

mod live_support;

use std::io::{BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use live_support::*;

/// The span played starts in the pre-show chatter.
const FROM_SECS: f64 = 10.0;
/// Play would run this long; `q` ends it sooner.
const SPAN_SECS: usize = 30;
/// When each key is typed, in seconds after play announced itself.
const KEY_A: f64 = 3.0;
const KEY_K_ON: f64 = 8.0;
const KEY_K_OFF: f64 = 15.0;
const KEY_Q: f64 = 21.0;

/// One run: play's terminal output (raw, with the status display), its exit status and the
/// recorded left channel.
struct Run {
    /// What play printed on its terminal.
    screen_out: String,
    /// That and its errors.
    screen: String,
    ok: bool,
    rec: Vec<f32>,
}

/// Plays the span on a pseudo-terminal and types the keys on time.
fn play_typing() -> Run {
    let mut pulse = Pulse::start();
    let capture = pulse.record();
    let cmd = format!(
        "'{}' play {SHOW} --seed {SEED} --from {FROM_SECS} --to {}",
        assert_cmd::cargo::cargo_bin("concert").display(),
        FROM_SECS as usize + SPAN_SECS
    );
    let mut child = Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("HOME", pulse.home())
        .env("XDG_RUNTIME_DIR", pulse.run())
        .env_remove("PULSE_SERVER")
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` is installed (.ci/run installs bsdutils)");
    let mut keys = child.stdin.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        let mut told = false;
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
            if !told && String::from_utf8_lossy(&all).contains("playing \"") {
                told = true;
                let _ = tx.send(());
            }
        }
        String::from_utf8_lossy(&all).into_owned()
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("play announces itself on its terminal");
    let started = Instant::now();
    for (at, key) in [
        (KEY_A, b"a"),
        (KEY_K_ON, b"k"),
        (KEY_K_OFF, b"k"),
        (KEY_Q, b"q"),
    ] {
        std::thread::sleep(Duration::from_secs_f64(at).saturating_sub(started.elapsed()));
        keys.write_all(key).unwrap();
        keys.flush().unwrap();
    }
    let status = child.wait().unwrap();
    drop(keys);
    let screen = reader.join().unwrap();
    let mut err = String::new();
    let _ = BufReader::new(child.stderr.take().unwrap()).read_to_string(&mut err);
    std::thread::sleep(Duration::from_millis(500));
    pulse.stop_recording();
    let rec = read_f32(&capture).iter().step_by(2).copied().collect();
    Run {
        screen: format!("{screen}{err}"),
        screen_out: screen,
        ok: status.success(),
        rec,
    }
}

/// The frames play reports having played, from its summary line.
fn played_frames(screen: &str) -> Option<usize> {
    let line = screen
        .split(['\r', '\n'])
        .find(|l| l.starts_with("stopped after") || l.starts_with("played "))?;
    number_after(line, "(").map(|n| n as usize)
}

/// The 50 ms RMS levels (dB) of `x`, every 10 ms.
fn levels(x: &[f32]) -> Vec<f64> {
    (0..x.len().saturating_sub(SR / 20))
        .step_by(SR / 100)
        .map(|i| db(&x[i..i + SR / 20]))
        .collect()
}

#[test]
fn keys_swell_the_applause_start_and_stop_a_clap_along_and_quit_where_pressed() {
    // On a loaded machine the watchdog may reopen the stream with a bigger buffer (its fade
    // and the new stream's start-up leave a gap that shifts the recording against the offline
    // render and the cues' times); such a run says so and is played again.
    let run = (0..3)
        .map(|_| play_typing())
        .find(|r| !r.screen.contains("reopened"))
        .expect("a run without a reopen in three");
    let screen = &run.screen;
    assert!(run.ok, "play ended cleanly:\n{screen}");
    assert!(
        run.screen_out.ends_with("\r\n"),
        "the summary ends its line (the terminal left raw mode): {:?}",
        run.screen_out.lines().last()
    );

    // `q` at 21 s: play stopped there, not at the span's end.
    let frames = played_frames(screen).expect("play prints its summary");
    let stopped_secs = frames as f64 / SR as f64;
    eprintln!("q pressed at {KEY_Q:.2} s: play stopped after {stopped_secs:.2} s");
    assert!(
        screen.contains("stopped after"),
        "q stops play early: {screen}"
    );
    assert!(
        (KEY_Q - 0.3..KEY_Q + 1.0).contains(&stopped_secs),
        "q pressed at {KEY_Q} s stopped play after {stopped_secs} s"
    );

    let reference: Vec<f32> = offline(SR as u32, FROM_SECS, SPAN_SECS * SR)
        .iter()
        .step_by(2)
        .copied()
        .collect();
    let rec = &run.rec;
    let at = align(rec, &reference);
    let live = |a: f64, b: f64| {
        &rec[at + (a * SR as f64) as usize..(at + (b * SR as f64) as usize).min(rec.len())]
    };
    let offline = |a: f64, b: f64| &reference[(a * SR as f64) as usize..(b * SR as f64) as usize];
    let hands = |x: &[f32]| band(x, 2500.0, 12_000.0);

    // `a`: the hands' band rises above the offline render's soon after the key.
    let from = KEY_A - 1.0;
    let (l, o) = (
        levels(&hands(live(from, KEY_A + 3.0))),
        levels(&hands(offline(from, KEY_A + 3.0))),
    );
    let before = (0..90).map(|i| l[i] - o[i]).fold(f64::MIN, f64::max);
    let rise = (0..l.len().min(o.len()))
        .find(|&i| l[i] - o[i] > 2.0 && i > 90)
        .map(|i| from + i as f64 / 100.0 - KEY_A)
        .expect("the applause swell is heard");
    let gain =
        db(&hands(live(KEY_A + 1.0, KEY_A + 3.0))) - db(&hands(offline(KEY_A + 1.0, KEY_A + 3.0)));
    eprintln!(
        "a: the hands' band first 2 dB over the offline render {:.0} ms after the key (latency included), {gain:.1} dB over it 1–3 s after; at most {before:.1} dB before",
        rise * 1000.0
    );
    assert!(before < 2.0, "nothing rose before the key: {before} dB");
    assert!(
        (-0.1..0.6).contains(&rise),
        "the swell rose {rise} s after the key"
    );
    assert!(gain > 6.0, "a real swell: {gain} dB");

    // `k`, `k`: claps every 0.5 s (the default clap-along tempo outside a song) between them,
    // none after.
    assert_beat(
        "k (hands)",
        (
            &hands(live(KEY_K_ON + 1.5, KEY_K_OFF)),
            &hands(offline(KEY_K_ON + 1.5, KEY_K_OFF)),
            &hands(live(KEY_K_OFF + 2.0, KEY_Q)),
        ),
        0.5,
        0.025,
        0.3,
    );
}
