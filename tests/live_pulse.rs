//! Live playback paced like a desktop: a private PulseAudio server with a null sink (a real
//! clock, no sound card) behind ALSA's default PCM, recorded from the sink's monitor with
//! `parec`. `concert play` must take real time, report no underruns, and what reached the
//! sink must be the offline render of the same span and seed.

#![cfg(feature = "live")]

mod live_support;

use std::time::Duration;

use live_support::*;

#[test]
fn pulseaudio_null_sink_plays_in_real_time_and_records_the_offline_render() {
    let mut pulse = Pulse::start();
    let capture = pulse.record();
    let (home, run) = (pulse.home(), pulse.run());

    // No buffer option: what a user types. PulseAudio's ALSA plug-in needs a bigger buffer
    // than a sound card, and `play` must pick it by itself (256 frames stuttered here).
    let out = play(
        &home,
        &[("XDG_RUNTIME_DIR", &run)],
        &["--from", "0:50", "--to", "1:00"],
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
    pulse.stop_recording();

    assert_eq!(
        r.sample_rate, 48_000,
        "the sink's rate, so nothing was resampled"
    );
    assert_eq!(r.played_frames, 480_000, "{}\n{}", r.stdout, r.stderr);
    assert!(
        (r.wall_secs - 10.0).abs() <= 1.0,
        "playback is paced in real time: {:.2} s",
        r.wall_secs
    );
    assert_eq!(r.underruns, 0, "{}", r.stdout);
    assert_eq!(r.xruns, 0, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("buffer 1024 frames (picked for this device)"),
        "a sound server's PCM gets the server-sized buffer: {}",
        r.stdout
    );
    assert_eq!(r.stream_errors, 0, "{}", r.stdout);
    assert!(
        !r.stderr.contains("reopened"),
        "the picked buffer kept up from the start: {}",
        r.stderr
    );
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
