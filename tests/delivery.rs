//! What a render hands over, checked on real files: float stems keep their overs and integer
//! ones say what they clipped; `--loudness` lands on the target as an independent meter reads it
//! (Python's pyloudnorm when available, the `ebur128` crate always) with the true peak under
//! the ceiling, deterministically, and the stems get the mix's gain.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

mod wav_support;

use assert_cmd::Command;
use predicates::prelude::*;
use wav_support::read_wav;

fn concert() -> Command {
    Command::cargo_bin("concert").expect("binary built")
}

fn read_f32(path: &Path) -> Vec<f32> {
    read_wav(path).1
}

/// Integrated loudness (LUFS) and true peak (dBTP) of a stereo file, by the `ebur128` crate.
fn ebur128_measure(path: &Path) -> (f64, f64) {
    let samples = read_f32(path);
    let sr = hound::WavReader::open(path).unwrap().spec().sample_rate;
    let mode = ebur128::Mode::I | ebur128::Mode::TRUE_PEAK;
    let mut m = ebur128::EbuR128::new(2, sr, mode).unwrap();
    m.add_frames_f32(&samples).unwrap();
    let tp = m.true_peak(0).unwrap().max(m.true_peak(1).unwrap());
    (m.loudness_global().unwrap(), 20.0 * tp.log10())
}

/// A Python with pyloudnorm and soundfile: `CONCERT_PYTHON` (CI sets it, and then it must
/// work), else `python3` if it has them.
fn pyloudnorm_python() -> Option<PathBuf> {
    let set = std::env::var_os("CONCERT_PYTHON").map(PathBuf::from);
    let python = set.clone().unwrap_or_else(|| PathBuf::from("python3"));
    let ok = StdCommand::new(&python)
        .args(["-c", "import pyloudnorm, soundfile, scipy"])
        .output()
        .is_ok_and(|o| o.status.success());
    match (ok, set) {
        (true, _) => Some(python),
        (false, Some(p)) => panic!("CONCERT_PYTHON={} cannot import pyloudnorm", p.display()),
        (false, None) => {
            eprintln!("note: no Python with pyloudnorm; measuring with the ebur128 crate only");
            None
        }
    }
}

/// Integrated loudness (LUFS) and 4x-oversampled true peak (dBTP) by pyloudnorm and scipy.
fn pyloudnorm_measure(python: &Path, path: &Path) -> (f64, f64) {
    let script = "import sys, soundfile as sf, pyloudnorm as pyln, numpy as np\n\
                  from scipy.signal import resample_poly\n\
                  x, sr = sf.read(sys.argv[1])\n\
                  up = resample_poly(x, 4, 1, axis=0)\n\
                  print(pyln.Meter(sr).integrated_loudness(x), 20*np.log10(np.abs(up).max()))\n";
    let out = StdCommand::new(python)
        .args(["-c", script])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Vec<f64> = text
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    (v[0], v[1])
}

