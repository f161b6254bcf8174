//! Live playback through an audio device (the `live` feature): the same [`Engine`], seed and
//! sample rate as an offline render, so what the speakers play is the WAV sample for sample.
//!
//! Three threads, each with its own job: the *render thread* (`feeder`) runs the engine
//! ahead of the device into a wait-free `rtrb` ring pre-filled to the target latency; the
//! device's *callback* (`callback`) only pops, converts to the device's sample format and
//! zero-fills (counting underruns); the *control thread* (the caller of [`Player`]) reads
//! status atomics and sends cues and jumps through a second ring. Nothing here draws a user
//! interface or parses the command line.

mod callback;
mod feeder;
pub mod osc;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample, StreamConfig, SupportedBufferSize};

use crate::engine::{ChantCue, Cue, Engine, Fader};
use crate::show::Show;
pub use callback::ALLOC_CHECKED;
use callback::{BUDGET_BUCKETS, Callback, Status};
use feeder::{Control, Feeder};

/// Length of every fade the player makes itself (pause, stop, mid-show start and end; jumps
/// crossfade for `feeder::CROSSFADE_SECS` instead):
/// long enough to avoid a click, short enough to feel immediate.
pub const FADE_SECS: f64 = 0.02;

/// Controls (cues, faders, chants, jumps) that can wait for the render thread at once.
const CONTROL_SLOTS: usize = 256;

/// Smallest and largest device buffer the player asks for, frames.
pub const MIN_BUFFER_FRAMES: u32 = 16;
/// See [`MIN_BUFFER_FRAMES`].
pub const MAX_BUFFER_FRAMES: u32 = 16_384;
/// Default buffer on a device the player drives directly (an ALSA `hw:`/`plughw:` card, or
/// another host's device): 5.3 ms at 48 kHz, which such devices sustain.
pub const DIRECT_BUFFER_FRAMES: u32 = 1024 / 4;
/// Default buffer on a PCM that goes through a sound server (ALSA's `default`, `pulse`,
/// `pipewire`, `jack`): PulseAudio's ALSA plug-in grants two thirds of what is asked and then
/// wakes on its own ~20–25 ms schedule, so 256 frames (170 granted) meant 1,445 stream errors,
/// 4 xruns and 19.7 s of wall time for 10 s of show on this machine under load, while 1024
/// (682 granted, 100 ms latency) played in real time.
pub const SERVER_BUFFER_FRAMES: u32 = 1024;
/// How long a [`Watchdog`] watches a stream whose buffer the player picked.
pub const WATCH_SECS: f64 = 4.0;
/// How many times a [`Watchdog`] enlarges the buffer before it lets a stream be.
pub const MAX_REOPENS: u32 = 2;

/// The buffer `play` asks for when the user does not say: a sound server's PCM needs a
/// bigger one than a card driven directly (see [`SERVER_BUFFER_FRAMES`]).
pub fn auto_buffer_frames(device_id: &str) -> u32 {
    let Some(pcm) = device_id.strip_prefix("alsa:") else {
        // CoreAudio, WASAPI and the like mix in the OS at their own period: ask for its size.
        return SERVER_BUFFER_FRAMES / 2;
    };
    let pcm = pcm.to_ascii_lowercase();
    let direct = pcm.starts_with("hw:") || pcm.starts_with("plughw:") || pcm == "null";
    if direct {
        DIRECT_BUFFER_FRAMES
    } else {
        SERVER_BUFFER_FRAMES
    }
}

/// Why a [`Watchdog`] reopened a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Reopened {
    /// Buffer of the stream that could not keep up, frames.
    pub from_frames: u32,
    /// Buffer of the new stream, frames.
    pub to_frames: u32,
    /// What the old stream showed in its first seconds.
    pub xruns: u64,
    /// See `xruns`.
    pub stream_errors: u64,
    /// See `xruns`.
    pub underruns: u64,
    /// Frames the device took per second of wall time, as a fraction of the sample rate (NaN
    /// when the stream was reopened before its pace could be measured).
    pub pace: f64,
    /// Wall seconds the old stream was watched.
    pub after_secs: f64,
}

/// Watches a freshly opened stream whose buffer the player picked: if in its first
/// [`WATCH_SECS`] the backend reports xruns or errors, the ring runs dry, or the device takes
/// samples clearly slower than real time, the buffer was too small for this host, and the
/// stream is reopened with four times the buffer where it is (a short fade out and in)
/// rather than left to stutter through the show. A buffer forced with `--buffer` is never
/// changed.
#[derive(Debug)]
pub struct Watchdog {
    started: Instant,
    reopens: u32,
    /// When the pace measurement began and the frames played by then: once the device has
    /// taken its first samples and had [`PACE_GRACE_SECS`] to settle, since a sound server
    /// may hold a new stream for about a second before its clock runs.
    pace_from: Option<(Instant, u64)>,
    /// When the device took its first samples.
    first_played: Option<Instant>,
}

/// The pace a stream must keep once it runs (frames the device took per wall second, as a
/// fraction of the rate): a stuttering ALSA-over-PulseAudio stream ran at 0.5.
const MIN_PACE: f64 = 0.7;
/// Wall time after the device took its first samples before the pace is measured: a sound
/// server holds a new stream for about a second (1.1 s measured with PulseAudio) and takes
/// samples in bursts, so shorter spans misjudge a healthy stream.
const PACE_GRACE_SECS: f64 = 1.5;
/// Above this pace the device is not paced by a clock at all (see [`Watchdog::check`]).
const MAX_REAL_PACE: f64 = 1.25;
/// The shortest span the pace is measured over.
const PACE_SPAN_SECS: f64 = 1.5;

