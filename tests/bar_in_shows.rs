//! The bar in the shows, measured on the mix the way the real restaurant's clinks were
//! measured (`real-restaurant-chatter.wav`: about 1.3 a second rise 10 dB or more out of the
//! 2–8 kHz band over its running median): the early days' bar of sixty clinks under its murmur
//! at that rate and keeps going, quieter, under the ballad's hush; a festival field has none.

use concert::engine::{Engine, LAYERS, STEMS};
use concert::preset;
use fundsp::prelude32::{highpass_hz, lowpass_hz};

const RATE: u32 = 48_000;
/// 2 ms frames.
const FRAME: usize = 96;

/// Mix and bar stem (mono) of `preset` from `from_secs` for `secs`.
fn mix_and_bar(preset_name: &str, from_secs: f64, secs: f64) -> (Vec<f32>, Vec<f32>) {
    let show = preset::resolve(preset_name).unwrap();
    let mut e = Engine::with_stems(&show, show.seed, RATE);
    let start = (from_secs * f64::from(RATE)) as u64;
    if start > 0 {
        e.seek(start);
    }
    let frames = (secs * f64::from(RATE)) as usize;
    let mut mix = vec![0.0; 2 * frames];
    let mut stems: Vec<Vec<f32>> = vec![vec![0.0; 2 * frames]; LAYERS];
    let mut slices: [&mut [f32]; LAYERS] = std::array::from_fn(|_| &mut [][..]);
    for (slice, stem) in slices.iter_mut().zip(stems.iter_mut()) {
        *slice = &mut stem[..];
    }
    e.render_block_with_stems(&mut mix, &mut slices);
    let bar = STEMS.iter().position(|s| *s == "bar").expect("a bar stem");
    let mono = |x: &[f32]| x.chunks(2).map(|f| f[0] + f[1]).collect::<Vec<f32>>();
    (mono(&mix), mono(&stems[bar]))
}

/// Level (dB) of `x`'s 2–8 kHz band (fourth-order edges) in 2 ms frames.
fn band_db(x: &[f32]) -> Vec<f64> {
    let mut f = highpass_hz(2000.0, 0.54)
        >> highpass_hz(2000.0, 1.31)
        >> lowpass_hz(8000.0, 0.54)
        >> lowpass_hz(8000.0, 1.31);
    f.set_sample_rate(f64::from(RATE));
    let y: Vec<f64> = x.iter().map(|v| f64::from(f.filter_mono(*v))).collect();
    y.chunks(FRAME)
        .map(|w| {
            10.0 * (w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64)
                .max(1e-30)
                .log10()
        })
        .collect()
}

/// Clinks a second: peaks of the 2–8 kHz band at least `rise_db` over its median of the half
/// second around them, 50 ms apart at least.
fn clinks_per_sec(x: &[f32], rise_db: f64) -> f64 {
    let db = band_db(x);
    let half = 125;
    let rise: Vec<f64> = (0..db.len())
        .map(|k| {
            let mut w = db[k.saturating_sub(half)..(k + half).min(db.len())].to_vec();
            w.sort_by(f64::total_cmp);
            db[k] - w[w.len() / 2]
        })
        .collect();
    let mut count = 0;
    let mut last = None;
    for k in 1..rise.len() - 1 {
        let peak = rise[k] >= rise_db && rise[k] >= rise[k - 1] && rise[k] > rise[k + 1];
        if peak && last.is_none_or(|l| k - l >= 25) {
            count += 1;
            last = Some(k);
        }
    }
    count as f64 / (x.len() as f64 / f64::from(RATE))
}

#[test]
fn a_bar_of_sixty_clinks_under_its_murmur_like_a_restaurant_and_a_field_does_not() {
    // The early days' murmur (0–40 s): 1.09 a second here (1.19 over the whole murmur with
    // sixth-order band edges; the real restaurant 1.26, 0.10 before the show had a bar).
    let (mix, bar) = mix_and_bar("echo-fade-early-days", 2.0, 32.0);
    let rate = clinks_per_sec(&mix, 10.0);
    assert!(
        (0.6..2.5).contains(&rate),
        "early days' murmur: {rate:.2} clinks/s"
    );
    assert!(bar.iter().any(|v| *v != 0.0));
    // The festival's murmur: its bar is out on the field's edge, its stem silent, and its mix
    // has (nearly) no clinks.
    let (mix, bar) = mix_and_bar("echo-fade-festival", 2.0, 16.0);
    assert!(bar.iter().all(|v| *v == 0.0), "no bar on a festival field");
    let rate = clinks_per_sec(&mix, 10.0);
    assert!(rate < 0.3, "festival murmur: {rate:.2} clinks/s");
}

#[test]
fn the_bar_keeps_going_quietly_under_a_ballad() {
    let show = preset::resolve("echo-fade-early-days").unwrap();
    let hush = show
        .moments
        .iter()
        .find(|m| m.kind == concert::show::MomentKind::Hush)
        .expect("the early days have a ballad");
    let (_, murmur) = mix_and_bar("echo-fade-early-days", 2.0, 12.0);
    let (_, ballad) = mix_and_bar("echo-fade-early-days", hush.start_secs + 10.0, 12.0);
    let (busy, quiet) = (clinks_per_sec(&murmur, 10.0), clinks_per_sec(&ballad, 10.0));
    assert!(
        quiet > 0.1 && quiet < 0.7 * busy,
        "clinks/s in the bar stem: murmur {busy:.2}, ballad {quiet:.2}"
    );
    let peak = |x: &[f32]| x.iter().fold(0.0f32, |p, v| p.max(v.abs()));
    assert!(
        peak(&ballad) < peak(&murmur),
        "glasses are put down gently under a ballad"
    );
}
