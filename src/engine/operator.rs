//! The operator's structured cues: a chant started now with given words and tempo, and a
//! clap-along at a tempo, played by the same crowd and applause instruments as the show's own
//! chants and clap-alongs (the words become syllable sounds through the conductor's
//! [`chant_sounds`], the claps are the timeline's [`chant_claps`] and [`along_claps`]
//! sections), laid over whatever the show plays.
//!
//! Two halves, split by thread: [`ChantCue`] is built where allocating is fine (the control
//! thread: it turns the words into sounds), and [`Operator`] is the engine's plain, `Copy`
//! state (clocks, start and stop times) that becomes each chunk's [`Cued`] controls. The
//! engine hands the sounds to the crowd by swapping them with the previous chant's, so nothing
//! is allocated or freed where the engine renders; the old sounds come back to the caller.

use std::ops::RangeInclusive;

use crate::conductor::chant_sounds;
use crate::instruments::crowd::voice::SyllableSound;
use crate::kit::{BeatGrid, ClapSection, Cued, CuedChant};
use crate::show::Params;
use crate::show::rhythm::{CHANT_LEAD_IN_SECS, along_claps, chant_claps};

/// Tempi an operator's chant may take, bpm (those of a show's chant moments).
pub const CHANT_BPM: RangeInclusive<f64> = 60.0..=200.0;
/// Tempi an operator's clap-along may take, bpm (those of a show's songs).
pub const CLAP_BPM: RangeInclusive<f64> = 40.0..=240.0;
/// Beats over which a stopped chant dies away, counted from the next beat: the crowd finishes
/// the word it is on and trails off, rather than stopping mid-syllable.
pub const CHANT_STOP_BEATS: f64 = 2.0;
/// Seconds over which a stopped clap-along thins out (the clap section's own ramp: people give
/// up one by one).
pub const CLAP_STOP_SECS: f64 = 2.0;
/// How far ahead of the chunk a running chant or clap-along says it ends, seconds: always
/// ahead, and finite (a beat grid's arithmetic turns an infinite end into NaN beats).
const OPEN_AHEAD_SECS: f64 = 3600.0;
/// Excitement of the crowd in an operator's chant or clap-along, at least (0..=1): the share
/// who join in follows it, as in the show's own sections, and a cue in a quiet moment still
/// gets the room going.
const MIN_CUED_ENERGY: f64 = 0.7;
/// Chatter under a chant (a show's chant moment has the same): the crowd that chants stops
/// talking.
const CHANT_MURMUR: f32 = 0.1;

/// Why an operator's chant or clap-along cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CueError {
    /// A chant tempo outside [`CHANT_BPM`] (or not a number).
    #[error("chant tempo {0} bpm is out of range — allowed: 60 to 200 bpm")]
    ChantTempo(f64),
    /// A clap-along tempo outside [`CLAP_BPM`] (or not a number).
    #[error("clap-along tempo {0} bpm is out of range — allowed: 40 to 240 bpm (0 stops)")]
    ClapTempo(f64),
    /// Words without a single syllable to chant.
    #[error(
        "chant words \"{0}\" have no syllable to chant (letters or digits, e.g. \"one more song\")"
    )]
    NoSyllables(String),
}

/// A chant ready to start: its words turned into the crowd's syllable sounds, and its tempo.
/// Built off the render thread (it allocates); the engine takes it whole and gives back the
/// one it replaces.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChantCue {
    words: String,
    bpm: f64,
    sounds: Vec<SyllableSound>,
}

impl ChantCue {
    /// The chant of `words` at `bpm` beats per minute.
    pub fn new(words: &str, bpm: f64) -> Result<ChantCue, CueError> {
        if !CHANT_BPM.contains(&bpm) {
            return Err(CueError::ChantTempo(bpm));
        }
        let sounds = chant_sounds(words);
        if sounds.is_empty() {
            return Err(CueError::NoSyllables(words.to_string()));
        }
        Ok(ChantCue {
            words: words.trim().to_string(),
            bpm,
            sounds,
        })
    }

    /// The words chanted.
    pub fn words(&self) -> &str {
        &self.words
    }

    /// The tempo, bpm.
    pub fn bpm(&self) -> f64 {
        self.bpm
    }

    /// Syllables chanted per repetition.
    pub fn syllables(&self) -> usize {
        self.sounds.len()
    }