impl Default for Watchdog {
    fn default() -> Self {
        Self::new()
    }
}

impl Watchdog {
    /// A watchdog for a stream that has just started.
    pub fn new() -> Self {
        Watchdog {
            started: Instant::now(),
            reopens: 0,
            pace_from: None,
            first_played: None,
        }
    }

    /// Check `player`: `Some` when its stream cannot keep up and should be reopened on the
    /// returned buffer size with [`Player::reopen`]. Call it every few tens of ms.
    pub fn check(&mut self, player: &Player) -> Option<Reopened> {
        let info = player.info();
        let secs = self.started.elapsed().as_secs_f64();
        if !info.buffer_auto
            || self.reopens >= MAX_REOPENS
            || secs > WATCH_SECS
            || info.requested_buffer_frames >= MAX_BUFFER_FRAMES
        {
            return None;
        }
        let st = &player.status;
        if st.paused.load(Relaxed) {
            // A paused stream takes silence at its own pace: measure again once it resumes.
            self.pace_from = None;
            return None;
        }
        let (xruns, stream_errors) = (st.xruns.load(Relaxed), st.stream_errors.load(Relaxed));
        let underruns = st.underruns.load(Relaxed);
        let played = st.played.load(Relaxed);
        if self.first_played.is_none() && played > 0 {
            self.first_played = Some(Instant::now());
        }
        if self.pace_from.is_none()
            && self
                .first_played
                .is_some_and(|t| t.elapsed().as_secs_f64() >= PACE_GRACE_SECS)
        {
            self.pace_from = Some((Instant::now(), played));
        }
        let pace = match self.pace_from {
            Some((t, p0)) if t.elapsed().as_secs_f64() >= PACE_SPAN_SECS => Some(
                (played - p0) as f64 / (f64::from(info.sample_rate) * t.elapsed().as_secs_f64()),
            ),
            _ => None,
        };
        // A device that takes samples faster than real time (ALSA's unpaced `null`) empties
        // any ring: its underruns say nothing about the buffer.
        let starved = underruns > 0 && pace.is_some_and(|p| p <= MAX_REAL_PACE);
        let late = pace.is_some_and(|p| p < MIN_PACE);
        if player.snapshot().finished || (xruns + stream_errors == 0 && !starved && !late) {
            return None;
        }
        let pace = pace.unwrap_or(f64::NAN);
        self.reopens += 1;
        self.started = Instant::now();
        self.pace_from = None;
        self.first_played = None;
        let from_frames = info.requested_buffer_frames;
        Some(Reopened {
            from_frames,
            to_frames: (from_frames * 4).min(MAX_BUFFER_FRAMES),
            xruns,
            stream_errors,
            underruns,
            pace,
            after_secs: secs,
        })
    }
}

/// Errors opening or driving an output device. Each names what is available instead.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The host lists no output device at all.
    #[error("no audio output device found{}", listing(.available))]
    NoDevice {
        /// Devices seen (none, or none usable).
        available: Vec<DeviceInfo>,
    },
    /// `--device NAME` matched no device id or name.
    #[error("no output device matches \"{name}\"{}", listing(.available))]
    NoMatch {
        /// What the user asked for.
        name: String,
        /// Devices to choose from.
        available: Vec<DeviceInfo>,
    },
    /// The device exists but cannot be opened or queried (no sound card, busy, …).
    #[error("output device \"{device}\" cannot be used ({reason}){}", listing(.available))]
    Unavailable {
        /// Device id.
        device: String,
        /// What the backend said.
        reason: Box<cpal::Error>,
        /// Devices to choose from.
        available: Vec<DeviceInfo>,
    },
    /// The device refused the stream configuration it had itself proposed.
    #[error("output device \"{device}\" refused {config} ({reason}); it supports:{supported}{}", listing(.available))]
    Refused {
        /// Device id.
        device: String,
        /// The configuration that was refused.
        config: String,
        /// What the backend said.
        reason: Box<cpal::Error>,
        /// The device's supported configuration ranges, one a line.
        supported: String,
        /// Devices to choose from.
        available: Vec<DeviceInfo>,
    },
    /// The device only takes a sample format we do not convert to (e.g. DSD).
    #[error("output device \"{device}\" wants {format} samples, which concert cannot produce{}", listing(.available))]
    UnsupportedFormat {
        /// Device id.
        device: String,
        /// The device's preferred sample format.
        format: String,
        /// Devices to choose from.
        available: Vec<DeviceInfo>,
    },
    /// The audio host itself failed (e.g. cannot enumerate devices).
    #[error("the audio system failed: {0}")]
    Host(#[source] cpal::Error),
    /// `--from` is not before `--to` or the end of the show.
    #[error("nothing to play: the span starts at {from_secs:.1} s and ends at {to_secs:.1} s")]
    EmptySpan {
        /// Start of the span, seconds.
        from_secs: f64,
        /// End of the span, seconds.
        to_secs: f64,
    },
    /// The render thread could not be started.
    #[error("cannot start the render thread")]
    Thread(#[source] std::io::Error),
}

/// The "available devices" tail of an error message.
fn listing(available: &[DeviceInfo]) -> String {
    let mut s = String::from("\navailable output devices:");
    if available.is_empty() {
        s.push_str(" none (use `concert render` to write a WAV file instead)");
    }
    for d in available {
        s.push_str(&format!("\n  {d}"));
    }
    s
}

/// One output device, as `concert devices` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    /// Stable id, e.g. `alsa:default` (what `--device` matches first).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Whether this is the host's default output.
    pub is_default: bool,
    /// The device's preferred configuration ("48000 Hz f32 2 ch"), when it was asked for and
    /// the device could be opened.
    pub config: Option<String>,
}

