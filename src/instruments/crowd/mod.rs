//! The "crowd" stem: people talking, shouting, chanting and singing along.
//!
//! A fixed pool of [`TALKERS`] near talkers (each a [`voice::Voice`] steered by a
//! [`talker::Talker`] script) over a diffuse [`bed::Bed`] for the rest of the room. Every chunk
//! the layer reads the show's [`Params`] and hands each talker a mode — chat, shout, chant or
//! sing — by a fixed per-talker temperament, so that as the roar rises more and more talkers
//! start shouting, while the mode gains (smoothed per talker) set the level. The same pool
//! does all four jobs, so the cost depends on neither audience size nor moment.
//! The talkers' voices render at half rate into one shared [`lane::VoiceBus`], brought up to
//! the output rate once per chunk (speech has little above 10 kHz; their fricatives stay at
//! the full rate).
//!
//! Level plan (dry, before the venue): a full roar (roar = 1, energy = 1) is about −16 dBFS
//! RMS; pre-show chatter sits about 20 dB under a lights-down roar (−34…−38 dBFS RMS), loud
//! enough to hear as a room full of people; the bed sits ~6 dB under the talkers; a full
//! sing-along stays well under the lead. The room is never silent while people are in it:
//! as the show asks for less chatter (a song, banter, a ballad's hush), fewer people talk and
//! more quietly, down to a few near voices and the far bed about 15 dB under the pre-show.
//!
//! Must not touch: applause and claps (the applause layer locks its chant claps to
//! [`chant::chant_beat_secs`]), one-shot cheers (`instruments::cheers`), the venue.

pub mod bed;
pub mod chant;
pub mod lane;
pub mod talker;
pub mod voice;

use crate::kit::one_pole_coef;
use bed::{Bed, BedControl};
use chant::{chant_beats_at, chant_syllables, pattern_beats};
use lane::VoiceBus;
use talker::{ChantRef, Ctx, SingNote, Talker};
use voice::{AH, SyllableSound, lerp_formants, syllable_sound};

pub use chant::{chant_beat_count, chant_beat_secs};

use super::applause::far_lag_secs;
use crate::conductor::Layer;
use crate::kit::derive_seed;
use crate::kit::{ChunkInfo, Stereo};
use crate::show::{Moment, MomentKind, Params, Show};

/// Near talkers in the pool (all of them shout in a roar; 8–14 of them chat).
pub const TALKERS: usize = 16;

/// Talker gain while chatting (murmur = 1) in a 300-person club.
const MURMUR_GAIN: f32 = 0.2;
/// Chatter level follows the show's murmur as `murmur^MURMUR_CURVE`: a quiet room is a few
/// people talking softly, not the same chatter turned down into silence.
const MURMUR_CURVE: f32 = 0.35;
/// Murmur at and above which every chatting talker talks; below it, fewer do.
const MURMUR_ALL_TALK: f32 = 0.3;
/// Share of the chatting talkers still talking in the quietest room (a hush).
const MURMUR_FEW_TALK: f32 = 0.3;
/// The far room's chatter (the bed) follows the murmur more gently than the near talkers
/// (`murmur^BED_MURMUR_CURVE`), and all of it keeps talking: under a ballad's hush it is the
/// breath of the room between the few near whispers.
const BED_MURMUR_CURVE: f32 = 0.25;
/// Change of the chatter level per decade of audience, dB: a big room's chatter is a little
/// quieter next to its roar.
const MURMUR_DB_PER_DECADE: f32 = -0.5;
/// Talker gain while shouting at roar = 1, energy = 1 (shouted speech has gaps between its
/// syllables and phrases: this keeps its level where the held shouts had it).
const ROAR_GAIN: f32 = 0.75;
/// Talker gain while chanting at chant = 1.
const CHANT_GAIN: f32 = 0.3;
/// Largest share of the near talkers that chant: the others shout and cheer out of step with
/// the chant (a crowd under the chant, not a choir in lock-step).
const CHANT_SHARE_MAX: f32 = 0.6;
/// Talker gain while singing along with everybody singing.
const SING_GAIN: f32 = 0.05;
/// Bed gain per unit of talker gain in chatter (about 6 dB under the talkers).
const BED_MURMUR: f32 = 0.25;
/// Bed gain per unit of roar.
const BED_ROAR: f32 = 0.35;
/// Bed gain per unit of chant.
const BED_CHANT: f32 = 0.3;
/// Spread in time of the far chanters' syllables around the beat, s: the far crowd (the bed)
/// chants early and late like the near talkers, so its syllables arrive as a swell rather than
/// gated in step with the beat grid.
const FAR_CHANT_SMEAR_SECS: f64 = 0.04;

