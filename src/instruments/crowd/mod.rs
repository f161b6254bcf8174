//! The "crowd" stem: people talking, shouting, chanting and singing along.
//!
//! A fixed pool of [`TALKERS`] near talkers (each a [`voice::Voice`] steered by a
//! [`talker::Talker`] script) over a diffuse [`bed::Bed`] for the rest of the room. Every chunk
//! the crowd reads its [`CrowdControl`] and hands each talker a mode — chat, shout, chant or
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
//! The crowd knows no show: what stays fixed during a section (a chant's clock and words, the
//! share singing along) is plain data in [`CrowdConfig::sections`], and the control names the
//! section playing; the conductor builds both from a show.
//!
//! Must not touch: applause and claps (the applause layer locks its chant claps to the same
//! beat grid as [`ChantClock`]), one-shot cheers (`instruments::cheers`), the venue.

pub mod bed;
pub mod chant;
pub mod lane;
pub mod talker;
pub mod voice;

use crate::kit::one_pole_coef;
use bed::{Bed, BedControl};
use chant::pattern_beats;
use lane::VoiceBus;
use talker::{ChantRef, Ctx, SingNote, Talker};
use voice::{AH, SyllableSound, lerp_formants};

pub use chant::ChantClock;

use fundsp::prelude32::{An, U3};

use super::applause::far_lag_secs;
use super::node::{Instrument, InstrumentNode};
use crate::kit::derive_seed;
use crate::kit::{ChunkInfo, Stereo};

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
/// Level of a roar that holds its cheers (no chant or sing-along under it) against one of short
/// shouts only: held cheers fill the gaps between syllables, and at the shouts' gain they put
/// the full roar at −14.8 dBFS, peaking at −0.5; at 0.93 it is −15.4 dBFS, peaking at −1.1.
/// (At 0.87, −15.9 dBFS, the roar read *Vehicle* 0.05–0.07 at two lights-downs.)
const ROAR_HELD_LEVEL: f32 = 0.93;
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

/// A chant the crowd shouts: its clock and the sounds of its syllables, in order.
#[derive(Debug, Clone)]
pub struct ChantConfig {
    /// The chant's beats.
    pub clock: ChantClock,
    /// One sound per syllable (see [`chant::chant_syllables`] and [`voice::syllable_sound`]).
    pub sounds: Vec<SyllableSound>,
}

/// What the crowd does in one section of a performance (a moment of a show): the data that
/// stays fixed while it lasts. The control names the section playing.
#[derive(Debug, Clone, Default)]
pub struct CrowdSection {
    /// The chant of this section, if it is one.
    pub chant: Option<ChantConfig>,
    /// Share of the crowd that sings along with the choruses (0..=1).
    pub sing_along: f32,
}

/// What a crowd is built from, once.
#[derive(Debug, Clone, Default)]
pub struct CrowdConfig {
    /// People in the room.
    pub audience: u32,
    /// Seed of the talkers' voices and the bed.
    pub seed: u64,
    /// The sections the control may name ([`CrowdControl::section`]).
    pub sections: Vec<CrowdSection>,
    /// The notes the crowd sings along with (the choruses' lead notes), on the show clock.
    pub sing_notes: Vec<SingNote>,
}

/// What the crowd does now, read at the start of each chunk. Levels are 0..=1.
#[derive(Debug, Clone, Copy, Default)]
pub struct CrowdControl {
    /// Excitement: raises pitch, brightness and effort.
    pub energy: f32,
    /// Chatter.
    pub murmur: f32,
    /// Shouting.
    pub roar: f32,
    /// Chanting (sounds only in a section with a chant).
    pub chant: f32,
    /// The band's song (the crowd sings along in a section with `sing_along`).
    pub song: f32,
    /// The section playing: an index into [`CrowdConfig::sections`], `None` between sections.
    /// A number past the end plays as a section with no chant and no sing-along.
    pub section: Option<usize>,
    /// Seed of the section playing: the talkers take a fresh random stream from it whenever
    /// the section changes.
    pub gesture_seed: u64,
    /// A chant started outside the sections (a live operator's cue): its clock and its level
    /// (0..=1). While its level is above 0 it takes the place of the section's chant, chanting
    /// the sounds last given to [`Crowd::swap_cued_sounds`].
    pub cued_chant: Option<(ChantClock, f32)>,
}

/// The crowd (murmur, roar, chants, sing-along).
#[derive(Clone)]
pub struct Crowd {
    talkers: Vec<Talker>,
    bus: VoiceBus,
    bed: Bed,
    sections: Vec<CrowdSection>,
    notes: Vec<SingNote>,
    /// The syllables of the cued chant ([`CrowdControl::cued_chant`]).
    cued_sounds: Vec<SyllableSound>,
    current: Option<Option<usize>>,
    murmur_scale: f32,
    size_scale: f32,
    roar_bed: f32,
    n_murmur: usize,
    /// Per-chunk coefficient and state of the far chant's envelope (see [`FAR_CHANT_SMEAR_SECS`]).
    far_chant_coef: f32,
    far_chant_env: f32,
}

