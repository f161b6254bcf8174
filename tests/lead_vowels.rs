//! The five vowels stay distinguishable across the range: each rendered vowel's harmonic
//! amplitudes match its own formant targets better than any other vowel's.

mod lead_support;

use concert::instruments::lead::vowels::{Vowel, tune_formants, vowel_formants};
use concert::show::VoiceType;
use lead_support::*;

const SYLLABLES: [(&str, Vowel); 5] = [
    ("ah", Vowel::A),
    ("eh", Vowel::E),
    ("ee", Vowel::I),
    ("whoa", Vowel::O),
    ("ooh", Vowel::U),
];

/// Power of each harmonic below 4 kHz (summed over ±f0/2, so vibrato smearing is included), dB.
fn harmonics_db(x: &[f32], f0: f64) -> Vec<(f64, f64)> {
    let (p, df) = power_spectrum(x);
    let mut out = Vec::new();
    let mut k = 1;
    while k as f64 * f0 <= 4000.0 {
        let centre = k as f64 * f0;
        let lo = ((centre - f0 / 2.0) / df).ceil() as usize;
        let hi = ((centre + f0 / 2.0) / df).floor() as usize;
        let power: f64 = p[lo..=hi.min(p.len() - 1)].iter().sum();
        out.push((centre, 10.0 * power.max(1e-30).log10()));
        k += 1;
    }
    out
}

/// Residual (dB RMS) of the measured harmonics against a vowel's target envelope, allowing
/// for an unknown level and source tilt (a + b·log2 f).
fn misfit(h: &[(f64, f64)], f0: f64, v: Vowel) -> f64 {
    let target = tune_formants(&vowel_formants(VoiceType::Mezzo, v), f0 as f32);
    let pts: Vec<(f64, f64)> = h
        .iter()
        .map(|(f, db)| (f.log2(), db - f64::from(target.response_db(*f as f32))))
        .collect();
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (pts.iter()
        .map(|p| (p.1 - my - b * (p.0 - mx)).powi(2))
        .sum::<f64>()
        / n)
        .sqrt()
}

#[test]
fn vowels_are_distinguishable() {
    let mut report = String::new();
    for midi in [57u8, 64, 69, 74] {
        let f0 = 440.0 * 2f64.powf((f64::from(midi) - 69.0) / 12.0);
        let spec: Vec<String> = SYLLABLES
            .iter()
            .map(|(s, _)| format!("{s}:{midi}:2 ~:1"))
            .collect();
        let show = show_with(&spec.join(" "), 60.0, 0.0);
        let x = render_mono(&show, 1, show.duration_secs);
        let mut right = 0;
        for (note, (syl, vowel)) in notes(&show).iter().zip(SYLLABLES) {
            let seg = span(&x, note.start_secs + 0.6, note.start_secs + 0.6 + 0.5);
            let h = harmonics_db(seg, f0);
            let best = Vowel::ALL
                .iter()
                .min_by(|a, b| misfit(&h, f0, **a).total_cmp(&misfit(&h, f0, **b)))
                .copied()
                .unwrap();
            if best == vowel {
                right += 1;
            } else {
                report.push_str(&format!("{syl} at {f0:.0} Hz heard as {best:?}; "));
            }
        }
        let need = if f0 <= 350.0 { 5 } else { 4 };
        assert!(right >= need, "{right}/5 vowels at {f0:.0} Hz: {report}");
    }
    eprintln!("{report}");
}