impl fmt::Display for DeviceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.is_default { '*' } else { ' ' };
        write!(f, "{mark} {:<24} {}", self.id, self.name.replace('\n', " "))?;
        if let Some(c) = &self.config {
            write!(f, "  [{c}]")?;
        }
        Ok(())
    }
}

/// The output devices of the default host; with `configs`, each one's preferred stream
/// configuration too (this opens every device, so it is slower).
pub fn output_devices(configs: bool) -> Result<Vec<DeviceInfo>, LiveError> {
    let host = cpal::default_host();
    let default_id = host.default_output_device().and_then(|d| d.id().ok());
    let mut out = Vec::new();
    for d in host.output_devices().map_err(LiveError::Host)? {
        let Ok(id) = d.id() else { continue };
        let name = d
            .description()
            .map_or_else(|_| id.to_string(), |x| x.name().to_string());
        let config = configs
            .then(|| d.default_output_config().ok())
            .flatten()
            .map(|c| describe(c.sample_rate(), c.sample_format(), c.channels()));
        out.push(DeviceInfo {
            is_default: default_id.as_ref() == Some(&id),
            id: id.to_string(),
            name,
            config,
        });
    }
    // The default first, so it is easy to spot in long lists.
    out.sort_by_key(|d| !d.is_default);
    Ok(out)
}

fn describe(rate: u32, format: SampleFormat, channels: u16) -> String {
    format!("{rate} Hz {format} {channels} ch")
}

/// Find the device `name` refers to: an exact id, else the first id or name containing it
/// (case-insensitive).
fn find_device(
    host: &cpal::Host,
    name: &str,
    available: &[DeviceInfo],
) -> Result<cpal::Device, LiveError> {
    let wanted = name.to_lowercase();
    let pick = available
        .iter()
        .find(|d| d.id.to_lowercase() == wanted)
        .or_else(|| {
            available.iter().find(|d| {
                d.id.to_lowercase().contains(&wanted) || d.name.to_lowercase().contains(&wanted)
            })
        });
    let no_match = || LiveError::NoMatch {
        name: name.to_string(),
        available: available.to_vec(),
    };
    let info = pick.ok_or_else(no_match)?;
    let id = info.id.parse().map_err(|_| no_match())?;
    host.device_by_id(&id).ok_or_else(no_match)
}

/// How to play.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayOptions {
    /// Device id or a part of its name; `None` for the host's default output.
    pub device: Option<String>,
    /// Random seed (the show's own unless overridden).
    pub seed: u64,
    /// Start of the span, seconds of show time.
    pub from_secs: f64,
    /// End of the span; `None` for the end of the show.
    pub to_secs: Option<f64>,
    /// Requested device buffer (and render period), frames; `None` picks one for the device
    /// ([`auto_buffer_frames`]) and lets a [`Watchdog`] enlarge it if the stream cannot keep up.
    pub buffer_frames: Option<u32>,
    /// Measure the render thread's and the callback's time budget use.
    pub stats: bool,
}

/// What the stream turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    /// Device id.
    pub device: String,
    /// The device's preferred sample rate, which the engine renders at.
    pub sample_rate: u32,
    /// Device channels (stereo is mixed to mono or padded with silence to fit).
    pub channels: u16,
    /// Device sample format, e.g. `f32`, `i16`.
    pub format: String,
    /// Buffer asked of the device (and render period), frames.
    pub requested_buffer_frames: u32,
    /// Whether that size was picked by the player rather than forced with `--buffer`.
    pub buffer_auto: bool,
    /// Device buffer granted, frames (when the backend reports it).
    pub device_buffer_frames: Option<u32>,
    /// First and last show frame of the span.
    pub from_frame: u64,
    /// Show frame after the last one played.
    pub to_frame: u64,
}

/// The player's state at one instant, for a status display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    /// Show time now audible, seconds (within one render period).
    pub show_secs: f64,
    /// Frames handed to the device so far (by every stream of the playback, as in [`Summary`]).
    pub played_frames: u64,
    /// Underruns so far (every stream's).
    pub underruns: u64,
    /// Peak of the latest rendered block, 0..=1.
    pub peak: f32,
    /// Paused by the operator.
    pub paused: bool,
    /// Played to the end of the span, or faded out after a stop.
    pub finished: bool,
}

/// Time budget use of one side, as fractions of the buffer duration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Buffers measured.
    pub count: usize,
    /// Mean fraction.
    pub mean: f64,
    /// 99th-percentile fraction.
    pub p99: f64,
    /// Worst fraction.
    pub max: f64,
}