    /// Swap the words with `words` (a move).
    pub(crate) fn swap_words(&mut self, words: &mut String) {
        std::mem::swap(&mut self.words, words);
    }

    /// Swap the sounds out for `sounds`, returning them (a move).
    pub(crate) fn swap_sounds(&mut self, sounds: Vec<SyllableSound>) -> Vec<SyllableSound> {
        std::mem::replace(&mut self.sounds, sounds)
    }
}

/// Check a clap-along tempo: `Ok(None)` for 0 (stop), `Ok(Some(bpm))` within [`CLAP_BPM`].
pub fn clap_tempo(bpm: f64) -> Result<Option<f64>, CueError> {
    if bpm == 0.0 {
        Ok(None)
    } else if CLAP_BPM.contains(&bpm) {
        Ok(Some(bpm))
    } else {
        Err(CueError::ClapTempo(bpm))
    }
}

/// A running (or dying) operator's chant.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ChantRun {
    grid: BeatGrid,
    claps: ClapSection,
    /// When the operator stopped it and when it falls silent (show seconds).
    stop: Option<(f64, f64)>,
}

/// The engine's state of the operator's chant and clap-along: plain data, in show seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Operator {
    chant: Option<ChantRun>,
    clap: Option<ClapSection>,
}

impl Operator {
    /// Nothing cued: the chunk's controls are the show's alone.
    pub fn is_idle(&self) -> bool {
        self.chant.is_none() && self.clap.is_none()
    }

    /// Whether a chant is sounding and not stopped.
    pub fn chanting(&self) -> bool {
        self.chant.is_some_and(|c| c.stop.is_none())
    }

    /// The clap-along's tempo, while one runs and is not stopped.
    pub fn clapping(&self) -> Option<f64> {
        self.clap
            .filter(|c| c.end.is_infinite())
            .map(|c| c.grid.bpm)
    }

    /// Start a chant at `bpm` at show time `now` (replacing any), with its first beat one
    /// lead-in later as a show's chant has, at the crowd's excitement `energy`.
    pub fn start_chant(&mut self, now: f64, bpm: f64, energy: f64) {
        let grid = BeatGrid::steady(now + CHANT_LEAD_IN_SECS, bpm);
        self.chant = Some(ChantRun {
            grid,
            claps: chant_claps(now, f64::INFINITY, energy.max(MIN_CUED_ENERGY), grid),
            stop: None,
        });
    }

    /// Let the chant die away over [`CHANT_STOP_BEATS`] after the next beat.
    pub fn stop_chant(&mut self, now: f64) {
        if let Some(c) = &mut self.chant
            && c.stop.is_none()
        {
            let next_beat = c.grid.beat_at(now).max(0.0).ceil();
            let silent = c.grid.time_of(next_beat + CHANT_STOP_BEATS);
            c.stop = Some((now, silent));
            c.claps.end = silent;
        }
    }

    /// Start clapping along on every beat at `bpm` from `now` (replacing any clap-along).
    pub fn start_clap(&mut self, now: f64, bpm: f64, energy: f64) {
        let grid = BeatGrid::steady(now, bpm);
        self.clap = Some(along_claps(
            now,
            f64::INFINITY,
            energy.max(MIN_CUED_ENERGY),
            grid,
        ));
    }

    /// Let the clap-along thin out over [`CLAP_STOP_SECS`].
    pub fn stop_clap(&mut self, now: f64) {
        if let Some(c) = &mut self.clap
            && c.end.is_infinite()
        {
            // The section ramps its share out over its last two seconds.
            c.end = now + CLAP_STOP_SECS;
        }
    }

    /// The same cues moved by `secs` of show time (a jump to another part of the show keeps
    /// the chant's and claps' beat where it was in the room).
    pub fn shifted(&self, secs: f64) -> Operator {
        let grid = |g: BeatGrid| BeatGrid {
            t0: g.t0 + secs,
            ..g
        };
        let claps = |c: ClapSection| ClapSection {
            start: c.start + secs,
            end: c.end + secs,
            grid: grid(c.grid),
            ..c
        };
        Operator {
            chant: self.chant.map(|c| ChantRun {
                grid: grid(c.grid),
                claps: claps(c.claps),
                stop: c.stop.map(|(a, b)| (a + secs, b + secs)),
            }),
            clap: self.clap.map(claps),
        }
    }