impl Crowd {
    /// A crowd as `cfg` describes it, at `sample_rate`.
    pub fn new(cfg: &CrowdConfig, sample_rate: f64) -> Self {
        let seed = cfg.seed;
        let audience = cfg.audience.max(10);
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
        Crowd {
            talkers,
            bus,
            bed: Bed::new(audience, derive_seed(seed, "crowd:bed"), sample_rate),
            sections: cfg.sections.clone(),
            notes: cfg.sing_notes.clone(),
            cued_sounds: Vec::new(),
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

    /// Hand the crowd the syllables of a chant started outside its sections (see
    /// [`CrowdControl::cued_chant`]) and get back the ones they replace. A move, not a copy:
    /// nothing is allocated or freed here, so a render thread can call it between chunks and
    /// send the old syllables elsewhere to be dropped.
    pub fn swap_cued_sounds(&mut self, sounds: Vec<SyllableSound>) -> Vec<SyllableSound> {
        std::mem::replace(&mut self.cued_sounds, sounds)
    }

    /// The syllables of the cued chant.
    pub fn cued_sounds(&self) -> &[SyllableSound] {
        &self.cued_sounds
    }

    fn chant_env(chant: &ChantRef, t: f64) -> (f32, voice::Formants) {
        let sounds = chant.sounds;
        let b = chant.clock.beats_at(t);
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

    /// Write the next chunk into `out` (overwriting it), following `params`. Allocates nothing.
    pub fn render(&mut self, info: ChunkInfo, params: &CrowdControl, out: &mut Stereo) {
        out.clear();
        let dt = crate::kit::CHUNK as f64 / info.sample_rate;
        let t0 = info.secs();
        if self.current != Some(params.section) {
            self.current = Some(params.section);
            for t in &mut self.talkers {
                t.reseed(params.gesture_seed);
            }
        }
        let e = params.energy.clamp(0.0, 1.0);
        let section = params.section.and_then(|m| self.sections.get(m));
        let cued = params
            .cued_chant
            .filter(|(_, level)| *level > 0.0 && !self.cued_sounds.is_empty());
        let (chant, chant_level) = match cued {
            Some((clock, level)) => (
                Some(ChantRef {
                    clock,
                    sounds: &self.cued_sounds,
                }),
                params.chant.max(level.min(1.0)),
            ),
            None => (
                section
                    .and_then(|s| s.chant.as_ref())
                    .filter(|c| !c.sounds.is_empty() && params.chant > 0.0)
                    .map(|c| ChantRef {
                        clock: c.clock,
                        sounds: &c.sounds,
                    }),
                params.chant,
            ),
        };
        let sing = section.map_or(0.0, |s| s.sing_along) * params.song;
        let lombard = 0.35 + 0.65 * e;
        let (gain_step, pitch_step) = Ctx::smoothing(t0, t0 + dt);
        let murmur = params.murmur.clamp(0.0, 1.0);
        let talking = (murmur / MURMUR_ALL_TALK).clamp(MURMUR_FEW_TALK, 1.0);
        let n_murmur = ((self.n_murmur as f32 * talking).round() as usize).max(1);
        let frac_chant = if chant.is_some() {
            (0.4 + chant_level).min(CHANT_SHARE_MAX)
        } else {
            0.0
        };
        let frac_sing = if sing > 0.0 {
            (0.3 + sing).min(0.9)
        } else {
            0.0
        };
        let frac_roar = (params.roar * 3.0).min(1.0);
        // Held cheers come when the whole room roars (lights down, a finale), not from the few
        // who shout through a song, nor over a chant or a sing-along (held tones over a chant
        // read as a choir).
        let hold = if frac_chant == 0.0 && frac_sing == 0.0 {
            frac_roar
        } else {
            0.0
        };
        let ctx = Ctx {
            t0,
            t1: t0 + dt,
            energy: e,
            gain_murmur: murmur.powf(MURMUR_CURVE) * MURMUR_GAIN * self.murmur_scale,
            gain_roar: params.roar * ROAR_GAIN * lombard * (1.0 + (ROAR_HELD_LEVEL - 1.0) * hold),
            gain_chant: chant_level * CHANT_GAIN * (0.6 + 0.4 * e),
            gain_sing: SING_GAIN * sing.sqrt() * self.size_scale,
            frac_chant,
            frac_sing,
            frac_roar,
            hold,
            n_murmur,
            chant,
            notes: if sing > 0.0 { &self.notes } else { &[] },
            gain_step,
            pitch_step,
        };
        let lane = self.bus.lane();
        for t in &mut self.talkers {
            t.render(&ctx, lane, out);
        }
        self.bus.mix_into(out);
        let (chant_env, chant_vowel) = chant.map_or((0.0, AH), |c| Self::chant_env(&c, t0));
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

impl Instrument for Crowd {
    type Config = CrowdConfig;
    type Control = CrowdControl;
    type Inputs = U3;
    const ID: u64 = 0x636f_6e63_6372_6f77; // "conccrow"

    fn build(cfg: &CrowdConfig, sample_rate: f64) -> Self {
        Crowd::new(cfg, sample_rate)
    }

    /// Energy, murmur and roar from the node's three inputs; no chant, no song, no section.
    fn control(&self, inputs: &[f32], _info: ChunkInfo) -> CrowdControl {
        CrowdControl {
            energy: inputs[0].clamp(0.0, 1.0),
            murmur: inputs[1].clamp(0.0, 1.0),
            roar: inputs[2].clamp(0.0, 1.0),
            ..CrowdControl::default()
        }
    }

    fn render(&mut self, info: ChunkInfo, ctl: &CrowdControl, out: &mut Stereo) {
        Crowd::render(self, info, ctl, out);
    }
}

/// A crowd as a fundsp node: three inputs, read every [`crate::kit::CHUNK`] frames —
/// excitement (0..=1: pitch, brightness, effort), chatter and shouting (0..=1 each) — and two
/// outputs, left and right. Chants and sing-along need sections and notes in `cfg` and the
/// conductor's controls; the node plays the crowd talking and roaring.
pub fn crowd(cfg: CrowdConfig) -> An<InstrumentNode<Crowd>> {
    An(InstrumentNode::new(cfg))
}