/// How the playback went: the counts and times cover every stream it played on (a
/// [`Player::reopen`] replaces the stream, not the playback), the stream details the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The stream.
    pub info: StreamInfo,
    /// Frames handed to the device, less those a reopened stream's device still held when it
    /// closed (the next stream plays them again, from [`Summary::resume_frame`]).
    pub played_frames: u64,
    /// Wall time from starting the first stream to the last sample leaving the device's buffer.
    pub wall_secs: f64,
    /// Callbacks that found the ring short, and frames zero-filled because of it.
    pub underruns: u64,
    /// See `underruns`.
    pub underrun_frames: u64,
    /// Underruns reported by the backend itself.
    pub xruns: u64,
    /// Other errors the backend reported during playback.
    pub stream_errors: u64,
    /// Allocations caught in the callback (`None` where not checked: release builds).
    pub rt_allocs: Option<u64>,
    /// Stopped before the end of the span.
    pub stopped: bool,
    /// Frames queued ahead of the device (the ring's target fill).
    pub queued_frames: u64,
    /// The show frame after the last one the device played before it was closed (where a
    /// reopened stream continues; see [`played_show_frame`]). The last stream's alone.
    pub resume_frame: u64,
    /// Render time per period (with `--stats`).
    pub render: Option<Budget>,
    /// Callback time per callback (with `--stats`).
    pub callback: Option<Budget>,
}

impl Summary {
    /// Output latency: the ring's fill plus the device's buffer, in milliseconds.
    pub fn latency_ms(&self) -> f64 {
        let frames = self.queued_frames + u64::from(self.info.device_buffer_frames.unwrap_or(0));
        frames as f64 * 1000.0 / f64::from(self.info.sample_rate)
    }
}

/// A show playing on a device. Dropping it stops the sound abruptly; call [`Player::finish`].
pub struct Player {
    stream: cpal::Stream,
    status: Arc<Status>,
    controls: rtrb::Producer<Control>,
    /// Chants the engine has let go of, freed here rather than on the render thread.
    retired: rtrb::Consumer<ChantCue>,
    feeder: Option<JoinHandle<Option<Vec<f32>>>>,
    info: StreamInfo,
    started: Instant,
    period: usize,
    base_target: usize,
    stats: bool,
    /// What it was started with, for [`Player::reopen`].
    opts: PlayOptions,
    /// What the streams it replaced played and counted.
    earlier: Earlier,
}

/// What the streams a [`Player`] replaced ([`Player::reopen`]) played and counted, added to
/// its own stream's counts so that its summary is the playback's, not the last stream's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Earlier {
    /// Frames those streams' devices played (see [`Summary::played_frames`]).
    played_frames: u64,
    underruns: u64,
    underrun_frames: u64,
    xruns: u64,
    stream_errors: u64,
    /// Counted per audio thread, and each stream has its own.
    rt_allocs: u64,
}

impl Earlier {
    /// These counts and those of a stream that has been closed with `st`: of the frames its
    /// callback took, the ones its device still held beyond the silence written after the stop
    /// fade were dropped unplayed, and the next stream starts with them ([`played_show_frame`]).
    fn and_closed(self, st: &Status) -> Earlier {
        let dropped = st
            .device_held
            .load(Relaxed)
            .saturating_sub(st.tail_frames.load(Relaxed));
        self.plus(st, st.played.load(Relaxed).saturating_sub(dropped))
    }

    /// These counts and those of the stream with status `st`, of whose frames `played` count.
    fn plus(self, st: &Status, played: u64) -> Earlier {
        Earlier {
            played_frames: self.played_frames + played,
            underruns: self.underruns + st.underruns.load(Relaxed),
            underrun_frames: self.underrun_frames + st.underrun_frames.load(Relaxed),
            xruns: self.xruns + st.xruns.load(Relaxed),
            stream_errors: self.stream_errors + st.stream_errors.load(Relaxed),
            rt_allocs: self.rt_allocs + st.rt_allocs.load(Relaxed),
        }
    }
}

