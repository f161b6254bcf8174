//! Where the crowd claps in time: clap-along in songs, claps under chants, and the spontaneous
//! synchronised applause at the end of big moments.
//!
//! The grids themselves live in the kit ([`BeatGrid`]); this module places them in a show.

use super::{Moment, MomentKind, ScoredNote, Show, Song};
pub use crate::kit::{BeatGrid, ClapKind, ClapSection};

impl BeatGrid {
    /// The steady grid of a song's clap-along from `t0` (the start of its moment): its tempo and
    /// bar, clapping the beats listed in `clap_along`.
    pub fn clap_along(t0: f64, song: &Song) -> Self {
        let mask = song
            .clap_along
            .iter()
            .fold(0u16, |acc, b| acc | 1 << ((b - 1) % 16));
        BeatGrid {
            t0,
            bpm: song.bpm,
            accel: 0.0,
            span_secs: 1.0,
            beats_per_bar: song.beats_per_bar,
            mask,
        }
    }
}

/// Tempo increase of a chant over its length: crowds speed up as they get excited.
pub const CHANT_ACCEL: f64 = 0.08;

/// Each chanting clapper's timing around the beat (standard deviation, s). People who are not
/// musicians tap to a beat with a spread of 20–40 ms (Repp 2005, "Sensorimotor
/// synchronization"); a crowd clapping along is hundreds of such hands, not one woodblock.
pub const CHANT_CLAP_SCATTER_SECS: f64 = 0.03;

/// Seconds between a chant moment's start and its first beat.
pub const CHANT_LEAD_IN_SECS: f64 = 0.3;

/// The beat grid of a chant moment: every beat, from the lead-in on, at the moment's tempo
/// rising by [`CHANT_ACCEL`] over the moment. The chanting voices and the clappers both use it.
pub fn chant_grid(moment: &Moment) -> BeatGrid {
    let bpm = if moment.bpm > 1.0 { moment.bpm } else { 120.0 };
    BeatGrid {
        t0: moment.start_secs + CHANT_LEAD_IN_SECS,
        bpm,
        accel: CHANT_ACCEL,
        span_secs: (moment.secs() - CHANT_LEAD_IN_SECS).max(1.0),
        beats_per_bar: 1,
        mask: 1,
    }
}

impl Show {
    /// The choruses of song moment `moment`, as show-time spans: where the crowd claps and
    /// sings along. `notes` is [`Show::lead_notes`] (passed in so callers compute it once).
    /// Empty for moments without a song.
    pub fn chorus_spans(&self, moment: usize, notes: &[ScoredNote]) -> Vec<(f64, f64)> {
        let m = &self.moments[moment];
        let Some(song) = m.song.map(|i| &self.songs[i]) else {
            return Vec::new();
        };
        let bar = song.beat_secs() * f64::from(song.beats_per_bar);
        chorus_spans(notes, moment, bar, m.start_secs, m.end_secs)
    }

    /// Every span of the show where part of the crowd claps in time, in time order.
    pub fn clap_sections(&self) -> Vec<ClapSection> {
        let mut out = Vec::new();
        let notes = self.lead_notes();
        for (mi, m) in self.moments.iter().enumerate() {
            let d = m.secs();
            match m.kind {
                MomentKind::Song | MomentKind::Encore => {
                    let Some(song) = m.song.map(|i| &self.songs[i]) else {
                        continue;
                    };
                    if song.clap_along.is_empty() {
                        continue;
                    }
                    let grid = BeatGrid::clap_along(m.start_secs, song);
                    for (start, end) in self.chorus_spans(mi, &notes) {
                        out.push(along_claps(start, end, m.energy, grid));
                    }
                }
                MomentKind::Chant => out.push(chant_claps(
                    m.start_secs,
                    m.end_secs,
                    m.energy,
                    chant_grid(m),
                )),
                MomentKind::Finale | MomentKind::Applause if m.peak >= 0.9 && d >= 14.0 => {
                    // After the peak of a big ovation the crowd falls into step: about 1.7x the free
                    // clapping period, speeding up while it lasts.
                    let start = m.start_secs + d * 0.3;
                    let end = m.start_secs + d * 0.72;
                    out.push(ClapSection {
                        kind: ClapKind::Sync,
                        start,
                        end,
                        share: 0.6,
                        scatter_secs: 0.03,
                        strength: 0.8,
                        grid: BeatGrid {
                            t0: start,
                            bpm: 126.0,
                            accel: 0.15,
                            span_secs: end - start,
                            beats_per_bar: 1,
                            mask: 1,
                        },
                    });
                }
                _ => {}
            }
        }
        out
    }
}

