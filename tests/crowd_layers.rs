//! The crowd layer on rendered samples: syllable-rate murmur, the murmur → roar range in a
//! club and an arena (pre-show chatter about 20 dB under the lights-down roar, loud enough
//! to hear), the roar's level, chants on the beat, the sing-along's level,
//! determinism and silence.

mod crowd_support;

use concert::conductor::render_layer;
use concert::conductor::{CrowdLayer, chant_beat_count, chant_beat_secs};
use concert::show::{MomentKind, VenueKind};
use crowd_support::*;

const SR: usize = 48_000;
/// Modulation rates above the phrase rate of conversation, Hz (see `murmur_is_syllabic_chatter`).
const SYLLABLES_ABOVE_HZ: f64 = 2.0;

fn crowd(show: &concert::show::Show, from: f64, secs: f64) -> Vec<f32> {
    let mut l = CrowdLayer::new(show, show.seed, SR as f64);
    render_mono(&mut l, show, from, secs)
}

/// Median of the 3 s window levels (1 s hop).
fn median_short_term_db(x: &[f32]) -> f64 {
    let mut v: Vec<f64> = (0..=x.len() - 3 * SR)
        .step_by(SR)
        .map(|s| rms_db(&x[s..s + 3 * SR]))
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn murmur_is_syllabic_chatter() {
    // Above the phrase rate: conversation's pauses between phrases swing a room's level at
    // about 1 Hz (the real restaurant chatter's modulation spectrum peaks there, its syllable
    // band 4–9 dB under it), so a murmur is syllabic when its peak above 2 Hz is the syllables'.
    let show = story(VenueKind::Club, 60);
    let x = crowd(&show, 1.0, 10.0);
    let peak = modulation_peak_above_hz(&x, SR, SYLLABLES_ABOVE_HZ);
    let c = centroid_hz(&x, SR);
    println!("club 60 murmur: modulation peak {peak:.2} Hz, centroid {c:.0} Hz");
    assert!(
        (3.0..=6.0).contains(&peak),
        "syllable-rate modulation: {peak} Hz"
    );
    assert!((400.0..=1500.0).contains(&c), "centroid {c} Hz");
    let arena = crowd(&story(VenueKind::Arena, 15_000), 1.0, 10.0);
    let pa = modulation_peak_above_hz(&arena, SR, SYLLABLES_ABOVE_HZ);
    println!(
        "arena murmur: modulation peak {pa:.2} Hz, centroid {:.0} Hz",
        centroid_hz(&arena, SR)
    );
    // An arena's murmur is more talkers at like levels, half of them facing away: their
    // syllables overlap and blur the rhythm towards the slower syllables (the real restaurant
    // chatter's peak above 2 Hz sits near 3 Hz).
    assert!(
        (2.5..=6.0).contains(&pa),
        "arena syllable-rate modulation: {pa} Hz"
    );
}

#[test]
fn roar_towers_over_murmur() {
    for (kind, aud, lo, hi) in [
        (VenueKind::Club, 300, 14.0, 24.0),
        (VenueKind::Arena, 15_000, 15.0, 26.0),
    ] {
        let show = story(kind, aud);
        let x = crowd(&show, 0.0, 22.0);
        let murmur = median_short_term_db(&x[SR..11 * SR]);
        let roar = max_short_term_db(&x[12 * SR..22 * SR], SR);
        println!(
            "{kind:?} {aud}: murmur {murmur:.1} dB, lights-down roar {roar:.1} dB, range {:.1} dB",
            roar - murmur
        );
        assert!(
            (lo..=hi).contains(&(roar - murmur)),
            "{kind:?}: {murmur} -> {roar}"
        );
    }
}

#[test]
fn full_roar_is_about_minus_16_dbfs() {
    let mut f = moment("finale", MomentKind::Finale, 0.0, 20.0, 1.0);
    f.peak = 1.0;
    let show = show(VenueKind::Arena, 15_000, vec![f]);
    let p = show.params_at(4.0);
    assert!(p.roar > 0.95 && p.energy > 0.95, "{p:?}");
    let x = crowd(&show, 3.0, 3.0);
    let level = rms_db(&x);
    println!("full roar: {level:.1} dBFS RMS");
    assert!(
        (-19.0..=-13.0).contains(&level),
        "full roar at {level} dBFS"
    );
    let peak = peak_db(&x);
    println!("full roar peak {peak:.2} dBFS");
    assert!(peak < -1.0, "no clipping: peak {peak:.2} dBFS");
}

#[test]
fn chant_syllables_land_on_the_beats() {
    let show = story(VenueKind::Club, 300);
    let m = &show.moments[2];
    let x = crowd(&show, 0.0, 34.0);
    let win = |t: f64| rms_db(&x[(t * SR as f64) as usize..((t + 0.15) * SR as f64) as usize]);
    let (mut on, mut rest, mut between) = (Vec::new(), Vec::new(), Vec::new());
    for n in 2..chant_beat_count(m) - 1 {
        let t = chant_beat_secs(m, n);
        let next = chant_beat_secs(m, n + 1);
        if n % 4 == 3 {
            rest.push(win(t))
        } else {
            on.push(win(t))
        }
        between.push(win(t + 0.72 * (next - t)));
    }
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "chant: on-beat syllables {:.1} dB, rest beats {:.1} dB, late in the beat {:.1} dB",
        avg(&on),
        avg(&rest),
        avg(&between)
    );
    // Not a silent rest: the part of the crowd that does not chant keeps shouting under it,
    // and the chanters are early and late by tens of ms; still a rhythm several dB deep.
    assert!(avg(&on) > avg(&rest) + 6.0, "a rest after 'one more song'");
    assert!(
        avg(&on) > avg(&between) + 3.5,
        "syllables start on the beat, then stop"
    );
}