impl Player {
    /// Open the device, render the first frames and start playing `show`.
    pub fn start(show: &Show, opts: &PlayOptions) -> Result<Player, LiveError> {
        let host = cpal::default_host();
        let available = output_devices(false).unwrap_or_default();
        let device = match &opts.device {
            Some(name) => find_device(&host, name, &available)?,
            None => host
                .default_output_device()
                .ok_or_else(|| LiveError::NoDevice {
                    available: available.clone(),
                })?,
        };
        let device_id = device
            .id()
            .map_or_else(|_| "(unnamed)".to_string(), |id| id.to_string());
        let unavailable = |reason| LiveError::Unavailable {
            device: device_id.clone(),
            reason: Box::new(reason),
            available: available.clone(),
        };
        let sup = device.default_output_config().map_err(unavailable)?;
        let sr = sup.sample_rate();
        let channels = sup.channels();
        let format = sup.sample_format();

        let from_frame = (opts.from_secs.max(0.0) * f64::from(sr)).round() as u64;
        let mut engine = Engine::new(show, opts.seed, sr);
        let total = engine.total_frames();
        let to_frame = opts
            .to_secs
            .map_or(total, |t| (t * f64::from(sr)).round() as u64)
            .min(total);
        if from_frame >= to_frame {
            return Err(LiveError::EmptySpan {
                from_secs: opts.from_secs,
                to_secs: to_frame as f64 / f64::from(sr),
            });
        }
        engine.skip(from_frame);

        let requested = opts
            .buffer_frames
            .unwrap_or_else(|| auto_buffer_frames(&device_id))
            .clamp(MIN_BUFFER_FRAMES, MAX_BUFFER_FRAMES);
        let period = requested as usize;
        let fixed = match sup.buffer_size() {
            SupportedBufferSize::Range { min, max } => requested.clamp(*min, (*max).max(*min)),
            SupportedBufferSize::Unknown => requested,
        };
        let mut config: StreamConfig = sup.config();
        let status = Arc::new(Status::new(from_frame));
        let fade_frames = (FADE_SECS * f64::from(sr)).round() as usize;
        let capacity = 2 * (sr as usize).max(8 * period);
        let attempt = |config: StreamConfig| {
            let (tx, rx) = rtrb::RingBuffer::new(capacity);
            let cb = Callback::new(
                rx,
                Arc::clone(&status),
                channels as usize,
                sr,
                fade_frames,
                opts.stats,
            );
            build_stream(&device, config, format, cb, Arc::clone(&status)).map(|s| (s, tx))
        };
        config.buffer_size = cpal::BufferSize::Fixed(fixed);
        let mut built = attempt(config);
        if built.is_err() {
            // Some devices take only their own buffer size: let them choose.
            config.buffer_size = cpal::BufferSize::Default;
            built = attempt(config);
        }
        let (stream, ring) = built.map_err(|e| match e {
            None => LiveError::UnsupportedFormat {
                device: device_id.clone(),
                format: format.to_string(),
                available: available.clone(),
            },
            Some(reason) => LiveError::Refused {
                device: device_id.clone(),
                config: describe(sr, format, channels),
                reason: Box::new(reason),
                supported: supported_configs(&device),
                available: available.clone(),
            },
        })?;

        let (controls, control_rx) = rtrb::RingBuffer::new(CONTROL_SLOTS);
        // Room for every chant the control ring can carry: the feeder never has to free one.
        let (retired_tx, retired) = rtrb::RingBuffer::new(CONTROL_SLOTS + 1);
        let base_target = (4 * period).max((0.02 * f64::from(sr)) as usize);
        let mut feeder = Feeder {
            engine,
            ring,
            controls: control_rx,
            retired: retired_tx,
            status: Arc::clone(&status),
            end_frame: to_frame,
            period,
            base_target,
            fade_frames: fade_frames as u64,
            fade_in_at_start: from_frame > 0,
            fade_out_at_end: to_frame < total,
            stats: opts
                .stats
                .then(|| Vec::with_capacity(((to_frame - from_frame) as usize) / period + 64)),
            pending_ramp: None,
            pending_jump: None,
            crossfade: None,
            scratch: vec![0.0; 2 * period],
        };
        feeder.prefill();
        let feeder = std::thread::Builder::new()
            .name("concert-render".into())
            .spawn(move || feeder.run())
            .map_err(LiveError::Thread)?;
        stream.play().map_err(unavailable)?;
        let started = Instant::now();
        let device_buffer_frames = stream.buffer_size().ok();
        Ok(Player {
            stream,
            status,
            controls,
            retired,
            feeder: Some(feeder),
            info: StreamInfo {
                device: device_id,
                sample_rate: sr,
                channels,
                format: format.to_string(),
                requested_buffer_frames: requested,
                buffer_auto: opts.buffer_frames.is_none(),
                device_buffer_frames,
                from_frame,
                to_frame,
            },
            started,
            period,
            base_target,
            stats: opts.stats,
            opts: opts.clone(),
            earlier: Earlier::default(),
        })
    }

    /// Close this stream (after a short fade) and open a new one on a `buffer_frames` buffer
    /// where the show was, keeping everything else; the new stream counts as the player's own
    /// choice of buffer. The summary of the playback so far comes back with it; the new
    /// player's summary goes on from there (frames, counts and wall time of both streams).
    pub fn reopen(self, show: &Show, buffer_frames: u32) -> Result<(Player, Summary), LiveError> {
        let opts = self.opts.clone();
        let auto = self.info.buffer_auto;
        let sr = f64::from(self.info.sample_rate);
        let (status, earlier, started) = (Arc::clone(&self.status), self.earlier, self.started);
        self.stop();
        let mut old = self.finish();
        // One playback on two streams: without this, the new stream's summary counted its own
        // frames alone, and `play` reported a span reopened after its first 3,007 frames as
        // 668,993 frames played (and the old stream's stream error as none).
        let earlier = earlier.and_closed(&status);
        old.played_frames = earlier.played_frames;
        // Where the listener is (a jump by the operator included), not where the span began:
        // after the last frame the closed device played, not the last one it was handed (a
        // sound server drops what it still holds when the stream closes: about 185 ms once
        // measured through PulseAudio, skipped by the old resume point).
        let from_secs = old.resume_frame as f64 / sr;
        let mut next = Player::start(
            show,
            &PlayOptions {
                from_secs,
                buffer_frames: Some(buffer_frames),
                ..opts.clone()
            },
        )?;
        next.info.buffer_auto = auto;
        next.opts = opts;
        next.earlier = earlier;
        next.started = started;
        Ok((next, old))
    }

