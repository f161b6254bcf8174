//! Live playback paced like a desktop: a private PulseAudio server with a null sink (a real
//! clock, no sound card) behind ALSA's default PCM, recorded from the sink's monitor with
//! `parec`. `concert play` must take real time, report no underruns, and what reached the
//! sink must be the offline render of the same span and seed.

#![cfg(feature = "live")]

mod live_support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use live_support::*;

/// Children this test started, ended by their own pids when the test ends however it ends.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in self.0.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn pulse_cmd(program: &str, home: &Path, run: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("HOME", home)
        .env("XDG_RUNTIME_DIR", run)
        .env_remove("PULSE_SERVER");
    cmd
}

#[test]
fn pulseaudio_null_sink_plays_in_real_time_and_records_the_offline_render() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = dir.path().join("run");
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

    let capture = dir.path().join("monitor.raw");
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
    children.0.push(recorder);
    std::thread::sleep(Duration::from_millis(300));
    // The first stream played after the recorder attaches stalls for about a second (measured:
    // 1.1 s; later streams do not), so play half a second of silence first. It records as
    // zeros, which the alignment below skips.
    let silence = dir.path().join("silence.raw");
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

    // PulseAudio's ALSA plug-in needs bigger buffers than a sound card (see the README).
    let out = play(
        &home,
        &[("XDG_RUNTIME_DIR", &run)],
        &["--from", "0:50", "--to", "1:00", "--buffer", "1024"],
    );
    std::thread::sleep(Duration::from_millis(500));
    let r = report(&out);
    eprintln!(
        "PulseAudio null sink: {} Hz {} {} ch, {} frames in {:.2} s wall, underruns {}, xruns {}, callback allocations {:?}",
        r.sample_rate,
        r.format,
        r.channels,
        r.played_frames,
        r.wall_secs,
        r.underruns,
        r.xruns,
        r.callback_allocations
    );
    // Stop the recorder gracefully (SIGINT) so it writes out what it holds.
    let pid = children.0[1].id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    let _ = children.0[1].wait();

    assert_eq!(
        r.sample_rate, 48_000,
        "the sink's rate, so nothing was resampled"
    );
    assert_eq!(r.played_frames, 480_000);
    assert!(
        (r.wall_secs - 10.0).abs() <= 1.0,
        "playback is paced in real time: {:.2} s",
        r.wall_secs
    );
    assert_eq!(r.underruns, 0, "{}", r.stdout);
    assert_eq!(r.xruns, 0, "{}", r.stdout);
    if cfg!(debug_assertions) {
        assert_eq!(r.callback_allocations, Some(0), "{}", r.stdout);
    }
    let lights = r.stdout.find("lights-down").expect("moment line");
    let song = r
        .stdout
        .find("Song: \"Echoes\"")
        .expect("moment line at 0:58");
    assert!(lights < song, "moments in order: {}", r.stdout);

    // Align: find a 0.25 s window of the reference (1 s in) in the recording.
    let sr = 48_000usize;
    let rec = read_f32(&capture);
    let left = |v: &[f32]| v.iter().step_by(2).copied().collect::<Vec<f32>>();
    let (rec_l, reference) = (left(&rec), offline(48_000, 50.0, 10 * sr));
    let ref_l = left(&reference);
    let onset = rec_l
        .iter()
        .position(|x| x.abs() > 1e-4)
        .expect("something reached the sink");
    let (w0, w) = (sr, sr / 4);
    let window = &ref_l[w0..w0 + w];
    let lo = (onset + w0).saturating_sub(sr / 2);
    let hi = (onset + w0 + sr / 2).min(rec_l.len() - w);
    let (best, best_c) = (lo..hi)
        .map(|p| (p, correlation(window, &rec_l[p..p + w])))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a lag to search");
    assert!(best_c > 0.9, "found the excerpt in the recording: {best_c}");
    // rec[p + k] ↔ ref[w0 + k]: compare everything both have.
    let shift = best as isize - w0 as isize;
    let start = (-shift).max(0) as usize;
    let end = ref_l.len().min((rec_l.len() as isize - shift) as usize);
    assert!(
        end - start > 95 * sr / 10,
        "at least 9.5 s of the excerpt recorded: {:.2} s",
        (end - start) as f64 / sr as f64
    );
    let rec_span = &rec[2 * (start as isize + shift) as usize..2 * (end as isize + shift) as usize];
    let c = correlation(&reference[2 * start..2 * end], rec_span);
    eprintln!(
        "recorded {:.2} s of the excerpt, offset {:.1} ms, correlation {c:.5}",
        (end - start) as f64 / sr as f64,
        shift as f64 * 1000.0 / sr as f64
    );
    assert!(c >= 0.99, "correlation with the offline render: {c}");
}