/// The crowd clapping along from `start` to `end` (show seconds) on `grid`, at a moment's
/// `energy` (0..=1): the more excited, the more people join in.
pub fn along_claps(start: f64, end: f64, energy: f64, grid: BeatGrid) -> ClapSection {
    ClapSection {
        kind: ClapKind::Along,
        start,
        end,
        share: 0.15 + 0.3 * energy,
        scatter_secs: 0.022,
        strength: 0.5,
        grid,
    }
}

/// The hands under a chant from `start` to `end` on the chant's `grid`, at its `energy`.
pub fn chant_claps(start: f64, end: f64, energy: f64, grid: BeatGrid) -> ClapSection {
    ClapSection {
        kind: ClapKind::Chant,
        start,
        end,
        share: 0.6 * energy.max(0.5),
        scatter_secs: CHANT_CLAP_SCATTER_SECS,
        // The voices carry a chant; the claps keep its time several dB under them
        // (louder claps turn it into percussion: "Gunshot", "Hammer").
        strength: 0.22,
        grid,
    }
}

/// Where a song's crowd claps along: its loud (f, ff) passages — the choruses — from a bar
/// before to a bar after, merging passages less than four bars apart. A song without loud
/// passages (or without a melody) gets its middle half.
fn chorus_spans(
    notes: &[ScoredNote],
    moment: usize,
    bar: f64,
    start: f64,
    end: f64,
) -> Vec<(f64, f64)> {
    let mut spans: Vec<(f64, f64)> = Vec::new();
    for n in notes
        .iter()
        .filter(|n| n.moment == moment && n.velocity >= 0.8)
    {
        let (a, b) = ((n.start_secs - bar).max(start), (n.end_secs + bar).min(end));
        match spans.last_mut() {
            Some(last) if a - last.1 < 4.0 * bar => last.1 = last.1.max(b),
            _ => spans.push((a, b)),
        }
    }
    spans.retain(|(a, b)| b - a >= 4.0);
    if spans.is_empty() {
        let d = end - start;
        spans.push((start + d * 0.25, start + d * 0.75));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_grid_round_trips() {
        let g = BeatGrid::steady(10.0, 120.0);
        assert!((g.time_of(4.0) - 12.0).abs() < 1e-9);
        assert!((g.beat_at(12.0) - 4.0).abs() < 1e-9);
        let (n, t) = g.next_clap_after(12.0);
        assert_eq!(n, 5);
        assert!((t - 12.5).abs() < 1e-9);
    }

    #[test]
    fn accelerating_grid_is_consistent_and_speeds_up() {
        let m = crate::show::tests_support::show_with(
            crate::show::VenueKind::Club,
            100,
            &[(MomentKind::Chant, 20.0)],
        )
        .moments[0]
            .clone();
        let g = chant_grid(&m);
        for n in [1.0, 7.0, 30.0] {
            assert!((g.beat_at(g.time_of(n)) - n).abs() < 1e-6);
        }
        assert!(g.beat_secs_at(19.0) < g.beat_secs_at(1.0) * 0.95);
    }

    #[test]
    fn masked_beats_only() {
        // Claps on 2 and 4 of a 4/4 bar: beats 1 and 3 (0-based).
        let g = BeatGrid {
            t0: 0.0,
            bpm: 60.0,
            accel: 0.0,
            span_secs: 1.0,
            beats_per_bar: 4,
            mask: 0b1010,
        };
        assert_eq!(g.next_clap_after(0.0).0, 1);
        assert_eq!(g.next_clap_after(1.0).0, 3);
        assert_eq!(g.next_clap_after(3.5).0, 5);
    }
}
