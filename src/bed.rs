//! Beds: N seconds of one crowd texture (murmur, roar, applause, cheers, a chant, a clap-along)
//! without a show file, optionally as a seamless loop.
//!
//! Instruments are still driven by a [`Show`], so a bed is a small show built in code through
//! the validated path ([`ShowSpec::build`]): one moment of the right kind, long enough that the
//! stretch the bed takes from it lies inside its steady part, well after its onset (the engine
//! runs silently through a pre-roll, so the bed starts in the texture, not at its first claps).
//! Which moment and how long is decided here, with the reasons beside each choice; the engine,
//! the instruments and the show format are untouched.
//!
//! A loop is made the standard way for noise-like textures, an equal-power cross-fade (crowd
//! textures a few seconds apart are uncorrelated, so their powers add and the level holds):
//! the engine starts [`CROSSFADE_SECS`] before the bed, those seconds (the head) are held, and
//! the bed's last [`CROSSFADE_SECS`] fade out while the head fades in. The file therefore ends
//! on what the engine played just before its first sample, and repeats without a seam. With a
//! beat (chant, clap-along) the loop is a whole number of chant repetitions or bars, so the
//! faded-in head is on the same beat as what it replaces and the grid runs on across the seam.
//!
//! Memory: only the head ([`CROSSFADE_SECS`] of stereo samples) is held; the rest streams.
//! Determinism: the engine is block-size independent and every choice here is a pure function
//! of the [`BedSpec`], so the same spec, seed and sample rate give the same bytes.
//!
//! Must not touch: DSP, the show's curves, argument parsing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::Engine;
use crate::instruments::crowd::chant::{chant_syllables, pattern_beats};
use crate::output::wav::{Bext, SampleFormat, WavMeta, max_frames};
use crate::preset::time::format_clock;
use crate::preset::{MomentSpec, PresetError, ShowSpec, SongSpec, VenueSpec};
use crate::render::{Landing, RenderError, RenderOptions, Target, open_outputs};
use crate::show::rhythm::{BeatGrid, chant_grid};
use crate::show::{Listener, MomentKind, Show, VenueKind};

/// Length of the loop's cross-fade: long enough that the fade is heard as the texture going on
/// (a few syllables, a dozen claps each), short enough that 3-second loops stay possible.
pub const CROSSFADE_SECS: f64 = 1.5;

/// A loop shorter than this cannot hold its cross-fade and still have a stretch of its own.
pub const MIN_LOOP_SECS: f64 = 2.0 * CROSSFADE_SECS;

/// Longest bed: an hour.
pub const MAX_SECS: f64 = 3600.0;

/// Seconds the engine runs before the bed (or its loop head) begins: applause reaches full
/// strength within 1.5 s, a roar rises over 2.5 s, and the room's tail needs about as long
/// again to fill.
const PREROLL_SECS: f64 = 5.0;

/// Length of the sustained moments (applause, lights-down, finale, chant, murmur): the longest
/// a moment may last. The applause envelope holds within 1 % up to 30 % of its moment and its
/// shouts fade with a time constant of 45 % of it; a chant speeds up by 8 % over its moment.
/// Stretched to two hours, a 10-minute bed keeps its clapping within 0.1 dB and its chant within
/// 0.7 % of its tempo; the applause's shouts thin by 17 % (measured: every kind's level stays
/// within ±0.6 dB over 5 minutes, in 10 s windows).
const SUSTAINED_SECS: f64 = 7200.0;

/// A song claps along in its middle half (without a melody, that is its chorus), ramping in
/// over 2 s; the bed keeps this far inside that half.
const CLAP_MARGIN_SECS: f64 = 3.0;

/// A song's end (its last 10 s bring cheering) and longest length.
const SONG_END_SECS: f64 = 10.0;
const MAX_SONG_SECS: f64 = 3600.0;

/// Default tempo of a clap-along bed (a song's default).
pub const DEFAULT_CLAP_BPM: f64 = 120.0;

/// What a bed sounds like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BedKind {
    /// Pre-show chatter: talkers over a quiet bed.
    Murmur,
    /// A shouting crowd (the lights going down), with cheers, whistles and some applause.
    Roar,
    /// Sustained applause with the cheers and whistles that ride on it.
    Applause,
    /// A cheering ovation: cheers, whistles and screams over roar and applause at full peak.
    Cheers,
    /// A crowd chanting words on a beat, with claps on the beat under the voices.
    Chant,
    /// A crowd clapping along on beats 2 and 4 of a 4/4 bar.
    ClapAlong,
}

