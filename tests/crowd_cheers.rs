//! The cheers layer on rendered samples: event character (scream roughness vs "woo"s),
//! loudness of near events, whistle pitch, determinism per moment, silence.

mod crowd_support;

use concert::dsp::cheers::{CheerKind, CheersLayer};
use concert::dsp::util::render_layer;
use concert::show::{MomentKind, VenueKind};
use crowd_support::*;

const SR: usize = 48_000;

fn mean_roughness(kind: CheerKind) -> f64 {
    let r: Vec<f64> = (0..6)
        .map(|s| roughness(&CheersLayer::render_solo(kind, 100 + s, SR as f64, 1.0), SR))
        .collect();
    r.iter().sum::<f64>() / r.len() as f64
}

#[test]
fn screams_are_rougher_than_woos() {
    let scream = mean_roughness(CheerKind::Scream);
    let woo = mean_roughness(CheerKind::Woo);
    println!("share of envelope modulation in 30-150 Hz: scream {scream:.3}, woo {woo:.3}");
    assert!(scream > 0.3, "screams carry 30-150 Hz roughness: {scream}");
    assert!(scream > 3.0 * woo, "scream {scream} vs woo {woo}");
}

#[test]
fn loud_near_events_peak_around_minus_12_dbfs() {
    for kind in [
        CheerKind::Woo,
        CheerKind::Scream,
        CheerKind::Whistle,
        CheerKind::Shout,
    ] {
        let peaks: Vec<f64> = (0..5)
            .map(|s| peak_db(&CheersLayer::render_solo(kind, 7 + s, SR as f64, 2.0)))
            .collect();
        let loudest = peaks.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        println!("{kind:?}: loudest peak {loudest:.1} dBFS");
        assert!((-16.0..=-9.0).contains(&loudest), "{kind:?} peak {loudest}");
    }
}

#[test]
fn whistles_glide_between_1_and_4_khz() {
    for s in 0..4 {
        let x = CheersLayer::render_solo(CheerKind::Whistle, 40 + s, SR as f64, 1.0);
        let c = centroid_hz(&x, SR);
        assert!((1000.0..=4200.0).contains(&c), "whistle centroid {c}");
    }
}

#[test]
fn events_follow_rates_and_moments_deterministically() {
    let a = story(VenueKind::Club, 300);
    let render = |show: &concert::show::Show| {
        let mut l = CheersLayer::new(show, show.seed, SR as f64);
        render_layer(&mut l, show, SR as u32, 0.0, 22.0)
    };
    let x = render(&a);
    assert_eq!(x, render(&a), "same show and seed, same samples");
    // Lights-down (12-22 s) is full of events; the murmur before it has few.
    let mono: Vec<f32> = x.chunks(2).map(|f| f[0] + f[1]).collect();
    let murmur = rms_db(&mono[SR..11 * SR]);
    let roar = rms_db(&mono[13 * SR..21 * SR]);
    println!("cheers: murmur {murmur:.1} dB, lights-down {roar:.1} dB");
    assert!(roar > murmur + 12.0, "{murmur} vs {roar}");
    // Lengthen the first moment by a whole number of chunks: the lights-down events only move.
    let mut b = a.clone();
    let shift = 64.0 * 750.0 / SR as f64; // 1 s
    b.moments[0].end_secs += shift;
    for m in b.moments.iter_mut().skip(1) {
        m.start_secs += shift;
        m.end_secs += shift;
    }
    let mut lb = CheersLayer::new(&b, b.seed, SR as f64);
    let y = render_layer(&mut lb, &b, SR as u32, 0.0, 23.0);
    let (s, e) = (2 * 14 * SR, 2 * 20 * SR);
    let off = 2 * SR;
    let same = x[s..e]
        .iter()
        .zip(&y[s + off..e + off])
        .filter(|(p, q)| p == q)
        .count();
    assert!(
        same as f64 > 0.8 * (e - s) as f64,
        "a moment's events depend only on its own id"
    );
    let other_seed = {
        let mut l = CheersLayer::new(&a, a.seed + 1, SR as f64);
        render_layer(&mut l, &a, SR as u32, 0.0, 22.0)
    };
    assert_ne!(x, other_seed);
}

#[test]
fn hush_is_sparse() {
    let mut h = moment("hush-1", MomentKind::Hush, 0.0, 30.0, 0.3);
    h.song = Some(0);
    let show = show(VenueKind::Theatre, 1200, vec![h]);
    let mut l = CheersLayer::new(&show, show.seed, SR as f64);
    let x = render_mono(&mut l, &show, 1.0, 28.0);
    // Count 100 ms windows with sound: a few "woo"s at most.
    let active = x.chunks(SR / 10).filter(|c| rms_db(c) > -60.0).count();
    assert!(active < 60, "hush: {active} of 280 windows active");
}

#[test]
fn silent_when_all_params_are_zero() {
    let show = story(VenueKind::Arena, 15_000);
    let mut l = CheersLayer::new(&show, 1, SR as f64);
    assert_silent_at_rest(&mut l);
}
