//! Conducting the crowd: the show's venue, moments and songs become the [`CrowdConfig`] (one
//! [`CrowdSection`] per moment: its chant and its sing-along share; the choruses' lead notes
//! to sing), and each chunk's [`Params`] become a [`CrowdControl`] naming the moment playing
//! as the section, with that moment's seed.
//!
//! Sections are indexed like the show's moments, and their data sits in the config rather
//! than in the control: a control is a small `Copy` value read every chunk, while a chant's
//! syllables and the sung notes are lists built once.

use super::Layer;
use crate::instruments::crowd::chant::{self, ChantClock, chant_syllables};
use crate::instruments::crowd::talker::SingNote;
use crate::instruments::crowd::voice::{SyllableSound, syllable_sound};
use crate::instruments::crowd::{ChantConfig, Crowd, CrowdConfig, CrowdControl, CrowdSection};
use crate::kit::{ChunkInfo, Stereo, derive_seed};
use crate::show::rhythm::chant_grid;
use crate::show::{Moment, MomentKind, Params, Show};

/// The crowd conducted by a show.
#[derive(Clone)]
pub struct CrowdLayer {
    crowd: Crowd,
    /// Gesture seed of each moment, from the show seed and the moment's id (edit-stable).
    moment_seeds: Vec<u64>,
    /// Gesture seed of the gaps between moments.
    gap_seed: u64,
}

/// The clock of chant moment `m`: its beat grid and its end.
pub fn chant_clock(m: &Moment) -> ChantClock {
    ChantClock {
        grid: chant_grid(m),
        end_secs: m.end_secs,
    }
}

/// Show time in seconds of beat `n` (0-based) of chant moment `m`. Claps lock to these.
pub fn chant_beat_secs(m: &Moment, n: usize) -> f64 {
    chant_clock(m).beat_secs(n)
}

/// Number of beats of chant moment `m` that start before it ends.
pub fn chant_beat_count(m: &Moment) -> usize {
    chant_clock(m).beat_count()
}

/// The sounds the crowd chants for `words`, one per syllable (empty when the words have no
/// syllable). The show's chant moments and a live operator's chant both come from here.
pub fn chant_sounds(words: &str) -> Vec<SyllableSound> {
    chant_syllables(words)
        .iter()
        .map(|s| syllable_sound(s))
        .collect()
}

/// The crowd's section for moment `m`: its chant (syllables of its words, or the default
/// words) and the share of the crowd singing along with its song.
fn section(show: &Show, m: &Moment) -> CrowdSection {
    let chant = (m.kind == MomentKind::Chant).then(|| ChantConfig {
        clock: chant_clock(m),
        sounds: chant_sounds(m.words.as_deref().unwrap_or(chant::DEFAULT_WORDS)),
    });
    let sing_along = match m.song {
        Some(s) if m.kind.is_song() => show.songs[s].sing_along.clamp(0.0, 1.0) as f32,
        _ => 0.0,
    };
    CrowdSection { chant, sing_along }
}

/// The lead's notes the crowd sings: those in the choruses (the same spans it claps along to)
/// of songs with a sing-along, not every verse.
fn sing_notes(show: &Show, sections: &[CrowdSection]) -> Vec<SingNote> {
    let lead = show.lead_notes();
    let choruses: Vec<Vec<(f64, f64)>> = (0..show.moments.len())
        .map(|m| {
            if sections[m].sing_along > 0.0 {
                show.chorus_spans(m, &lead)
            } else {
                Vec::new()
            }
        })
        .collect();
    lead.iter()
        .enumerate()
        .filter(|(_, n)| {
            choruses[n.moment]
                .iter()
                .any(|(a, b)| n.start_secs >= *a && n.start_secs < *b)
        })
        .map(|(i, n)| SingNote {
            start: n.start_secs,
            end: n.end_secs,
            midi: f32::from(n.midi),
            velocity: n.velocity,
            legato: lead
                .get(i + 1)
                .is_some_and(|m| m.start_secs - n.end_secs < 0.05),
            sound: syllable_sound(&n.syllable),
        })
        .collect()
}

/// The crowd's configuration for `show`, with randomness from `seed`: one section per moment.
pub fn config(show: &Show, seed: u64) -> CrowdConfig {
    let sections: Vec<CrowdSection> = show.moments.iter().map(|m| section(show, m)).collect();
    CrowdConfig {
        audience: show.venue.audience,
        seed,
        sing_notes: sing_notes(show, &sections),
        sections,
    }
}

impl CrowdLayer {
    /// A crowd for `show` (its venue, moments and songs), with randomness from `seed`.
    pub fn new(show: &Show, seed: u64, sample_rate: f64) -> Self {
        CrowdLayer {
            crowd: Crowd::new(&config(show, seed), sample_rate),
            moment_seeds: show
                .moments
                .iter()
                .map(|m| derive_seed(seed, &format!("crowd:{}", m.id)))
                .collect(),
            gap_seed: derive_seed(seed, "crowd:gap"),
        }
    }

    /// The controls following `params`.
    fn control(&self, params: &Params) -> CrowdControl {
        CrowdControl {
            energy: params.energy,
            murmur: params.murmur,
            roar: params.roar,
            chant: params.chant,
            song: params.song,
            section: params.moment,
            gesture_seed: params
                .moment
                .map_or(self.gap_seed, |m| self.moment_seeds[m]),
            cued_chant: params.cued.chant.map(|c| {
                (
                    ChantClock {
                        grid: c.grid,
                        end_secs: c.end_secs,
                    },
                    c.level,
                )
            }),
        }
    }
}

impl Layer for CrowdLayer {
    fn render(&mut self, info: ChunkInfo, params: &Params, out: &mut Stereo) {
        let ctl = self.control(params);
        self.crowd.render(info, &ctl, out);
    }

    fn swap_cued_sounds(&mut self, sounds: Vec<SyllableSound>) -> Vec<SyllableSound> {
        self.crowd.swap_cued_sounds(sounds)
    }

    fn cued_sounds(&self) -> &[SyllableSound] {
        self.crowd.cued_sounds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chant(bpm: f64, secs: f64) -> Moment {
        Moment {
            id: "chant-1".into(),
            kind: MomentKind::Chant,
            label: "chant".into(),
            start_secs: 10.0,
            end_secs: 10.0 + secs,
            energy: 0.7,
            peak: 0.5,
            song: None,
            words: Some("one more song".into()),
            bpm,
        }
    }

    #[test]
    fn beats_accelerate_and_invert() {
        let m = chant(120.0, 20.0);
        assert!((chant_beat_secs(&m, 0) - 10.3).abs() < 1e-9);
        let first = chant_beat_secs(&m, 1) - chant_beat_secs(&m, 0);
        let n = chant_beat_count(&m);
        let last = chant_beat_secs(&m, n - 1) - chant_beat_secs(&m, n - 2);
        assert!(
            (first - 0.5).abs() < 0.01,
            "starts at the given tempo: {first}"
        );
        assert!(
            last < first * 0.95 && last > first * 0.9,
            "speeds up ~8 %: {first} -> {last}"
        );
        for k in [0, 3, 17, 40] {
            let b = chant_clock(&m).beats_at(chant_beat_secs(&m, k));
            assert!((b - k as f64).abs() < 1e-6, "{k} vs {b}");
        }
        assert!(chant_beat_secs(&m, n - 1) < m.end_secs);
    }
}