impl BedKind {
    /// Every kind with its name on the command line.
    pub const ALL: [(BedKind, &'static str); 6] = [
        (BedKind::Murmur, "murmur"),
        (BedKind::Roar, "roar"),
        (BedKind::Applause, "applause"),
        (BedKind::Cheers, "cheers"),
        (BedKind::Chant, "chant"),
        (BedKind::ClapAlong, "clap-along"),
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        BedKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }
}

/// A bed as asked for, before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct BedSpec {
    /// Texture.
    pub kind: BedKind,
    /// Length in seconds (rounded to whole bars or chant repetitions when a beat loops).
    pub secs: f64,
    /// Make the end flow into the start.
    pub looped: bool,
    /// Kind of room.
    pub venue: VenueKind,
    /// People (default: the room's typical audience).
    pub audience: Option<u32>,
    /// Where the listener stands.
    pub listener: Listener,
    /// Chant words (chant only).
    pub words: Option<String>,
    /// Tempo (chant and clap-along only).
    pub bpm: Option<f64>,
}

/// Why a bed cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BedError {
    /// `--secs` out of range.
    #[error("--secs {0} is out of range — allowed: more than 0 up to {MAX_SECS} s (an hour)")]
    Secs(String),
    /// A loop too short for its cross-fade.
    #[error(
        "--secs {secs} is too short for --loop — allowed: at least {MIN_LOOP_SECS} s (the loop cross-fades {CROSSFADE_SECS} s of its end into its start)"
    )]
    LoopTooShort {
        /// The length asked for.
        secs: String,
    },
    /// A flag the kind has no use for.
    #[error("{flag} is not used by {kind} beds — only {only} beds take it")]
    Ignored {
        /// The flag.
        flag: &'static str,
        /// The bed's kind.
        kind: &'static str,
        /// The kinds that take it.
        only: &'static str,
    },
    /// A clap-along bed longer than a song can clap.
    #[error(
        "--secs {secs} is too long for a clap-along bed — allowed: up to {max} s (the crowd claps along in the middle half of a song, and a song lasts at most an hour)"
    )]
    ClapAlongTooLong {
        /// The length asked for.
        secs: String,
        /// The longest that fits.
        max: String,
    },
    /// A value the show format refuses, named by its flag.
    #[error("{flag}: {message}")]
    Invalid {
        /// The flag the value came from.
        flag: String,
        /// What the show format says about it (the value and what is allowed).
        message: String,
    },
}

/// A bed resolved into a show and the stretch of it to render.
#[derive(Debug, Clone)]
pub struct Bed {
    /// The show the engine plays.
    pub show: Show,
    /// The kind it was made for.
    pub kind: BedKind,
    /// Show time where the bed's first sample lies.
    pub begin_secs: f64,
    /// Show time where it ends (exclusive).
    pub end_secs: f64,
    /// Whether it loops.
    pub looped: bool,
    /// The beat, for kinds that have one: (beats in the bed, beats per repetition or bar, bpm).
    pub beats: Option<Beats>,
}

/// The beat a bed keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beats {
    /// Whole beats in the bed (a whole number of `group`s when it loops).
    pub count: f64,
    /// Beats in one chant repetition or bar.
    pub group: u32,
    /// Tempo at the bed's start.
    pub bpm: f64,
}

