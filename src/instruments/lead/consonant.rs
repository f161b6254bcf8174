//! How a syllable's onset consonant is articulated over time: how long it lasts, how far it
//! closes the voice, and the noise it makes, shaped like the real thing.
//!
//! - stops ("b d g p t k") close the mouth and stop the voice for 40–60 ms, then release a
//!   short broadband burst and a puff of aspiration before the vowel;
//! - fricatives hiss through a narrow constriction without voice for 80–130 ms: "s" high
//!   (4–9 kHz), "sh" lower (2.5–6 kHz), "f"/"th" weak and spread over the whole top;
//! - "h" is breath through the following vowel's own formants;
//! - the voiced onsets (l, n, m, w, y) keep the voice on and only dip its level;
//! - codas end a word the same ways in reverse: a stop closes and stops the voice, then releases
//!   a weaker burst as the note ends; a fricative stops the voice and hisses to the note's end;
//!   a nasal or "l" closes the mouth while the voice hums on.
//!
//! Pure functions of the onset and the time into it: no state, no randomness.

use super::vowels::{Coda, Onset};

/// What an onset does to the voice at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Articulation {
    /// Level of the voice relative to the vowel (the closure of a stop takes it to ~0).
    pub level: f32,
    /// Glottal pulses on (1) or off (0).
    pub voicing: f32,
    /// Ungated breath through the tract (the "h" and a stop's aspiration).
    pub breath: f32,
    /// Frication noise relative to the vowel, coloured by [`hiss_band`].
    pub frication: f32,
}

impl Articulation {
    /// The vowel itself: nothing changed.
    pub const VOWEL: Articulation = Articulation {
        level: 1.0,
        voicing: 1.0,
        breath: 0.0,
        frication: 0.0,
    };
}

/// How long each onset lasts before the vowel, in seconds (sung; speech is a little quicker).
/// Fricatives and stops run to the lengths measured in sung English (60–150 ms of hiss, 30–80 ms
/// of closure); the old 45–70 ms left a stop's closure too short to stop the voice at all.
pub fn onset_secs(o: Onset) -> f32 {
    match o {
        Onset::None => 0.0,
        Onset::L => 0.05,
        Onset::N | Onset::M | Onset::W | Onset::Y => 0.06,
        Onset::H => 0.08,
        Onset::Stop => 0.09,
        Onset::Fricative | Onset::Sh => 0.12,
        Onset::F => 0.1,
    }
}

/// Share of a stop's onset spent closed (no voice, no sound): 55 % of 90 ms is a 50 ms closure.
const CLOSURE_SHARE: f32 = 0.55;
/// Length of a stop's release burst, as a share of the onset, before its aspiration.
const BURST_SHARE: f32 = 0.17;
/// Level left in a stop's closure: the voice is off, a murmur of the tract's ringing remains.
const CLOSURE_LEVEL: f32 = 0.003;

/// The articulation `k` of the way (0..1) through an onset `o`.
pub fn articulate(o: Onset, k: f32) -> Articulation {
    let v = Articulation::VOWEL;
    match o {
        Onset::None => v,
        Onset::L => Articulation { level: 0.5, ..v },
        Onset::N | Onset::M => Articulation { level: 0.3, ..v },
        Onset::W | Onset::Y => Articulation { level: 0.6, ..v },
        Onset::H => Articulation {
            voicing: 0.0,
            breath: 0.5,
            ..v
        },
        Onset::Stop if k < CLOSURE_SHARE => Articulation {
            level: CLOSURE_LEVEL,
            voicing: 0.0,
            breath: 0.0,
            frication: 0.0,
        },
        // The release: a burst of noise, then aspiration (breath through the vowel's formants)
        // until the voice starts.
        Onset::Stop if k < CLOSURE_SHARE + BURST_SHARE => Articulation {
            level: 1.0,
            voicing: 0.0,
            breath: 0.0,
            frication: 1.0,
        },
        Onset::Stop => Articulation {
            level: 0.6,
            voicing: 0.0,
            breath: 0.4,
            frication: 0.15,
        },
        // The hiss swells in and out of the constriction; the voice is off throughout.
        Onset::Fricative | Onset::Sh | Onset::F => {
            let swell = (std::f32::consts::PI * k.clamp(0.0, 1.0)).sin().sqrt();
            let strength = match o {
                Onset::Fricative => 0.7,
                Onset::Sh => 0.9,
                _ => 0.6,
            };
            Articulation {
                level: 0.35,
                voicing: 0.0,
                breath: 0.0,
                frication: strength * swell,
            }
        }
    }
}

