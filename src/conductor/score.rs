//! The lead's part for a show: every sung note of `Show::lead_notes()` and every spoken
//! syllable of banter as an [`Utterance`], with the per-note choices a singer makes (scoop
//! depth, vibrato onset and rate, how far a phrase falls) drawn once from the moment's own
//! random stream, so editing one moment leaves the others unchanged.
//!
//! Banter: intonation phrases of syllables at 4–6 per second with accents, declination, a
//! final fall and pauses — the melody of speech without its words.

use crate::instruments::lead::score::Utterance;
use crate::instruments::lead::vowels::{Coda, Onset, Syllable, Vowel, syllable};
use crate::kit::{Rng, VoiceType, derive_seed, rng, uniform};
use crate::show::{MomentKind, Show};

/// How far a sung note may start off the beat, in seconds either way: a singer phrases a few
/// tens of milliseconds ahead of or behind the grid, never exactly on it.
const OFF_GRID_SECS: f64 = 0.025;
/// How far a sung note's pitch may sit off the written one, in cents either way (a drawn
/// offset per note, on top of the slow drift).
const DETUNE_CENTS: f32 = 8.0;

/// Speaking pitch of each voice type (MIDI), roughly 120 Hz for a tenor and 200 Hz for a mezzo.
fn speaking_midi(voice: VoiceType) -> f32 {
    match voice {
        VoiceType::Soprano => 57.0,
        VoiceType::Mezzo => 55.0,
        VoiceType::Alto => 53.0,
        VoiceType::Tenor => 46.0,
    }
}

/// Uniform in `lo..hi`.
fn between(r: &mut Rng, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * uniform(r)
}

/// Plan the whole show's lead part, in time order.
pub fn plan(show: &Show, seed: u64) -> Vec<Utterance> {
    let mut out: Vec<Utterance> = Vec::new();
    let notes = show.lead_notes();
    let mut current: Option<(usize, Rng, u64)> = None;
    for n in &notes {
        if current.as_ref().is_none_or(|c| c.0 != n.moment) {
            let s = derive_seed(seed, &format!("lead:{}", show.moments[n.moment].id));
            current = Some((n.moment, rng(s), s));
        }
        let Some((_, r, s)) = current.as_mut() else {
            continue;
        };
        // Land a little early or late. A note tied to the one before moves their shared
        // boundary, as long as neither loses more than 40 % of its length.
        let dur = n.end_secs - n.start_secs;
        let mut start =
            n.start_secs + (OFF_GRID_SECS * f64::from(between(r, -1.0, 1.0))).min(0.3 * dur);
        if let Some(prev) = out.last_mut() {
            if (prev.end - n.start_secs).abs() < 1e-9 {
                if start > prev.start + 0.6 * prev.secs() {
                    prev.end = start;
                } else {
                    start = n.start_secs;
                }
            } else if start < prev.end + 0.02 {
                start = n.start_secs;
            }
        }
        out.push(Utterance {
            start,
            end: n.end_secs,
            midi: f32::from(n.midi),
            end_midi: f32::from(n.midi),
            syllable: syllable(&n.syllable),
            effort: n.velocity.clamp(0.0, 1.0),
            phrase_start: n.phrase_start,
            phrase_end: n.phrase_end,
            slide: n.slide,
            speech: false,
            moment_seed: *s,
            scoop_cents: between(r, 110.0, 190.0),
            vibrato_delay: between(r, 0.1, 0.3),
            vibrato_hz: (show.singer.vibrato_hz as f32) * between(r, 0.96, 1.04),
            vibrato_cents: (show.singer.vibrato_cents as f32) * between(r, 0.85, 1.1),
            fall_cents: between(r, 100.0, 200.0),
            tail: between(r, 0.18, 0.3),
            detune_cents: DETUNE_CENTS * between(r, -1.0, 1.0),
        });
    }
    for (mi, m) in show.moments.iter().enumerate() {
        if m.kind == MomentKind::Banter {
            let s = derive_seed(seed, &format!("lead:banter:{}", m.id));
            banter(&mut out, show, mi, s);
        }
    }
    out.sort_by(|a, b| a.start.total_cmp(&b.start));
    // A fall never runs into the next note.
    for i in 0..out.len().saturating_sub(1) {
        let room = (out[i + 1].start - out[i].end - 0.03).max(0.0) as f32;
        out[i].tail = out[i].tail.min(room);
    }
    out
}

/// Speech for one banter moment: phrases of syllables with pauses, leaving the moment's last
/// seconds to the crowd's answer.
fn banter(out: &mut Vec<Utterance>, show: &Show, mi: usize, seed: u64) {
    let m = &show.moments[mi];
    let mut r = rng(seed);
    let base = speaking_midi(show.singer.voice);
    let stop = m.end_secs - (m.secs() * 0.2).clamp(0.5, 2.5);
    let mut t = m.start_secs + 0.4;
    while t < stop - 0.6 {
        let syllables = 3 + (uniform(&mut r) * 9.0) as usize;
        let rate = between(&mut r, 4.2, 5.8);
        // Declination: each phrase starts higher than it ends, the last syllable falls most.
        let first = out.len();
        let top = base + between(&mut r, 2.0, 5.0);
        let bottom = base - between(&mut r, 1.0, 3.0);
        for k in 0..syllables {
            let last = k + 1 == syllables;
            let stressed = uniform(&mut r) < 0.3;
            let mut dur = f64::from(between(&mut r, 0.75, 1.25) / rate);
            if stressed {
                dur *= 1.35;
            }
            if last {
                dur *= 1.6;
            }
            if t + dur > stop {
                break;
            }
            let u = k as f32 / syllables.max(2) as f32;
            let line = top + (bottom - top) * u;
            let accent = if stressed {
                between(&mut r, 1.5, 4.0)
            } else {
                0.0
            };
            let start_midi = line + accent + between(&mut r, -0.7, 0.7);
            let glide = if last {
                -between(&mut r, 2.5, 4.5)
            } else {
                -between(&mut r, 0.2, 1.5)
            };
            let onset =
                Onset::ALL[(uniform(&mut r) * Onset::ALL.len() as f32) as usize % Onset::ALL.len()];
            let nucleus = Vowel::ALL[(uniform(&mut r) * 5.0) as usize % 5];
            out.push(Utterance {
                start: t,
                end: t + dur,
                midi: start_midi,
                end_midi: start_midi + glide,
                syllable: Syllable {
                    onset,
                    nucleus,
                    offglide: None,
                    hum: false,
                    coda: Coda::None,
                },
                effort: if stressed { 0.65 } else { 0.5 },
                phrase_start: k == 0,
                phrase_end: last,
                slide: false,
                speech: true,
                moment_seed: seed,
                scoop_cents: between(&mut r, 0.0, 60.0),
                vibrato_delay: 0.0,
                vibrato_hz: 0.0,
                vibrato_cents: 0.0,
                fall_cents: between(&mut r, 50.0, 150.0),
                tail: between(&mut r, 0.08, 0.15),
                detune_cents: 0.0,
            });
            t += dur;
        }
        // A phrase cut short by the end of the moment still ends (and falls) properly.
        if out.len() > first
            && let Some(u) = out.last_mut()
        {
            u.phrase_end = true;
        }
        // A pause between phrases, now and then a longer one.
        t += f64::from(if uniform(&mut r) < 0.2 {
            between(&mut r, 0.9, 1.5)
        } else {
            between(&mut r, 0.35, 0.8)
        });
    }
}