fn render(args: &[&str], out: &Path) -> String {
    let assert = concert()
        .arg("render")
        .args(args)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

#[test]
fn float_stems_keep_overs_and_integer_stems_report_them() {
    // The applause stem of the default show peaks at 3:35.56 (it bypasses the master's
    // limiter); -12 LUFS (+9 dB and some limiting on the mix) pushes it 3.5 dB over full
    // scale, while the mix is held under the true-peak ceiling.
    let dir = tempfile::tempdir().unwrap();
    for (format, says) in [("f32", "f32 does not clip"), ("s24", "samples clipped")] {
        let stems = dir.path().join(format);
        let assert = concert()
            .args([
                "render",
                "starlight-finale",
                "--from",
                "3:35",
                "--to",
                "3:36",
                "--loudness",
                "-12",
            ])
            .args(["--format", format, "--stems"])
            .arg(&stems)
            .assert()
            .success()
            .stderr(predicate::str::contains("warning: stem applause"))
            .stderr(predicate::str::contains(says))
            .stderr(predicate::str::contains("stem mix").not());
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        let applause = read_f32(&stems.join("applause.wav"));
        let peak = applause.iter().fold(0.0f32, |p, v| p.max(v.abs()));
        if format == "f32" {
            assert!(peak > 1.0, "f32 applause stem peaks at {peak}: clamped");
            // The renderer names the peak it measured, in f64 from the f32 sample: worked out
            // in f32 here, a figure ending in 5 in its third decimal could round the other way.
            let said = format!("{:+.2} dBFS", 20.0 * f64::from(peak).log10());
            assert!(stderr.contains(&said), "{said} not in: {stderr}");
        } else {
            assert!(peak <= 1.0);
        }
        let mix = read_f32(&stems.join("mix.wav"));
        assert!(mix.iter().all(|v| v.abs() < 1.0));
    }
}

/// Largest 4x-oversampled true peak of an interleaved stereo file, dBTP (the `ebur128` crate).
fn true_peak_dbtp(samples: &[f32]) -> f64 {
    let mut m = ebur128::EbuR128::new(2, 48_000, ebur128::Mode::TRUE_PEAK).unwrap();
    m.add_frames_f32(samples).unwrap();
    let tp = m.true_peak(0).unwrap().max(m.true_peak(1).unwrap());
    20.0 * tp.max(1e-12).log10()
}

/// No stem of a built-in show passes full scale: the stems bypass the master's limiter and are
/// printed 6 dB under the mix bus. Checked in f32 (nothing clamped) where they used to go over:
/// the default show's applause at 3:35.56 (+1.1 dBFS) and the club's first applause at 3:51
/// (+3.6 dBFS). And raised by those 6 dB, the wet stems sum to the mix wherever the limiter
/// has nothing to do (the murmur before the show): the headroom is exactly what it says.
#[test]
fn built_in_stems_stay_under_full_scale_and_sum_to_the_mix_6_db_up() {
    let dir = tempfile::tempdir().unwrap();
    for (show, from, to) in [
        ("starlight-finale", "3:35", "3:37"),
        ("echo-fade-club", "3:50", "3:53"),
        ("starlight-finale", "0:05", "0:07"),
    ] {
        let stems = dir.path().join(format!("{show}-{from}"));
        concert()
            .args(["render", show, "--from", from, "--to", to])
            .args(["--format", "f32", "--stems"])
            .arg(&stems)
            .assert()
            .success()
            .stderr(predicate::str::contains("warning").not());
        let layers = ["crowd", "applause", "cheers", "lead"]
            .map(|name| (name, read_f32(&stems.join(format!("{name}.wav")))));
        for (name, x) in &layers {
            let tp = true_peak_dbtp(x);
            println!("{show} {from}: {name} true peak {tp:+.2} dBTP");
            assert!(tp <= 0.0, "{show} {from}: {name} stem at {tp:+.2} dBTP");
        }
        if from == "0:05" {
            let mix = read_f32(&stems.join("mix.wav"));
            let up = 10f32.powf(6.0 / 20.0);
            let worst = mix
                .iter()
                .enumerate()
                .map(|(i, m)| (layers.iter().map(|(_, x)| x[i]).sum::<f32>() * up - m).abs())
                .fold(0.0f32, f32::max);
            let peak = mix.iter().fold(0.0f32, |p, v| p.max(v.abs()));
            assert!(peak > 1e-3, "the murmur is not silent");
            assert!(
                worst < 1e-4 * peak.max(1e-3) * 10.0,
                "stems raised by 6 dB miss the mix by {worst} (peak {peak})"
            );
        }
    }
}

#[test]
fn loudness_lands_on_the_target_by_an_independent_meter() {
    let python = pyloudnorm_python();
    let dir = tempfile::tempdir().unwrap();
    let clip = ["echo-fade-club", "--from", "1:00", "--to", "1:15"];
    for target in [-23.0, -16.0] {
        let out = dir.path().join(format!("club{target}.wav"));
        let t = format!("{target}");
        let stderr = render(&[&clip[..], &["--loudness", &t]].concat(), &out);
        assert!(
            stderr.contains(&format!("loudness {target:.1} LUFS integrated")),
            "{stderr}"
        );
        let (lufs, tp) = ebur128_measure(&out);
        assert!((lufs - target).abs() <= 0.05, "ebur128: {lufs} LUFS");
        assert!(tp <= -1.0, "ebur128: true peak {tp} dBTP");
        if let Some(py) = &python {
            let (lufs, tp) = pyloudnorm_measure(py, &out);
            assert!((lufs - target).abs() <= 0.1, "pyloudnorm: {lufs} LUFS");
            assert!(tp <= -1.0, "scipy 4x: true peak {tp} dBTP");
        }
    }
}

#[test]
fn a_tight_ceiling_engages_the_limiter_and_stays_exact_and_deterministic() {
    let python = pyloudnorm_python();
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "starlight-finale",
        // The roar at the lights going down, into the first song: peaks over a wide range, so
        // the gain that reaches −14 LUFS needs the limiter, and the limiter takes enough of
        // the loudness that the gain must be corrected over several passes.
        "--from",
        "0:53",
        "--to",
        "1:08",
        "--loudness",
        "-14",
        "--true-peak",
        "-3",
    ];
    let a = dir.path().join("a.wav");
    let b = dir.path().join("b.wav");
    let stderr = render(&args, &a);
    assert!(stderr.contains("true-peak limiter"), "{stderr}");
    render(&args, &b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let (lufs, tp) = ebur128_measure(&a);
    assert!((lufs + 14.0).abs() <= 0.05, "ebur128: {lufs} LUFS");
    assert!(tp <= -3.0, "ebur128: true peak {tp} dBTP");
    if let Some(py) = &python {
        let (lufs, tp) = pyloudnorm_measure(py, &a);
        assert!((lufs + 14.0).abs() <= 0.1, "pyloudnorm: {lufs} LUFS");
        assert!(tp <= -3.0, "scipy 4x: true peak {tp} dBTP");
    }
    // Without --loudness the same span is louder than -3 dBTP: the limiter had work to do.
    let raw = dir.path().join("raw.wav");
    render(&args[..5], &raw);
    assert!(ebur128_measure(&raw).1 > -3.0);
}

#[test]
fn stems_get_the_same_gain_and_markers_as_the_mix() {
    let dir = tempfile::tempdir().unwrap();
    let clip = [
        "echo-fade-club",
        "--from",
        "1:00",
        "--to",
        "1:05",
        "--format",
        "f32",
    ];
    let plain = dir.path().join("plain");
    let loud = dir.path().join("loud");
    concert()
        .arg("render")
        .args(clip)
        .arg("--stems")
        .arg(&plain)
        .assert()
        .success();
    concert()
        .arg("render")
        .args(clip)
        .args(["--loudness", "-30", "--stems"])
        .arg(&loud)
        .assert()
        .success();
    let ratio =
        |name: &str| {
            let a = read_f32(&plain.join(name));
            let b = read_f32(&loud.join(name));
            let (k, _) = a.iter().enumerate().fold((0, 0.0f32), |(k, m), (i, v)| {
                if v.abs() > m { (i, v.abs()) } else { (k, m) }
            });
            if a[k] == 0.0 {
                // A silent stem in this span stays silent.
                assert!(b.iter().all(|&v| v == 0.0), "{name}");
                return None;
            }
            Some(b[k] / a[k])
        };
    let mix = ratio("mix.wav").unwrap();
    assert!(mix < 0.9, "-30 LUFS turned the mix down: ratio {mix}");
    let stems: Vec<String> = concert::engine::STEMS
        .iter()
        .map(|s| format!("{s}.wav"))
        .collect();
    for stem in std::iter::once("mix.wav").chain(stems.iter().map(String::as_str)) {
        // Every WAV carries the markers: the lights go down at 1:00, the clip's first frame.
        let (pos, labels, _) = read_cues(&riff_chunks(&std::fs::read(loud.join(stem)).unwrap()));
        assert_eq!(pos.get(&1), Some(&0), "{stem}");
        assert_eq!(labels[&1], "The lights dim", "{stem}");
    }
    for stem in &stems {
        let Some(r) = ratio(stem) else { continue };
        assert!(
            (r / mix - 1.0).abs() < 1e-4,
            "{stem}: gain {r} vs mix {mix}"
        );
    }
}

#[test]
fn loudness_errors_name_the_flag_and_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wav");
    concert()
        .args(["render", "echo-fade-club", "--loudness", "5", "-o"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--loudness"))
        .stderr(predicate::str::contains("from -70 to 0"));
    concert()
        .args(["render", "echo-fade-club", "--true-peak", "-40", "-o"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--true-peak"));
    // Integrated loudness needs 0.4 s of audio.
    concert()
        .args(["render", "echo-fade-club", "--from", "60", "--to", "60.2"])
        .args(["--loudness", "-16", "-o"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("unmeasurable"));
    assert!(!out.exists());
}

#[test]
fn a_target_beyond_the_limiters_reach_is_refused_with_what_can_be_reached() {
    // The doors' first second is quiet (-36 LUFS, peaks 14 dB over it): -6 LUFS would take
    // 30 dB of gain and some 18 dB of limiting. It once got +81 dB (stems at +91 dBFS).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wav");
    let stems = dir.path().join("stems");
    let clip = ["render", "starlight-finale", "--to", "1", "--format", "f32"];
    let refused = concert()
        .args(clip)
        .args(["--loudness", "-6", "-o"])
        .arg(&out)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let msg = String::from_utf8(refused).unwrap();
    assert!(msg.contains("cannot reach -6 LUFS"), "{msg}");
    assert!(msg.contains("--true-peak"), "{msg}");
    assert!(!out.exists(), "nothing written");
    concert()
        .args(clip)
        .args(["--loudness", "-6", "--stems"])
        .arg(&stems)
        .assert()
        .failure();
    assert!(!stems.exists(), "no stems folder left behind");
    // What it offers is reachable, and under the ceiling.
    let offer: f64 = msg
        .split("ask for ")
        .nth(1)
        .and_then(|r| r.split(" LUFS").next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no offer in: {msg}"));
    assert!((-14.0..-6.0).contains(&offer), "offer {offer}");
    let t = format!("{offer}");
    let stderr = render(&["starlight-finale", "--to", "1", "--loudness", &t], &out);
    assert!(stderr.contains("true-peak limiter"), "{stderr}");
    let (lufs, tp) = ebur128_measure(&out);
    assert!(
        (lufs - offer).abs() <= 0.05,
        "ebur128: {lufs} LUFS for {offer}"
    );
    assert!(tp <= -1.0, "true peak {tp} dBTP");
}

/// The chunks of a RIFF/WAVE file: (id, body), parsed here independently of the writer.
fn riff_chunks(bytes: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WAVE");
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff + 8, bytes.len(), "RIFF size covers the whole file");
    let mut chunks = Vec::new();
    let mut at = 12;
    while at < bytes.len() {
        let id: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        chunks.push((id, bytes[at + 8..at + 8 + size].to_vec()));
        at += 8 + size + size % 2;
    }
    assert_eq!(at, bytes.len());
    chunks
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes(b[..4].try_into().unwrap())
}

/// Cue points (id → sample position), labels (id → text) and region lengths (id → frames).
type Cues = (
    std::collections::BTreeMap<u32, u32>,
    std::collections::BTreeMap<u32, String>,
    std::collections::BTreeMap<u32, u32>,
);

fn read_cues(chunks: &[([u8; 4], Vec<u8>)]) -> Cues {
    let (mut pos, mut labels, mut lengths) = Cues::default();
    for (id, body) in chunks {
        if id == b"cue " {
            let n = le32(body) as usize;
            assert_eq!(body.len(), 4 + 24 * n);
            for p in body[4..].chunks(24) {
                assert_eq!(&p[8..12], b"data");
                assert_eq!(le32(&p[4..]), le32(&p[20..]), "position = sample offset");
                pos.insert(le32(p), le32(&p[20..]));
            }
        }
        if id == b"LIST" && &body[..4] == b"adtl" {
            let mut at = 4;
            while at < body.len() {
                let sub = &body[at..at + 4];
                let size = le32(&body[at + 4..]) as usize;
                let data = &body[at + 8..at + 8 + size];
                match sub {
                    b"labl" => {
                        let text = &data[4..data.len() - 1];
                        assert_eq!(data[data.len() - 1], 0, "NUL-terminated label");
                        labels.insert(le32(data), String::from_utf8(text.to_vec()).unwrap());
                    }
                    b"ltxt" => {
                        assert_eq!(&data[8..12], b"rgn ");
                        lengths.insert(le32(data), le32(&data[4..]));
                    }
                    _ => {}
                }
                at += 8 + size + size % 2;
            }
        }
    }
    (pos, labels, lengths)
}

fn timeline_json(args: &[&str]) -> serde_json::Value {
    let out = concert()
        .args(["timeline", "echo-fade-club", "--format", "json"])
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn wav_markers_name_each_moment_of_the_clip_at_its_sample() {
    let dir = tempfile::tempdir().unwrap();
    let clip = ["--from", "0:50", "--to", "1:20"];
    for format in ["s16", "f32"] {
        let out = dir.path().join(format!("clip-{format}.wav"));
        render(
            &[&["echo-fade-club", "--format", format][..], &clip].concat(),
            &out,
        );
        let bytes = std::fs::read(&out).unwrap();
        let chunks = riff_chunks(&bytes);
        let ids: Vec<&[u8]> = chunks.iter().map(|(id, _)| &id[..]).collect();
        assert!(
            ids.contains(&&b"cue "[..]) && ids.contains(&&b"LIST"[..]),
            "{ids:?}"
        );
        let (pos, labels, lengths) = read_cues(&chunks);
        // Expected: the moments that start inside the clip, relative to it.
        let sheet = timeline_json(&clip);
        let expected: Vec<_> = sheet["moments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["show_start_secs"].as_f64().unwrap() >= 50.0)
            .collect();
        assert!(expected.len() >= 2, "{sheet}");
        assert_eq!(pos.len(), expected.len());
        for (k, m) in expected.iter().enumerate() {
            let id = k as u32 + 1;
            let at = (m["start_secs"].as_f64().unwrap() * 48_000.0).round() as u32;
            let end = (m["end_secs"].as_f64().unwrap() * 48_000.0).round() as u32;
            assert_eq!(pos[&id], at, "{m}");
            assert_eq!(labels[&id], m["label"].as_str().unwrap());
            assert_eq!(lengths[&id], end - at);
            assert!(end <= 30 * 48_000, "regions end with the clip");
        }
        // bext: description names the show, time reference places the clip in it.
        let bext = &chunks.iter().find(|(id, _)| id == b"bext").unwrap().1;
        assert_eq!(bext.len(), 602);
        let text = String::from_utf8_lossy(&bext[..256]);
        assert!(text.starts_with("Echo Fade"), "{text}");
        assert_eq!(&bext[256..263], b"concert");
        assert_eq!(le32(&bext[338..]), 50 * 48_000);
        assert_eq!(le32(&bext[342..]), 0);
        // Other readers still read the samples: hound, and sox.
        assert_eq!(read_f32(&out).len(), 2 * 30 * 48_000);
        let stat = StdCommand::new("sox")
            .arg(&out)
            .args(["-n", "stat"])
            .output();
        let stat = stat.expect("sox is installed (see .ci/run)");
        assert!(stat.status.success());
        let text = String::from_utf8_lossy(&stat.stderr);
        assert!(text.contains("Length (seconds):     30.000000"), "{text}");
    }
}

#[test]
fn timeline_exports_are_the_clips_own() {
    let clip = ["--from", "0:50", "--to", "1:20"];
    let sheet = timeline_json(&clip);
    assert_eq!(sheet["duration_secs"].as_f64(), Some(30.0));
    let moments = sheet["moments"].as_array().unwrap();
    // Murmur under way at 0:50, the lights going down and the song starting before 1:20.
    assert_eq!(moments.len(), 3, "{moments:?}");
    let export = |format: &str| {
        let out = concert()
            .args(["timeline", "echo-fade-club", "--format", format])
            .args(clip)
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let audacity = export("audacity");
    let csv = export("csv");
    let reaper = export("reaper");
    assert_eq!(audacity.lines().count(), 3);
    assert_eq!(csv.lines().count(), 4);
    assert_eq!(reaper.lines().count(), 4);
    assert_eq!(reaper.lines().next(), Some("#,Name,Start,End,Length"));
    assert!(
        reaper.contains("R2,The lights dim,0:00:10.000,0:00:18.000,0:00:08.000"),
        "{reaper}"
    );
    assert!(reaper.contains("R3,\"Song: \"\"Lost in the Haze\"\"\",0:00:19.000,0:00:30.000"));
    for (line, m) in audacity.lines().zip(moments) {
        let f: Vec<&str> = line.split('\t').collect();
        let start: f64 = f[0].parse().unwrap();
        let end: f64 = f[1].parse().unwrap();
        assert!((start - m["start_secs"].as_f64().unwrap()).abs() < 1e-6);
        assert!((end - m["end_secs"].as_f64().unwrap()).abs() < 1e-6);
        assert!((0.0..=30.0).contains(&start) && (0.0..=30.0).contains(&end));
        assert_eq!(f[2], m["label"].as_str().unwrap());
    }
    assert!(
        csv.starts_with("moment,label,start_secs,end_secs\nmurmur,Murmur,0.000000,10.000000\n")
    );
    concert()
        .args(["timeline", "echo-fade-club", "--format", "mp3"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "possible values: text, csv, audacity, reaper, json",
        ));
}

/// The `data` chunk of a WAV file.
fn wav_data(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    riff_chunks(&bytes)
        .into_iter()
        .find(|(id, _)| id == b"data")
        .unwrap()
        .1
}

#[test]
fn flac_decodes_to_the_samples_of_the_wav_at_the_same_depth() {
    let dir = tempfile::tempdir().unwrap();
    let clip = ["echo-fade-club", "--from", "1:00", "--to", "1:04"];
    for (format, bits) in [("s16", "16"), ("s24", "24")] {
        let wav = dir.path().join(format!("{format}.wav"));
        let flac = dir.path().join(format!("{format}.flac"));
        render(&[&clip[..], &["--format", format]].concat(), &wav);
        render(&[&clip[..], &["--format", format]].concat(), &flac);
        assert_eq!(&std::fs::read(&flac).unwrap()[..4], b"fLaC");
        // sox decodes the FLAC to raw little-endian integers of the same depth.
        let raw = StdCommand::new("sox")
            .arg(&flac)
            .args(["-t", "raw", "-e", "signed", "-b", bits, "-L", "-"])
            .output()
            .expect("sox is installed (see .ci/run)");
        assert!(
            raw.status.success(),
            "{}",
            String::from_utf8_lossy(&raw.stderr)
        );
        let data = wav_data(&wav);
        assert_eq!(
            data.len(),
            4 * 48_000 * 2 * bits.parse::<usize>().unwrap() / 8
        );
        assert!(raw.stdout == data, "{format}: FLAC and WAV samples differ");
    }
}

#[test]
fn unsupported_outputs_are_refused_before_rendering() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format, says) in [
        (
            "x.mp3",
            "s24",
            "supported: .wav (--format s16, s24 or f32), .flac",
        ),
        ("x", "s24", "the file's extension picks its format"),
        (
            "x.flac",
            "f32",
            "FLAC stores integers; use --format s16 or s24",
        ),
    ] {
        let out = dir.path().join(name);
        let started = std::time::Instant::now();
        concert()
            .args(["render", "starlight-finale", "--format", format, "-o"])
            .arg(&out)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
        assert!(
            started.elapsed().as_secs() < 5,
            "{name}: refused only after rendering"
        );
        assert!(!out.exists());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn dash_streams_the_same_wav_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.wav");
    render(&["echo-fade-club", "--to", "0:03"], &file);
    let piped = concert()
        .args(["render", "echo-fade-club", "--to", "0:03", "-o", "-"])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote WAV to standard output"));
    assert!(piped.get_output().stdout == std::fs::read(&file).unwrap());
    assert!(!Path::new("-").exists());
    // Straight into sox through a pipe.
    let mut producer = StdCommand::new(env!("CARGO_BIN_EXE_concert"))
        .args([
            "render",
            "echo-fade-club",
            "--to",
            "0:02",
            "--format",
            "s16",
            "-q",
            "-o",
            "-",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stat = StdCommand::new("sox")
        .args(["-t", "wav", "-", "-n", "stat"])
        .stdin(producer.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(producer.wait().unwrap().success());
    assert!(stat.status.success());
    let text = String::from_utf8_lossy(&stat.stderr);
    assert!(text.contains("Length (seconds):      2.000000"), "{text}");
}

/// A short show whose song has no melody.
const SILENT_SONG: &str = r#"
title = "No tune"
seed = 3
[venue]
kind = "club"
audience = 200
[[songs]]
title = "Humless"
bpm = 100
secs = 20
clap_along = "2,4"
[[timeline]]
moment = "murmur"
secs = 3
[[timeline]]
moment = "song"
song = "Humless"
"#;

#[test]
fn a_song_without_melody_is_a_warning_in_check_and_render() {
    let dir = tempfile::tempdir().unwrap();
    let show = dir.path().join("no-tune.toml");
    std::fs::write(&show, SILENT_SONG).unwrap();
    let says = "song \"Humless\" has no melody: for its 0:20 from 0:03 the singer is silent and only the hushed crowd and clapping along on beats 2,4 is heard";
    concert()
        .arg("check")
        .arg(&show)
        .assert()
        .success()
        .stdout(predicate::str::contains("ok:"))
        .stderr(predicate::str::contains(says));
    concert()
        .args(["render", "--to", "0:01", "-q"])
        .arg(&show)
        .arg("-o")
        .arg(dir.path().join("x.wav"))
        .assert()
        .success()
        .stderr(predicate::str::contains(says));
    // The built-in shows all have tunes: no warning.
    concert()
        .args(["check", "starlight-finale", "echo-fade-club"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn presets_print_every_duration_in_one_form() {
    let out = concert().arg("presets").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.lines().count() >= 5);
    for line in text.lines() {
        let duration = line.split_whitespace().nth(1).unwrap();
        let (m, s) = duration.split_once(':').unwrap();
        assert!(m.parse::<u32>().is_ok(), "{line}");
        assert!(
            s.len() == 4 && s.as_bytes()[2] == b'.' && s.replace('.', "").parse::<u32>().is_ok(),
            "{line}: {duration} is not m:ss.s"
        );
    }
}

#[test]
fn the_progress_bar_starts_at_zero_percent() {
    // A terminal for stderr: `script` runs the render under a pseudo-terminal.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wav");
    let cmd = format!(
        "{} render echo-fade-club --to 0:20 -o {}",
        env!("CARGO_BIN_EXE_concert"),
        out.display()
    );
    let run = StdCommand::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("script (util-linux) runs a command under a pty");
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    let first = text.find('%').expect("a progress bar was drawn");
    let shown = &text[first.saturating_sub(3)..first];
    assert_eq!(shown.trim(), "0", "first frame: {:?}", &text[..first + 1]);
    assert!(text.contains("100%") || text.contains("wrote"), "{text}");
}