    /// Lay the cued sections of the chunk starting at show time `t` over the show's `params`
    /// (those that have ended are forgotten): a chanting crowd is excited and stops talking, as
    /// in a show's chant moment, in proportion to the chant's level.
    pub fn apply(&mut self, t: f64, params: &mut Params) {
        let cued = self.at(t);
        if let Some(c) = cued.chant {
            let l = c.level;
            params.energy = params.energy.max(MIN_CUED_ENERGY as f32 * l);
            params.murmur += (params.murmur.min(CHANT_MURMUR) - params.murmur) * l;
        }
        params.cued = cued;
    }

    /// The cued sections of the chunk starting at show time `t`; those that have ended are
    /// forgotten.
    pub fn at(&mut self, t: f64) -> Cued {
        if self
            .chant
            .is_some_and(|c| c.stop.is_some_and(|(_, end)| t >= end))
        {
            self.chant = None;
        }
        if self.clap.is_some_and(|c| t >= c.end) {
            self.clap = None;
        }
        let open = |end: f64| end.min(t + OPEN_AHEAD_SECS);
        let chant = self.chant.map(|c| CuedChant {
            grid: c.grid,
            end_secs: c.stop.map_or(t + OPEN_AHEAD_SECS, |(_, end)| end),
            level: match c.stop {
                None => 1.0,
                Some((from, end)) => ((end - t) / (end - from)).clamp(0.0, 1.0) as f32,
            },
        });
        Cued {
            chant,
            claps: self
                .clap
                .or(self.chant.map(|c| c.claps))
                .map(|c| ClapSection {
                    end: open(c.end),
                    ..c
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tempi_and_words_are_checked() {
        assert!(ChantCue::new("one more song", 100.0).is_ok());
        for bpm in [0.0, -100.0, f64::NAN, 10_000.0, 59.9, 200.1] {
            assert!(
                matches!(
                    ChantCue::new("one more song", bpm),
                    Err(CueError::ChantTempo(_))
                ),
                "{bpm}"
            );
        }
        assert_eq!(
            ChantCue::new(" !? ", 100.0),
            Err(CueError::NoSyllables(" !? ".into()))
        );
        let c = ChantCue::new("E-cho Fade!", 120.0).unwrap();
        assert_eq!(
            (c.words(), c.syllables(), c.bpm()),
            ("E-cho Fade!", 3, 120.0)
        );
        assert_eq!(clap_tempo(0.0), Ok(None));
        assert_eq!(clap_tempo(120.0), Ok(Some(120.0)));
        for bpm in [-1.0, f64::NAN, 10_000.0, 39.0, f64::INFINITY] {
            assert!(clap_tempo(bpm).is_err(), "{bpm}");
        }
    }

    #[test]
    fn a_stopped_chant_dies_away_over_two_beats_after_the_next() {
        let mut op = Operator::default();
        assert!(op.is_idle());
        op.start_chant(10.0, 100.0, 0.2);
        let cued = op.at(10.0);
        let chant = cued.chant.unwrap();
        assert_eq!(chant.grid.t0, 10.3);
        assert_eq!(chant.level, 1.0);
        assert_eq!(
            cued.claps.unwrap().grid,
            chant.grid,
            "the hands clap its beats"
        );
        op.stop_chant(11.0);
        // Beat 1 is at 10.9, beat 2 at 11.5: silent at beat 4, 12.7 s.
        let dying = op.at(11.6).chant.unwrap();
        assert!((dying.end_secs - 12.7).abs() < 1e-9, "{}", dying.end_secs);
        assert!(dying.level > 0.0 && dying.level < 1.0);
        assert!(!op.chanting() && !op.is_idle());
        assert_eq!(op.at(12.71), Cued::default());
        assert!(op.is_idle());
    }

    #[test]
    fn a_clap_along_takes_the_place_of_the_chants_claps_and_thins_out() {
        let mut op = Operator::default();
        op.start_chant(0.0, 100.0, 0.9);
        op.start_clap(1.0, 120.0, 0.9);
        assert_eq!(op.clapping(), Some(120.0));
        let claps = op.at(2.0).claps.unwrap();
        assert_eq!(claps.kind, crate::kit::ClapKind::Along);
        assert_eq!(claps.grid.bpm, 120.0);
        op.stop_clap(5.0);
        assert_eq!(op.clapping(), None);
        assert!(op.at(6.9).claps.unwrap().share_at(6.9) > 0.0);
        assert_eq!(
            op.at(7.0).claps.unwrap().kind,
            crate::kit::ClapKind::Chant,
            "back to the chant's claps"
        );
    }

    #[test]
    fn shifting_moves_every_time() {
        let mut op = Operator::default();
        op.start_chant(10.0, 100.0, 0.5);
        op.stop_chant(11.0);
        op.start_clap(10.0, 90.0, 0.5);
        let moved = op.shifted(-5.0);
        let (a, b) = (op.clone().at(11.2), moved.clone().at(6.2));
        assert_eq!(a.chant.unwrap().level, b.chant.unwrap().level);
        assert_eq!(a.chant.unwrap().grid.t0 - 5.0, b.chant.unwrap().grid.t0);
        assert_eq!(a.claps.unwrap().start - 5.0, b.claps.unwrap().start);
    }
}

/// The operator's cues on a bare engine: rendered to buffers, no device.
#[cfg(test)]
mod engine_tests {
    use super::super::{Engine, LAYERS, StemRoom};
    use super::*;
    use crate::show::tests_support::show_with;
    use crate::show::{MomentKind, VenueKind};

    const SR: u32 = 24_000;

    /// `secs` of the mix and the dry stems, in `STEMS` order.
    fn render(e: &mut Engine, secs: f64) -> (Vec<f32>, [Vec<f32>; LAYERS]) {
        let n = 2 * (secs * f64::from(SR)) as usize;
        let mut mix = vec![0.0; n];
        let mut stems: [Vec<f32>; LAYERS] = std::array::from_fn(|_| vec![0.0; n]);
        for (k, block) in (0..n).step_by(2 * 500).enumerate() {
            let end = (block + 1000).min(n);
            let _ = k;
            let mut parts = stems.each_mut().map(|s| &mut s[block..end]);
            e.render_block_with_stems(&mut mix[block..end], &mut parts);
        }
        (mix, stems)
    }

    /// Envelope of the left channel in 10 ms frames.
    fn envelope(x: &[f32]) -> Vec<f64> {
        let hop = SR as usize / 100;
        x.chunks_exact(2)
            .map(|f| f64::from(f[0]))
            .collect::<Vec<_>>()
            .chunks(hop)
            .map(|c| (c.iter().map(|v| v * v).sum::<f64>() / c.len() as f64).sqrt())
            .collect()
    }

    /// The strongest period of the envelope between 0.35 and 1 s (seconds), refined as a
    /// quarter of the strongest lag near four periods, and its normalised autocorrelation.
    fn beat_period(x: &[f32]) -> (f64, f64) {
        let env = envelope(x);
        let mean = env.iter().sum::<f64>() / env.len() as f64;
        let d: Vec<f64> = env.iter().map(|v| v - mean).collect();
        let var: f64 = d.iter().map(|v| v * v).sum();
        let best = |lags: std::ops::RangeInclusive<usize>| {
            lags.map(|lag| {
                let r: f64 = d.iter().zip(&d[lag..]).map(|(a, b)| a * b).sum();
                (lag, r / var)
            })
            .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a })
        };
        let (lag, r) = best(35..=100);
        let (four, _) = best(4 * lag - 10..=4 * lag + 10);
        (four as f64 / 400.0, r)
    }

    #[test]
    fn a_cued_chant_chants_its_words_on_its_beat_then_dies_away() {
        let show = show_with(VenueKind::Club, 400, &[(MomentKind::Murmur, 30.0)]);
        let mut plain = Engine::with_stem_room(&show, 3, SR, StemRoom::Dry);
        let (_, plain_stems) = render(&mut plain, 20.0);
        let mut e = Engine::with_stem_room(&show, 3, SR, StemRoom::Dry);
        let (before, _) = render(&mut e, 2.0);
        let old = e.start_chant(ChantCue::new("one more song", 100.0).unwrap());
        assert_eq!(
            (old.words(), old.syllables()),
            ("", 0),
            "nothing was chanting"
        );
        assert_eq!(e.chanting(), Some("one more song"));
        let (_, chanting) = render(&mut e, 10.0);
        e.stop_chant();
        assert_eq!(e.chanting(), None);
        let (_, after) = render(&mut e, 8.0);
        assert!(e.operator.is_idle(), "the chant is over");
        let mut again = Engine::with_stem_room(&show, 3, SR, StemRoom::Dry);
        assert_eq!(
            render(&mut again, 2.0).0,
            before,
            "nothing changes before the cue"
        );

        let crowd = |x: &[f32], a: f64, b: f64| {
            x[2 * (a * 24_000.0) as usize..2 * (b * 24_000.0) as usize].to_vec()
        };
        let (period, r) = beat_period(&crowd(&chanting[0], 2.0, 10.0));
        let (_, r_plain) = beat_period(&crowd(&plain_stems[0], 4.0, 12.0));
        let (_, r_after) = beat_period(&crowd(&after[0], 3.0, 8.0));
        eprintln!(
            "chant period {period:.2} s (r {r:.2}); plain r {r_plain:.2}; after the stop r {r_after:.2}"
        );
        assert!((period - 0.6).abs() <= 0.03, "chant beats every {period} s");
        assert!(r > 0.3 && r > 1.5 * r_plain && r > 1.5 * r_after);
        // The hands clap the chant's beats on the applause stem, where the plain show has none.
        let claps = |x: &[f32]| x.iter().map(|v| v.abs()).fold(0.0f32, f32::max);
        assert_eq!(claps(&crowd(&plain_stems[1], 4.0, 12.0)), 0.0);
        let (clap_period, _) = beat_period(&crowd(&chanting[1], 3.0, 10.0));
        assert!(
            (clap_period - 0.6).abs() <= 0.03,
            "claps every {clap_period} s"
        );
    }

    #[test]
    fn a_cued_clap_along_claps_at_its_tempo_until_stopped() {
        let show = show_with(VenueKind::Theatre, 1200, &[(MomentKind::Banter, 30.0)]);
        let mut e = Engine::with_stem_room(&show, 5, SR, StemRoom::Dry);
        let _ = render(&mut e, 1.0);
        e.start_clap(120.0);
        assert_eq!(e.clapping(), Some(120.0));
        let (_, clapping) = render(&mut e, 8.0);
        e.stop_clap();
        let (_, after) = render(&mut e, 4.0);
        let span = |x: &[f32], a: f64, b: f64| {
            x[2 * (a * 24_000.0) as usize..2 * (b * 24_000.0) as usize].to_vec()
        };
        let (period, r) = beat_period(&span(&clapping[1], 2.5, 8.0));
        eprintln!("claps every {period:.3} s (r {r:.2})");
        assert!(
            (period - 0.5).abs() <= 0.025 && r > 0.3,
            "{period} s, r {r}"
        );
        assert!(
            span(&after[1], 2.1, 4.0).iter().all(|v| v.abs() < 1e-3),
            "the hands have stopped two seconds after the stop"
        );
        assert!(e.operator.is_idle());
    }

    #[test]
    fn a_chants_sounds_are_made_again_from_its_words() {
        // What a jump relies on: the new engine makes the sounds from the words it keeps.
        let cue = ChantCue::new("  we want   more ", 90.0).unwrap();
        assert_eq!(cue.sounds, chant_sounds(cue.words()));
    }

    #[test]
    fn a_jump_carries_the_chant_and_clap_along_on_the_same_beat() {
        let show = show_with(VenueKind::Club, 400, &[(MomentKind::Murmur, 40.0)]);
        let mut e = Engine::new(&show, 3, SR);
        e.skip(u64::from(SR));
        e.start_chant(ChantCue::new("we want more", 90.0).unwrap());
        e.start_clap(100.0);
        e.skip(3 * u64::from(SR));
        let before = e.operator.at(e.next_secs());
        e.seek(20 * u64::from(SR));
        assert_eq!(e.chanting(), Some("we want more"));
        assert_eq!(e.clapping(), Some(100.0));
        assert_eq!(e.chant_syllables(), 3);
        let after = e.operator.at(e.next_secs());
        let phase = |c: Cued, t: f64| c.chant.unwrap().grid.beat_at(t).fract();
        let (b, a) = (phase(before, 4.0), phase(after, 20.0));
        assert!((b - a).abs() < 0.02, "same beat phase: {b} vs {a}");
        let (_, stems) = {
            let mut dry = Engine::with_stem_room(&show, 3, SR, StemRoom::Dry);
            dry.start_chant(ChantCue::new("we want more", 90.0).unwrap());
            dry.seek(20 * u64::from(SR));
            render(&mut dry, 8.0)
        };
        let (period, _) = beat_period(&stems[0][2 * SR as usize..]);
        assert!(
            (period - 60.0 / 90.0).abs() <= 0.03,
            "chanting after the jump: {period}"
        );
    }
}