#[test]
fn sing_along_stays_under_the_lead() {
    let mut show = story(VenueKind::Arena, 15_000);
    let loud = rms_db(&crowd(&show, 37.0, 10.0));
    show.songs[0].sing_along = 0.1;
    let soft = rms_db(&crowd(&show, 37.0, 10.0));
    println!("sing-along: fraction 0.6 -> {loud:.1} dBFS, fraction 0.1 -> {soft:.1} dBFS");
    assert!(
        loud < -28.0 && loud > -50.0,
        "well under the lead's -20 dBFS: {loud}"
    );
    assert!(loud > soft + 2.0, "more singers, louder: {soft} -> {loud}");
}

#[test]
fn deterministic_per_seed() {
    let show = story(VenueKind::Club, 300);
    let run = |seed: u64| {
        let mut l = CrowdLayer::new(&show, seed, SR as f64);
        render_layer(&mut l, &show, SR as u32, 10.0, 4.0)
    };
    let a = run(5);
    assert_eq!(a, run(5));
    assert_ne!(a, run(6));
}

#[test]
fn silent_when_all_params_are_zero() {
    let show = story(VenueKind::Arena, 15_000);
    let mut l = CrowdLayer::new(&show, 1, SR as f64);
    assert_silent_at_rest(&mut l);
}

#[test]
fn same_crowd_at_every_sample_rate() {
    // The talkers run at half rate from 40 kHz up and at the full rate below: either way the
    // murmur and the roar keep their level and colour.
    let show = story(VenueKind::Club, 300);
    let at = |sr: u32| {
        let mut l = CrowdLayer::new(&show, show.seed, f64::from(sr));
        let st = render_layer(&mut l, &show, sr, 1.0, 20.0);
        let mono: Vec<f32> = st.chunks(2).map(|f| 0.5 * (f[0] + f[1])).collect();
        let s = sr as usize;
        let (murmur, roar) = (&mono[s..10 * s], &mono[12 * s..20 * s]);
        (
            rms_db(murmur),
            rms_db(roar),
            centroid_hz(murmur, s),
            centroid_hz(roar, s),
        )
    };
    let reference = at(48_000);
    for sr in [44_100, 96_000, 22_050, 8_000] {
        let x = at(sr);
        println!("{sr} Hz: {x:.1?} (48 kHz: {reference:.1?})");
        assert!((x.0 - reference.0).abs() < 1.0, "{sr} Hz murmur level");
        assert!((x.1 - reference.1).abs() < 1.0, "{sr} Hz roar level");
        if sr >= 22_050 {
            assert!(
                (x.2 / reference.2).ln().abs() < 0.15,
                "{sr} Hz murmur centroid"
            );
            assert!(
                (x.3 / reference.3).ln().abs() < 0.15,
                "{sr} Hz roar centroid"
            );
        }
    }
}
