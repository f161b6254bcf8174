//! A sung line is a string of syllables, not one held tone: a syllable that repeats the vowel
//! before it inside a phrase ("ah ah ah", "whoa-oh") starts again with a brief glottal
//! re-attack, so the level dips at its start, as a real singer's does between words.

mod lead_support;

use concert::instruments::lead::vowels::syllable;
use lead_support::*;

/// Legato lines of syllables that repeat their vowel, some on repeated pitches (the hardest
/// case: nothing but the re-attack tells the notes apart), at 120 bpm.
const VOWEL_LINES: &str = "ah:72:1 ah:72:1 ah:74:1 ooh:72:1 ooh:72:2 ~:1 \
    whoa:69:1 oh:69:1 oh:71:1 ah:72:1 ah:69:2 ~:1 \
    ah:76:1 ah:76:1 ah:74:1 ooh:72:1 ooh:72:2";

/// Level of `x` in 5 ms frames centred on `t`, in dB.
fn frame_db(x: &[f32], t: f64) -> f64 {
    rms_db(span(x, t - 0.0025, t + 0.0025))
}

/// Every syllable inside a phrase that starts on the vowel the note before it ended on dips at least 10 dB under the middle
/// of the note before it, within 100 ms of its written start, and climbs back to within 3 dB of that
/// level by the note's middle. The voice without re-attacks glided from note to note with no
/// dip to speak of (0–3 dB, the vibrato's own swing): a held tone whose pitch steps, which an
/// everyday-sound classifier heard as Howl once claps were added under it.
#[test]
fn repeated_vowels_inside_a_phrase_start_again() {
    let show = show_with(VOWEL_LINES, 120.0, 0.0);
    let x = render_mono(&show, 7, show.duration_secs);
    let notes = notes(&show);
    let mut checked = 0;
    for pair in notes.windows(2) {
        let (prev, n) = (&pair[0], &pair[1]);
        let (p, s) = (syllable(&prev.syllable), syllable(&n.syllable));
        let repeats = p.offglide.unwrap_or(p.nucleus) == s.nucleus;
        if n.phrase_start || !repeats || (n.start_secs - prev.end_secs).abs() > 1e-6 {
            continue;
        }
        let held = rms_db(span(
            &x,
            0.5 * (prev.start_secs + prev.end_secs) - 0.05,
            0.5 * (prev.start_secs + prev.end_secs) + 0.05,
        ));
        // The singer lands up to 25 ms off the beat, so look from 50 ms before to 100 ms after.
        let dip = (0..=60)
            .map(|k| frame_db(&x, n.start_secs - 0.05 + f64::from(k) * 0.0025))
            .fold(f64::INFINITY, f64::min);
        let mid = 0.5 * (n.start_secs + n.end_secs);
        let back = rms_db(span(&x, mid - 0.05, mid + 0.05));
        println!(
            "{:>4} at {:.2} s: held {held:.1} dB, dip {:.1} dB under it, back to {:.1} dB",
            n.syllable,
            n.start_secs,
            held - dip,
            back - held
        );
        assert!(
            held - dip >= 10.0,
            "'{}' at {:.2} s dips only {:.1} dB: the notes run together",
            n.syllable,
            n.start_secs,
            held - dip
        );
        assert!(
            back - held >= -3.0,
            "'{}' at {:.2} s does not come back: {:.1} dB under the note before",
            n.syllable,
            n.start_secs,
            held - back
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} re-attacks checked");
}
