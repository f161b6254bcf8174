//! Live playback through the real ALSA stack into a file: `~/.asoundrc` routes the default PCM
//! through ALSA's `file` plug-in over `null` (raw samples, no sound card needed), and the
//! captured samples are compared with an offline render of the same span and seed.
//!
//! `null` is not paced: it asks for samples as fast as the callback can give them, far faster
//! than the render thread renders, so the player zero-fills and counts underruns all the way
//! through (the test prints how many). Those zero-filled frames are the only difference: with
//! exactly-zero frames removed from both, the capture must be the offline render sample for
//! sample (apart from the 20 ms fades at a mid-show start and end).

#![cfg(feature = "live")]

mod live_support;

use live_support::*;

#[test]
fn file_plugin_capture_is_the_offline_render_sample_for_sample() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("capture.raw");
    std::fs::write(
        dir.path().join(".asoundrc"),
        format!(
            "pcm.!default {{ type file slave.pcm \"null\" file \"{}\" format \"raw\" }}\n",
            capture.display()
        ),
    )
    .unwrap();
    let out = play(dir.path(), &[], &["--from", "0:50", "--to", "0:53"]);
    let r = report(&out);
    eprintln!(
        "ALSA file/null: {} Hz {} {} ch, {} frames, {:.2} s wall, underruns {}, xruns {}, callback allocations {:?}",
        r.sample_rate,
        r.format,
        r.channels,
        r.played_frames,
        r.wall_secs,
        r.underruns,
        r.xruns,
        r.callback_allocations
    );
    assert_eq!((r.format.as_str(), r.channels), ("f32", 2), "{}", r.stdout);
    let frames = 3 * r.sample_rate as usize;
    assert_eq!(r.played_frames, frames as u64, "every frame of the span");
    if cfg!(debug_assertions) {
        assert_eq!(r.callback_allocations, Some(0), "{}", r.stdout);
    }
    assert!(
        r.stdout.contains("lights-down"),
        "one line per moment: {}",
        r.stdout
    );

    let reference = offline(r.sample_rate, 50.0, frames);
    let nonzero = |v: &[f32]| -> Vec<[f32; 2]> {
        v.chunks_exact(2)
            .filter(|f| f[0] != 0.0 || f[1] != 0.0)
            .map(|f| [f[0], f[1]])
            .collect()
    };
    let got = nonzero(&read_f32(&capture));
    let want = nonzero(&reference);
    assert!(want.len() > frames - 100, "the reference is not silent");
    assert_eq!(got.len(), want.len(), "nothing lost, nothing repeated");
    let fade = (0.02 * f64::from(r.sample_rate)) as usize + 1;
    let mid = fade..want.len() - fade;
    let mismatched = mid.clone().filter(|&i| got[i] != want[i]).count();
    assert_eq!(mismatched, 0, "of {} frames between the fades", mid.len());
    for i in (0..fade).chain(want.len() - fade..want.len()) {
        for c in 0..2 {
            let (g, w) = (got[i][c], want[i][c]);
            assert!(
                g.abs() <= w.abs() && g * w >= 0.0,
                "frame {i}: a fade only scales ({g} vs {w})"
            );
        }
    }
}