impl BedSpec {
    /// Checks the spec and builds the bed's show through the show format's own validation, so
    /// audience, tempo and words get the same limits as a show file (named by their flags).
    pub fn build(&self) -> Result<Bed, BedError> {
        if !(self.secs.is_finite() && self.secs > 0.0 && self.secs <= MAX_SECS) {
            return Err(BedError::Secs(shown_secs(self.secs)));
        }
        if self.looped && self.secs < MIN_LOOP_SECS {
            return Err(BedError::LoopTooShort {
                secs: shown_secs(self.secs),
            });
        }
        let kind = self.kind.name();
        if self.words.is_some() && self.kind != BedKind::Chant {
            return Err(BedError::Ignored {
                flag: "--words",
                kind,
                only: "chant",
            });
        }
        if self.bpm.is_some() && !matches!(self.kind, BedKind::Chant | BedKind::ClapAlong) {
            return Err(BedError::Ignored {
                flag: "--bpm",
                kind,
                only: "chant and clap-along",
            });
        }
        let mut spec = ShowSpec {
            title: format!("{} bed", kind),
            venue: VenueSpec {
                kind: self.venue,
                audience: self.audience,
                listener: self.listener,
                reverb_secs: None,
            },
            ..ShowSpec::default()
        };
        let sustained = |m: MomentKind| MomentSpec::new(m).secs(SUSTAINED_SECS);
        match self.kind {
            BedKind::Murmur => spec.timeline.push(sustained(MomentKind::Murmur)),
            // Lights-down is the show's roar: it holds for its whole length.
            BedKind::Roar => spec.timeline.push(sustained(MomentKind::LightsDown)),
            BedKind::Applause => spec.timeline.push(sustained(MomentKind::Applause)),
            // The finale carries the most cheers, whistles and screams of any moment, held for
            // 35 % of its length (no moment has cheering without claps and shouts under it).
            BedKind::Cheers => spec.timeline.push(sustained(MomentKind::Finale)),
            BedKind::Chant => {
                let mut m = sustained(MomentKind::Chant);
                m.words = self.words.clone();
                m.bpm = self.bpm;
                spec.timeline.push(m);
            }
            BedKind::ClapAlong => {
                let secs = self.clap_song_secs()?;
                spec.songs.push(SongSpec {
                    title: "Clap along".into(),
                    bpm: self.bpm.unwrap_or(DEFAULT_CLAP_BPM),
                    clap_along: vec![2, 4],
                    secs: Some(secs),
                    ..SongSpec::default()
                });
                spec.timeline.push(MomentSpec::song("Clap along"));
            }
        }
        let show = spec.build().map_err(flag_error)?;
        self.place(show)
    }

    /// The song a clap-along bed comes from: its middle half must hold the bed, the loop's
    /// head and a bar of rounding, with margins for the claps to ramp in and out.
    fn clap_song_secs(&self) -> Result<f64, BedError> {
        let bpm = self.bpm.unwrap_or(DEFAULT_CLAP_BPM).max(1.0);
        let bar = 4.0 * 60.0 / bpm;
        let extra = CROSSFADE_SECS + 2.0 * CLAP_MARGIN_SECS + 2.0 * bar;
        let secs = (2.0 * (self.secs + extra)).max(4.0 * SONG_END_SECS);
        if secs > MAX_SONG_SECS {
            return Err(BedError::ClapAlongTooLong {
                secs: shown_secs(self.secs),
                max: format!("{:.0}", (MAX_SONG_SECS / 2.0 - extra).floor()),
            });
        }
        Ok(secs.ceil())
    }

    /// Where in `show` the bed lies, and how long it is once a looping beat is rounded.
    fn place(&self, show: Show) -> Result<Bed, BedError> {
        let m = &show.moments[0];
        let head = if self.looped { CROSSFADE_SECS } else { 0.0 };
        let (grid, group) = match self.kind {
            BedKind::Chant => {
                let words = m
                    .words
                    .as_deref()
                    .unwrap_or(crate::preset::DEFAULT_CHANT_WORDS);
                (
                    Some(chant_grid(m)),
                    pattern_beats(chant_syllables(words).len()) as u32,
                )
            }
            BedKind::ClapAlong => {
                let song = &show.songs[0];
                (
                    Some(BeatGrid::clap_along(m.start_secs, song)),
                    song.beats_per_bar,
                )
            }
            _ => (None, 1),
        };
        // The earliest the loop head (or the bed) may start.
        let earliest = match self.kind {
            BedKind::ClapAlong => m.start_secs + 0.25 * m.secs() + CLAP_MARGIN_SECS,
            _ => m.start_secs + PREROLL_SECS,
        } + head;
        let (begin, end, beats) = match grid {
            None => (earliest, earliest + self.secs, None),
            Some(g) => {
                // Start on the first beat of a repetition (a bar), so the bed opens on it.
                let group_f = f64::from(group);
                let n0 = (g.beat_at(earliest) / group_f).ceil() * group_f;
                let begin = g.time_of(n0);
                let asked = g.beat_at(begin + self.secs) - n0;
                let count = if self.looped {
                    (asked / group_f).round().max(1.0) * group_f
                } else {
                    asked
                };
                let end = if self.looped {
                    g.time_of(n0 + count)
                } else {
                    begin + self.secs
                };
                let bpm = 60.0 / g.beat_secs_at(begin);
                (begin, end, Some(Beats { count, group, bpm }))
            }
        };
        if self.looped && end - begin < MIN_LOOP_SECS {
            return Err(BedError::LoopTooShort {
                secs: shown_secs(end - begin),
            });
        }
        Ok(Bed {
            kind: self.kind,
            begin_secs: begin,
            end_secs: end,
            looped: self.looped,
            beats,
            show,
        })
    }
}