/// How long each coda lasts at the end of its note, in seconds (sung; speech a little quicker):
/// a final stop's closure and release, a final hiss, a nasal's hum.
pub fn coda_secs(c: Coda) -> f32 {
    match c {
        Coda::None => 0.0,
        Coda::L => 0.06,
        Coda::Nasal => 0.08,
        Coda::Stop => 0.09,
        Coda::Fricative | Coda::Sh => 0.12,
        Coda::F => 0.1,
    }
}

/// Share of a final stop spent closed before its release (the rest is the burst and a puff).
const CODA_CLOSURE_SHARE: f32 = 0.6;
/// Share of a final stop's burst, after the closure: a word-final release is quick.
const CODA_BURST_SHARE: f32 = 0.2;
/// A final stop's burst against an initial one: released, but more weakly than a word's start.
const CODA_BURST: f32 = 0.7;

/// The articulation `k` of the way (0..1) through a coda `c` (the coda ends with its note).
pub fn articulate_coda(c: Coda, k: f32) -> Articulation {
    let v = Articulation::VOWEL;
    match c {
        Coda::None => v,
        Coda::L => Articulation { level: 0.5, ..v },
        Coda::Nasal => Articulation { level: 0.3, ..v },
        Coda::Stop if k < CODA_CLOSURE_SHARE => Articulation {
            level: CLOSURE_LEVEL,
            voicing: 0.0,
            breath: 0.0,
            frication: 0.0,
        },
        Coda::Stop if k < CODA_CLOSURE_SHARE + CODA_BURST_SHARE => Articulation {
            level: 1.0,
            voicing: 0.0,
            breath: 0.0,
            frication: CODA_BURST,
        },
        Coda::Stop => Articulation {
            level: 0.6,
            voicing: 0.0,
            breath: 0.3,
            frication: 0.1,
        },
        Coda::Fricative | Coda::Sh | Coda::F => {
            let swell = (std::f32::consts::PI * k.clamp(0.0, 1.0)).sin().sqrt();
            let strength = match c {
                Coda::Fricative => 0.7,
                Coda::Sh => 0.9,
                _ => 0.6,
            };
            Articulation {
                level: 0.35,
                voicing: 0.0,
                breath: 0.0,
                frication: strength * swell,
            }
        }
    }
}

/// The onset whose noise band a coda shares (an "s" hisses alike at either end of a word).
pub fn coda_hiss(c: Coda) -> Onset {
    match c {
        Coda::Stop => Onset::Stop,
        Coda::Sh => Onset::Sh,
        Coda::F => Onset::F,
        _ => Onset::Fricative,
    }
}

/// Centre (Hz) and Q of the frication noise's band for an onset: "s" 6.5 kHz wide enough to
/// fill 4–9 kHz, "sh" 4.4 kHz, "f" broad. Stops burst broadband around 4.5 kHz.
pub fn hiss_band(o: Onset) -> (f32, f32) {
    match o {
        Onset::Sh => (4400.0, 1.4),
        Onset::F => (5500.0, 0.5),
        Onset::Stop => (4500.0, 0.6),
        _ => (6500.0, 1.3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_closes_then_releases() {
        let closed = articulate(Onset::Stop, 0.2);
        assert_eq!(closed.voicing, 0.0);
        assert!(closed.level < 0.01);
        let burst = articulate(Onset::Stop, 0.6);
        assert!(burst.frication > 0.5);
        // 30–80 ms of closure.
        let closure = CLOSURE_SHARE * onset_secs(Onset::Stop);
        assert!((0.03..=0.08).contains(&closure), "{closure}");
    }

    #[test]
    fn a_final_stop_closes_before_it_releases() {
        let closed = articulate_coda(Coda::Stop, 0.3);
        assert_eq!(closed.voicing, 0.0);
        assert!(closed.level < 0.01);
        let burst = articulate_coda(Coda::Stop, 0.7);
        assert!(burst.frication > 0.5);
        assert!(burst.frication < articulate(Onset::Stop, 0.6).frication);
        for c in [Coda::Fricative, Coda::Sh, Coda::F] {
            assert_eq!(articulate_coda(c, 0.5).voicing, 0.0);
            assert!(c.is_voiceless());
        }
        assert_eq!(articulate_coda(Coda::Nasal, 0.5).voicing, 1.0);
    }

    #[test]
    fn fricatives_hiss_without_voice_for_60_to_150_ms() {
        for o in [Onset::Fricative, Onset::Sh, Onset::F] {
            assert!((0.06..=0.15).contains(&onset_secs(o)));
            let mid = articulate(o, 0.5);
            assert_eq!(mid.voicing, 0.0);
            assert!(mid.frication > 0.2);
        }
        assert!(hiss_band(Onset::Sh).0 < hiss_band(Onset::Fricative).0);
    }
}