    /// What is playing where.
    pub fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// The player's state now.
    pub fn snapshot(&self) -> Snapshot {
        let st = &self.status;
        Snapshot {
            show_secs: st.show_frame.load(Relaxed) as f64 / f64::from(self.info.sample_rate),
            played_frames: self.earlier.played_frames + st.played.load(Relaxed),
            underruns: self.earlier.underruns + st.underruns.load(Relaxed),
            peak: f32::from_bits(st.peak.load(Relaxed)),
            paused: st.paused.load(Relaxed),
            finished: st.drained.load(Relaxed) || st.faded_out.load(Relaxed),
        }
    }

    /// Pause (fade out and hold) or resume (fade back in where it stopped).
    pub fn set_paused(&self, paused: bool) {
        self.status.paused.store(paused, Relaxed);
    }

    /// Start a manual cue; it is heard after the queued frames (see [`Summary::latency_ms`]).
    pub fn cue(&mut self, cue: Cue) {
        let _ = self.controls.push(Control::Cue(cue, 1.0));
    }

    /// Start a manual cue of `size` (0..=1; 1 is what [`Player::cue`] starts).
    pub fn cue_sized(&mut self, cue: Cue, size: f32) {
        let _ = self.controls.push(Control::Cue(cue, size));
    }

    /// Move an operator's fader (see [`Fader`] for units) over `ramp_secs`, from the next
    /// rendered block on (heard after the queued frames).
    pub fn set_fader(&mut self, fader: Fader, setting: f32, ramp_secs: f64) {
        let _ = self
            .controls
            .push(Control::Fader(fader, setting, ramp_secs));
    }

    /// Start the operator's chant (words and tempo in `chant`, built here on the control
    /// thread) over the show, replacing any; it is heard after the queued frames.
    pub fn chant(&mut self, chant: ChantCue) {
        self.free_retired();
        let _ = self.controls.push(Control::Chant(Some(chant)));
    }

    /// Let the operator's chant die away (over two beats).
    pub fn stop_chant(&mut self) {
        self.free_retired();
        let _ = self.controls.push(Control::Chant(None));
    }

    /// Start the crowd clapping along at `bpm` (see [`crate::engine::CLAP_BPM`]), or stop
    /// it (`None`; it thins out over two seconds).
    pub fn clap(&mut self, bpm: Option<f64>) {
        let _ = self.controls.push(Control::Clap(bpm));
    }

    /// Drop the chants the render thread has handed back.
    fn free_retired(&mut self) {
        while self.retired.pop().is_ok() {}
    }

    /// Jump to `secs` of show time (fading out and in); ignored past the end of the span.
    pub fn seek(&mut self, secs: f64) {
        let frame = (secs.max(0.0) * f64::from(self.info.sample_rate)).round() as u64;
        let _ = self.controls.push(Control::Seek(frame));
    }

    /// Ask for a stop: the callback fades out over [`FADE_SECS`]; then call [`Player::finish`].
    pub fn stop(&self) {
        self.status.stopping.store(true, Relaxed);
    }

    /// Wait for the end (or the stop fade), let the device's buffer play out, close the stream
    /// and report.
    pub fn finish(mut self) -> Summary {
        let st = Arc::clone(&self.status);
        let sr = f64::from(self.info.sample_rate);
        let stopped = !st.drained.load(Relaxed);
        if stopped {
            st.stopping.store(true, Relaxed);
        }
        let wait = |done: &dyn Fn() -> bool| {
            let deadline = Instant::now() + Duration::from_secs(2);
            while !done() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        };
        wait(&|| st.drained.load(Relaxed) || st.faded_out.load(Relaxed));
        // The last samples are in the device's buffer: wait until the callback has written
        // enough silence behind them to push them all out.
        let max_cb = u64::from(st.max_callback_frames.load(Relaxed));
        let tail = 2 * max_cb + (0.05 * sr) as u64;
        wait(&|| st.tail_frames.load(Relaxed) >= tail);
        let wall_secs = self.started.elapsed().as_secs_f64();
        st.stopping.store(true, Relaxed);
        let render_stats = self.feeder.take().and_then(|h| h.join().ok()).flatten();
        drop(self.stream);
        let resume_frame = played_show_frame(
            st.rendered_to.load(Relaxed),
            st.pushed.load(Relaxed),
            st.played.load(Relaxed),
            st.device_held.load(Relaxed),
            st.tail_frames.load(Relaxed),
        );
        let callback = self.stats.then(|| histogram_budget(&st.budget)).flatten();
        // This stream played to its end: every frame its callback took counts.
        let all = self.earlier.plus(&st, st.played.load(Relaxed));
        Summary {
            info: self.info,
            played_frames: all.played_frames,
            wall_secs,
            underruns: all.underruns,
            underrun_frames: all.underrun_frames,
            xruns: all.xruns,
            stream_errors: all.stream_errors,
            rt_allocs: ALLOC_CHECKED.then_some(all.rt_allocs),
            stopped,
            queued_frames: self.base_target.max(2 * max_cb as usize + self.period) as u64,
            resume_frame,
            render: render_stats
                .and_then(feeder::percentiles)
                .map(|(p99, max, mean, count)| Budget {
                    count,
                    mean,
                    p99,
                    max,
                }),
            callback,
        }
    }
}