/// Seconds as the user would write them.
fn shown_secs(secs: f64) -> String {
    let s = format!("{secs:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A show-format error about the bed's show, named by the flag the value came from.
fn flag_error(e: PresetError) -> BedError {
    match e {
        PresetError::Invalid(d) => {
            let flag = match d.key.rsplit('.').next().unwrap_or("") {
                "audience" => "--audience",
                "bpm" => "--bpm",
                "words" => "--words",
                _ => "",
            };
            let flag = if flag.is_empty() {
                d.key.clone()
            } else {
                flag.to_string()
            };
            BedError::Invalid {
                flag,
                message: d.message,
            }
        }
        other => BedError::Invalid {
            flag: "bed".into(),
            message: other.to_string(),
        },
    }
}

/// The frames a bed covers at one sample rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frames {
    /// Engine frame where rendering starts (the loop head, or the bed's first frame).
    pub first: u64,
    /// Frames in the file.
    pub len: u64,
    /// Frames of cross-fade (0 without a loop); the engine renders `len + fade`.
    pub fade: u64,
}

impl Bed {
    /// The bed's length in seconds.
    pub fn secs(&self) -> f64 {
        self.end_secs - self.begin_secs
    }

    /// The frames to render at `sample_rate`. Begin and end are rounded to frames separately,
    /// so a looped beat stays on the grid to within half a sample.
    pub fn frames(&self, sample_rate: u32) -> Frames {
        let sr = f64::from(sample_rate);
        let begin = (self.begin_secs * sr).round() as u64;
        let end = (self.end_secs * sr).round() as u64;
        let fade = if self.looped {
            (CROSSFADE_SECS * sr).round() as u64
        } else {
            0
        };
        Frames {
            first: begin - fade,
            len: end - begin,
            fade,
        }
    }
}

/// How a bed is written.
#[derive(Debug, Clone)]
pub struct BedOptions {
    /// Seed for every random choice.
    pub seed: u64,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Sample format.
    pub format: SampleFormat,
}

/// What a written bed holds.
#[derive(Debug, Clone)]
pub struct BedReport {
    /// The file (`-` for standard output).
    pub path: PathBuf,
    /// Frames written.
    pub frames: u64,
    /// Largest absolute sample.
    pub peak: f32,
    /// Samples clamped to full scale (integer formats).
    pub clipped: u64,
}

/// Frames per block from the engine.
const BLOCK_FRAMES: usize = 1024;

/// Render `bed` into `path` (`.wav`, `.flac` or `-`), through the same destinations and
/// encoders as `render`, with its errors (a destination refused before rendering, a signal
/// leaving no partial file). `cancel` is polled between blocks.
pub fn render_bed(
    bed: &Bed,
    opts: &BedOptions,
    path: &Path,
    cancel: &AtomicBool,
) -> Result<BedReport, RenderError> {
    let f = bed.frames(opts.sample_rate);
    let meta = WavMeta {
        markers: Vec::new(),
        bext: Bext {
            description: format!("{} (seed {})", bed.show.title, opts.seed),
            originator: "concert".to_string(),
            originator_reference: format!("concert {}", env!("CARGO_PKG_VERSION")),
            time_reference: 0,
        },
    };
    let max = max_frames(opts.format, 2, meta.chunks().len() as u64);
    let sr = f64::from(opts.sample_rate);
    if f.len > max {
        return Err(RenderError::TooLong {
            secs: format_clock(f.len as f64 / sr),
            rate: opts.sample_rate,
            format: match opts.format {
                SampleFormat::S16 => "s16",
                SampleFormat::S24 => "s24",
                SampleFormat::F32 => "f32",
            },
            max: format_clock(max as f64 / sr),
            advice: "use a shorter --secs, a lower --sample-rate or a smaller --format".into(),
        });
    }
    let ropts = RenderOptions {
        format: opts.format,
        sample_rate: opts.sample_rate,
        ..RenderOptions::for_show(&bed.show)
    };
    let (landing, mut outs) =
        open_outputs(&Target::File(path.to_path_buf()), &ropts, (0, f.len), &meta)?;
    let out = outs.remove(0);
    let mut sink = out.sink;
    let mut engine = Engine::new(&bed.show, opts.seed, opts.sample_rate);
    let mut skipped = 0;
    while skipped < f.first {
        check(cancel)?;
        let n = (f.first - skipped).min(48_000);
        engine.skip(n);
        skipped += n;
    }
    let fade = f.fade as usize;
    // The loop head: what the engine plays just before the bed, faded into its end.
    let mut head = vec![0.0f32; 2 * fade];
    for chunk in head.chunks_mut(2 * BLOCK_FRAMES) {
        check(cancel)?;
        engine.render_block(chunk);
    }
    let mut block = vec![0.0f32; 2 * BLOCK_FRAMES];
    let mut peak = 0.0f32;
    // The body streams as the engine plays it; its last `fade` frames fade out while the
    // head fades in, so the file's end is the moment just before its start.
    let body = f.len - f.fade;
    let mut done = 0u64;
    while done < f.len {
        check(cancel)?;
        let n = (f.len - done).min(BLOCK_FRAMES as u64) as usize;
        let b = &mut block[..2 * n];
        engine.render_block(b);
        for (i, frame) in b.chunks_exact_mut(2).enumerate() {
            let k = done + i as u64;
            if k >= body {
                let j = (k - body) as usize;
                let (fade_in, fade_out) = equal_power(j, fade);
                frame[0] = frame[0] * fade_out + head[2 * j] * fade_in;
                frame[1] = frame[1] * fade_out + head[2 * j + 1] * fade_in;
            }
        }
        peak = b.iter().fold(peak, |p, v| p.max(v.abs()));
        sink.write(b)?;
        done += n as u64;
    }
    let clipped = sink.clipped();
    sink.finalize()?;
    match landing {
        Landing::Stdout => {}
        Landing::File(dest) => dest.commit()?,
        Landing::Stems(set) => set.commit()?,
    }
    Ok(BedReport {
        path: out.path,
        frames: f.len,
        peak,
        clipped,
    })
}

/// Gains (in, out) at frame `j` of an equal-power cross-fade over `len` frames: sin/cos of a
/// quarter turn, so uncorrelated textures keep their power all the way through.
fn equal_power(j: usize, len: usize) -> (f32, f32) {
    let t = (j as f64 + 0.5) / len as f64 * std::f64::consts::FRAC_PI_2;
    (t.sin() as f32, t.cos() as f32)
}

fn check(cancel: &AtomicBool) -> Result<(), RenderError> {
    if cancel.load(Ordering::Relaxed) {
        Err(RenderError::Interrupted)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: BedKind, secs: f64, looped: bool) -> BedSpec {
        BedSpec {
            kind,
            secs,
            looped,
            venue: VenueKind::Theatre,
            audience: None,
            listener: Listener::Floor,
            words: None,
            bpm: None,
        }
    }

    #[test]
    fn looped_beats_are_whole_repetitions() {
        let bed = spec(BedKind::ClapAlong, 10.0, true).build().unwrap();
        let b = bed.beats.unwrap();
        assert_eq!(b.count % 4.0, 0.0);
        assert!((bed.secs() - b.count * 0.5).abs() < 1e-9, "{}", bed.secs());
        let mut chant = spec(BedKind::Chant, 10.0, true);
        chant.words = Some("we will rock you".into());
        let b = chant.build().unwrap().beats.unwrap();
        assert_eq!(b.count % 4.0, 0.0);
    }

    #[test]
    fn equal_power_keeps_power() {
        for j in [0, 10, 50, 99] {
            let (a, b) = equal_power(j, 100);
            assert!((a * a + b * b - 1.0).abs() < 1e-6);
        }
        assert!(equal_power(0, 100).1 > 0.999 && equal_power(99, 100).0 > 0.999);
    }
}