/// The crowd layer (murmur, roar, chants, sing-along).
pub struct CrowdLayer {
    talkers: Vec<Talker>,
    bus: VoiceBus,
    bed: Bed,
    moments: Vec<Moment>,
    moment_seeds: Vec<u64>,
    gap_seed: u64,
    chant_sounds: Vec<Vec<SyllableSound>>,
    sing_fraction: Vec<f32>,
    notes: Vec<SingNote>,
    current: Option<Option<usize>>,
    murmur_scale: f32,
    size_scale: f32,
    roar_bed: f32,
    n_murmur: usize,
    /// Per-chunk coefficient and state of the far chant's envelope (see [`FAR_CHANT_SMEAR_SECS`]).
    far_chant_coef: f32,
    far_chant_env: f32,
}

impl CrowdLayer {
    /// A crowd for `show` (its venue, moments and songs), with randomness from `seed`.
    pub fn new(show: &Show, seed: u64, sample_rate: f64) -> Self {
        let audience = show.venue.audience.max(10);
        let decades = (f64::from(audience) / 300.0).log10() as f32;
        let bus = VoiceBus::new(sample_rate);
        let talkers = (0..TALKERS)
            .map(|i| {
                Talker::new(
                    i,
                    TALKERS,
                    derive_seed(seed, &format!("crowd:talker:{i}")),
                    sample_rate,
                    bus.factor(),
                )
            })
            .collect();
        let chant_sounds = show
            .moments
            .iter()
            .map(|m| {
                if m.kind == MomentKind::Chant {
                    let words = m.words.as_deref().unwrap_or(chant::DEFAULT_WORDS);
                    chant_syllables(words)
                        .iter()
                        .map(|s| syllable_sound(s))
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        let sing_fraction: Vec<f32> = show
            .moments
            .iter()
            .map(|m| match m.song {
                Some(s) if m.kind.is_song() => show.songs[s].sing_along.clamp(0.0, 1.0) as f32,
                _ => 0.0,
            })
            .collect();
        let lead = show.lead_notes();
        // The crowd sings the choruses (the same spans it claps along to), not every verse.
        let choruses: Vec<Vec<(f64, f64)>> = (0..show.moments.len())
            .map(|m| {
                if sing_fraction[m] > 0.0 {
                    show.chorus_spans(m, &lead)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let notes: Vec<SingNote> = lead
            .iter()
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
            .collect();
        CrowdLayer {
            talkers,
            bus,
            bed: Bed::new(audience, derive_seed(seed, "crowd:bed"), sample_rate),
            moment_seeds: show
                .moments
                .iter()
                .map(|m| derive_seed(seed, &format!("crowd:{}", m.id)))
                .collect(),
            gap_seed: derive_seed(seed, "crowd:gap"),
            moments: show.moments.clone(),
            chant_sounds,
            sing_fraction,
            notes,
            current: None,
            murmur_scale: 10f32.powf(MURMUR_DB_PER_DECADE * decades / 20.0),
            // A sing-along gets fuller with more people, but only a little louder.
            size_scale: 10f32.powf(2.0 * decades.clamp(-1.0, 2.5) / 20.0),
            // A bigger crowd's roar is more mass than near voices.
            roar_bed: 10f32.powf(3.0 * decades.clamp(-1.0, 2.5) / 20.0),
            n_murmur: (8.0 + 2.0 * (f64::from(audience) / 50.0).log10())
                .round()
                .clamp(8.0, 14.0) as usize,
            // The far crowd's syllables also travel to the listener from tens of metres away.
            far_chant_coef: {
                let tau = FAR_CHANT_SMEAR_SECS + far_lag_secs(audience);
                let chunk_secs = crate::kit::CHUNK as f64 / sample_rate;
                one_pole_coef(chunk_secs, tau)
            },
            far_chant_env: 0.0,
        }
    }

    fn chant_env(&self, m: usize, t: f64) -> (f32, voice::Formants) {
        let sounds = &self.chant_sounds[m];
        let b = chant_beats_at(&self.moments[m], t);
        if b < 0.0 || sounds.is_empty() {
            return (0.0, AH);
        }
        let n = b.floor() as usize;
        let frac = (b - n as f64) as f32;
        let pos = n % pattern_beats(sounds.len());
        let Some(s) = sounds.get(pos) else {
            return (0.0, AH);
        };
        let att = (frac / 0.08).min(1.0);
        let rel = ((0.75 - frac) / 0.2).clamp(0.0, 1.0);
        (
            att * rel,
            lerp_formants(s.start, s.end, (frac / 0.6).min(1.0)),
        )
    }
}

impl Layer for CrowdLayer {
    fn render(&mut self, info: ChunkInfo, params: &Params, out: &mut Stereo) {
        out.clear();
        let dt = crate::kit::CHUNK as f64 / info.sample_rate;
        let t0 = info.secs();
        if self.current != Some(params.moment) {
            self.current = Some(params.moment);
            let seed = params
                .moment
                .map_or(self.gap_seed, |m| self.moment_seeds[m]);
            for t in &mut self.talkers {
                t.reseed(seed);
            }
        }
        let e = params.energy.clamp(0.0, 1.0);
        let chant = params
            .moment
            .filter(|&m| !self.chant_sounds[m].is_empty() && params.chant > 0.0);
        let sing = params.moment.map_or(0.0, |m| self.sing_fraction[m]) * params.song;
        let lombard = 0.35 + 0.65 * e;
        let (gain_step, pitch_step) = Ctx::smoothing(t0, t0 + dt);
        let murmur = params.murmur.clamp(0.0, 1.0);
        let talking = (murmur / MURMUR_ALL_TALK).clamp(MURMUR_FEW_TALK, 1.0);
        let n_murmur = ((self.n_murmur as f32 * talking).round() as usize).max(1);
        let ctx = Ctx {
            t0,
            t1: t0 + dt,
            energy: e,
            gain_murmur: murmur.powf(MURMUR_CURVE) * MURMUR_GAIN * self.murmur_scale,
            gain_roar: params.roar * ROAR_GAIN * lombard,
            gain_chant: params.chant * CHANT_GAIN * (0.6 + 0.4 * e),
            gain_sing: SING_GAIN * sing.sqrt() * self.size_scale,
            frac_chant: if chant.is_some() {
                (0.4 + params.chant).min(CHANT_SHARE_MAX)
            } else {
                0.0
            },
            frac_sing: if sing > 0.0 {
                (0.3 + sing).min(0.9)
            } else {
                0.0
            },
            frac_roar: (params.roar * 3.0).min(1.0),
            n_murmur,
            chant: chant.map(|m| ChantRef {
                moment: &self.moments[m],
                sounds: &self.chant_sounds[m],
            }),
            notes: if sing > 0.0 { &self.notes } else { &[] },
            gain_step,
            pitch_step,
        };
        let lane = self.bus.lane();
        for t in &mut self.talkers {
            t.render(&ctx, lane, out);
        }
        self.bus.mix_into(out);
        let (chant_env, chant_vowel) = chant.map_or((0.0, AH), |m| self.chant_env(m, t0));
        self.far_chant_env += (chant_env - self.far_chant_env) * self.far_chant_coef;
        let chant_env = self.far_chant_env;
        let bed = BedControl {
            murmur: murmur.powf(BED_MURMUR_CURVE)
                * MURMUR_GAIN
                * self.murmur_scale
                * BED_MURMUR
                * (self.n_murmur as f32 / 10.0),
            roar: ctx.gain_roar * BED_ROAR * self.roar_bed,
            chant: if chant.is_some() {
                ctx.gain_chant * BED_CHANT * self.roar_bed
            } else {
                0.0
            },
            chant_env,
            chant_vowel,
            energy: e,
        };
        self.bed.render_add(t0, dt, &bed, out);
    }
}