/// The show frame after the last one a closed device played: the render thread had rendered up
/// to `rendered_to` and pushed `pushed` frames, the callback took `taken` of them, and at the
/// last callback the device held `held` frames (its reported delay plus that callback), the
/// newest `tail` of which were the silence written after the stop fade. What it held beyond
/// that silence was show audio it dropped, unplayed, when it closed.
pub fn played_show_frame(rendered_to: u64, pushed: u64, taken: u64, held: u64, tail: u64) -> u64 {
    let after_taken = rendered_to.saturating_sub(pushed.saturating_sub(taken));
    after_taken.saturating_sub(held.saturating_sub(tail))
}

/// p99 and max of the callback's per-mille histogram.
fn histogram_budget(buckets: &[std::sync::atomic::AtomicU32; BUDGET_BUCKETS]) -> Option<Budget> {
    let counts: Vec<u64> = buckets.iter().map(|b| u64::from(b.load(Relaxed))).collect();
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let mut seen = 0;
    let mut p99 = 0;
    for (i, c) in counts.iter().enumerate() {
        seen += c;
        if seen * 100 >= n * 99 {
            p99 = i;
            break;
        }
    }
    let max = counts.iter().rposition(|c| *c > 0).unwrap_or(0);
    let mean = counts
        .iter()
        .enumerate()
        .map(|(i, c)| (i as f64 + 0.5) * *c as f64)
        .sum::<f64>()
        / n as f64;
    Some(Budget {
        count: n as usize,
        mean: mean / 1000.0,
        // Upper edges of the buckets: the true values are at most this.
        p99: (p99 + 1) as f64 / 1000.0,
        max: (max + 1) as f64 / 1000.0,
    })
}

/// The device's supported configuration ranges, one a line, for error messages.
fn supported_configs(device: &cpal::Device) -> String {
    match device.supported_output_configs() {
        Ok(ranges) => ranges
            .map(|r| {
                format!(
                    "\n  {}–{} Hz {} {} ch",
                    r.min_sample_rate(),
                    r.max_sample_rate(),
                    r.sample_format(),
                    r.channels()
                )
            })
            .collect(),
        Err(e) => format!(" (cannot tell: {e})"),
    }
}

/// Build the output stream for the device's sample format. `Err(None)` means a format we
/// cannot produce.
fn build_stream(
    device: &cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
    cb: Callback,
    status: Arc<Status>,
) -> Result<cpal::Stream, Option<cpal::Error>> {
    use cpal::{I24, U24};
    match format {
        SampleFormat::I8 => typed::<i8>(device, config, cb, status),
        SampleFormat::I16 => typed::<i16>(device, config, cb, status),
        SampleFormat::I24 => typed::<I24>(device, config, cb, status),
        SampleFormat::I32 => typed::<i32>(device, config, cb, status),
        SampleFormat::I64 => typed::<i64>(device, config, cb, status),
        SampleFormat::U8 => typed::<u8>(device, config, cb, status),
        SampleFormat::U16 => typed::<u16>(device, config, cb, status),
        SampleFormat::U24 => typed::<U24>(device, config, cb, status),
        SampleFormat::U32 => typed::<u32>(device, config, cb, status),
        SampleFormat::U64 => typed::<u64>(device, config, cb, status),
        SampleFormat::F32 => typed::<f32>(device, config, cb, status),
        SampleFormat::F64 => typed::<f64>(device, config, cb, status),
        _ => Err(None),
    }
}

fn typed<T: SizedSample + FromSample<f32>>(
    device: &cpal::Device,
    config: StreamConfig,
    mut cb: Callback,
    status: Arc<Status>,
) -> Result<cpal::Stream, Option<cpal::Error>> {
    let errors = Arc::clone(&status);
    let (rate, channels) = (
        f64::from(config.sample_rate),
        usize::from(config.channels.max(1)),
    );
    device
        .build_output_stream(
            config,
            move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
                fundsp::denormal::prevent_denormals();
                // What the device will hold once this callback's frames are in: its delay
                // before they play, plus them (for where a closed stream stopped playing).
                let ts = info.timestamp();
                let delay = ts.playback.duration_since(ts.callback).as_secs_f64() * rate;
                let held = delay.round() as u64 + (data.len() / channels) as u64;
                status.device_held.store(held, Relaxed);
                // Debug builds of the binary install assert_no_alloc's allocator: any
                // allocation in here is counted and reported in the summary.
                assert_no_alloc::assert_no_alloc(|| cb.fill(data));
                status.rt_allocs.store(callback::rt_allocs(), Relaxed);
            },
            move |err: cpal::Error| {
                // Runs on the audio thread too: count, never print.
                if err.kind() == cpal::ErrorKind::Xrun {
                    errors.xruns.fetch_add(1, Relaxed);
                } else {
                    errors.stream_errors.fetch_add(1, Relaxed);
                }
            },
            None,
        )
        .map_err(Some)
}

#[cfg(all(test, debug_assertions))]
mod tests {
    //! The real-time path under `assert_no_alloc`: this test binary's allocator counts every
    //! allocation made inside `assert_no_alloc(..)`.
    use super::*;
    use crate::show::tests_support::show_with;
    use crate::show::{MomentKind, VenueKind};

    #[global_allocator]
    static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

    #[test]
    fn the_guard_catches_allocations() {
        let before = assert_no_alloc::violation_count();
        let v = assert_no_alloc::assert_no_alloc(|| vec![1u8; 10]);
        assert_eq!(v.len(), 10);
        assert_eq!(assert_no_alloc::violation_count(), before + 1);
    }

    #[test]
    fn callback_render_and_cues_do_not_allocate() {
        let show = show_with(
            VenueKind::Arena,
            5000,
            &[(MomentKind::Murmur, 2.0), (MomentKind::Applause, 3.0)],
        );
        let mut engine = Engine::new(&show, 7, 48_000);
        let status = Arc::new(Status::new(0));
        let (mut tx, rx) = rtrb::RingBuffer::<f32>::new(8192);
        let mut cb = Callback::new(rx, Arc::clone(&status), 2, 48_000, 960, true);
        let mut out16 = vec![0i16; 2 * 300];
        let mut out32 = vec![0.0f32; 2 * 256];
        // The operator's chants are built here, off the real-time path; the ones the engine lets
        // go of come back out to be freed here too.
        let mut chants = [
            ChantCue::new("one more song", 100.0).ok(),
            ChantCue::new("we want more", 120.0).ok(),
        ];
        let mut retired = Vec::with_capacity(2);
        let before = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(|| {
            for i in 0..400 {
                if i == 100 {
                    engine.cue(Cue::Applause);
                    engine.cue(Cue::Whistles);
                    engine.start_clap(120.0);
                }
                let slot = (i / 100usize)
                    .checked_sub(1)
                    .and_then(|k| chants.get_mut(k));
                if let Some(chant) = slot.and_then(Option::take) {
                    retired.push(engine.start_chant(chant));
                }
                if i == 250 {
                    engine.stop_chant();
                    engine.stop_clap();
                }
                let n = tx.slots().min(2 * 512) / 2 * 2;
                if let Ok(mut chunk) = tx.write_chunk(n) {
                    let (a, b) = chunk.as_mut_slices();
                    engine.render_block(a);
                    engine.render_block(b);
                    chunk.commit_all();
                }
                if i % 2 == 0 {
                    cb.fill(&mut out16);
                } else {
                    cb.fill(&mut out32);
                }
                if i == 300 {
                    status.paused.store(true, Relaxed);
                }
            }
        });
        assert_eq!(assert_no_alloc::violation_count(), before);
        assert_eq!(
            retired[1].words(),
            "one more song",
            "the replaced chant came back whole"
        );
        drop(retired);
        assert!(status.played.load(Relaxed) > 48_000, "audio flowed");
        assert!(out32.iter().all(|v| *v == 0.0), "paused at the end");
        assert!(histogram_budget(&status.budget).is_some());
    }
}

#[cfg(test)]
mod resume_tests {
    use super::{Earlier, Status, played_show_frame};
    use std::sync::atomic::Ordering::Relaxed;

    /// A reopen resumes where the closed device stopped playing: after the frames the callback
    /// took, less the show audio the device still held (beyond the silence written behind it)
    /// when it closed. No device can be made to reopen on demand in a test (the watchdog only
    /// acts on a struggling stream), so the arithmetic is checked here on its own.
    #[test]
    fn the_resume_point_is_what_the_device_played() {
        // Rendered to 100,000 with 5,000 frames still in the ring: the callback took up to
        // 95,000. The device held 12,000 frames at its last callback, 3,000 of them the
        // silence after the stop fade: 9,000 frames of show (187.5 ms at 48 kHz) were dropped
        // unplayed, and play resumes at 86,000 — where the old resume point skipped them.
        assert_eq!(
            played_show_frame(100_000, 60_000, 55_000, 12_000, 3_000),
            86_000
        );
        // A device whose buffer the silence pushed out entirely lost nothing.
        assert_eq!(
            played_show_frame(100_000, 60_000, 55_000, 2_000, 3_000),
            95_000
        );
        // An empty ring, nothing held: exactly where rendering stopped.
        assert_eq!(played_show_frame(48_000, 48_000, 48_000, 0, 0), 48_000);
        // Nonsense counts (a stream that never ran) never wrap around.
        assert_eq!(played_show_frame(10, 0, 50, 1_000_000, 0), 0);
    }

    /// A playback reopened on a new stream counts every frame of its span once: the old
    /// stream's frames less those its device dropped at close, which the new stream, starting
    /// at the resume point, plays again. Its errors are the playback's too. (The way the CLI
    /// once reported a reopen at 0.06 s: 668,993 of 672,000 frames, no stream error.)
    #[test]
    fn a_reopened_playback_counts_each_frame_of_the_span_once() {
        let (from, to) = (2_400_000, 3_072_000);
        let st = Status::new(from);
        // The render thread pushed 20,480 frames, the callback took 8,000; at its last call
        // the device held 5,000, the newest 1,000 of them the silence after the stop fade.
        st.pushed.store(20_480, Relaxed);
        st.rendered_to.store(from + 20_480, Relaxed);
        st.played.store(8_000, Relaxed);
        st.device_held.store(5_000, Relaxed);
        st.tail_frames.store(1_000, Relaxed);
        st.stream_errors.store(1, Relaxed);
        let resume = played_show_frame(from + 20_480, 20_480, 8_000, 5_000, 1_000);
        let earlier = Earlier::default().and_closed(&st);
        assert_eq!(earlier.played_frames, 4_000);
        assert_eq!(earlier.played_frames + (to - resume), to - from);
        assert_eq!(earlier.stream_errors, 1);
        // A second reopen adds to the first.
        let twice = earlier.and_closed(&st);
        assert_eq!((twice.played_frames, twice.stream_errors), (8_000, 2));
    }
}
