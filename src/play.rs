//! `concert play` and `concert devices` (the `live` feature): the terminal side of live
//! playback. The keyboard and the status display live here; the audio lives in
//! `concert::output::live`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::{cursor, queue, terminal};

use crate::cli::PlayArgs;
use concert::engine::{CHANT_BPM, CLAP_BPM, ChantCue, Cue};
use concert::engine::{Fader, LAYERS, LEVEL_FLOOR_DB, LEVEL_MAX_DB};
use concert::output::live::osc::{Command, OscListener};
use concert::output::live::{
    Budget, PlayOptions, Player, Reopened, Summary, Watchdog, output_devices,
};
use concert::preset::time::format_clock;
use concert::preset::{DEFAULT_CHANT_BPM, DEFAULT_CHANT_WORDS};
use concert::show::{MomentKind, Show};

/// `concert devices`: every output device, the default marked with `*`.
pub fn cmd_devices() -> Result<()> {
    let devices = output_devices(true)?;
    if devices.is_empty() {
        println!("no audio output devices (use `concert render` to write a WAV file)");
    }
    for d in &devices {
        println!("{d}");
    }
    if devices.iter().any(|d| d.is_default) {
        println!("(* = default; pass an id or part of a name to `play --device`)");
    }
    Ok(())
}

/// `concert play`.
pub fn cmd_play(args: PlayArgs) -> Result<()> {
    let show = concert::preset::resolve(&args.show)?;
    let opts = PlayOptions {
        device: args.device.clone(),
        seed: args.seed.unwrap_or(show.seed),
        from_secs: args.from.unwrap_or(0.0),
        to_secs: args.to,
        buffer_frames: args.buffer,
        stats: args.stats,
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let stop = Arc::new(AtomicBool::new(false));
    {
        // In raw mode Ctrl-C arrives as a key; without a terminal it is a signal.
        let stop = Arc::clone(&stop);
        ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed))
            .context("cannot install the Ctrl-C handler")?;
    }
    let mut remote = match args.osc {
        Some(port) => {
            let bind = std::net::SocketAddr::new(args.osc_bind, port);
            let (listener, rx) = OscListener::start(bind)
                .with_context(|| format!("cannot listen for OSC on {bind}"))?;
            Some(Remote { listener, rx })
        }
        None => None,
    };
    let player = Player::start(&show, &opts)?;
    let info = player.info().clone();
    let sr = f64::from(info.sample_rate);
    println!(
        "playing \"{}\" (seed {}) {}–{} on {}: {} Hz {} {} ch, buffer {} frames{}, device buffer {} frames",
        show.title,
        opts.seed,
        format_clock(info.from_frame as f64 / sr),
        format_clock(info.to_frame as f64 / sr),
        info.device,
        info.sample_rate,
        info.format,
        info.channels,
        info.requested_buffer_frames,
        if info.buffer_auto {
            " (picked for this device)"
        } else {
            ""
        },
        info.device_buffer_frames
            .map_or_else(|| "unknown".to_string(), |n| n.to_string()),
    );
    if let Some(r) = &remote {
        println!("listening for OSC on udp://{}", r.listener.local);
    }
    let player = if interactive {
        let ui = Tui::new(&show, info.to_frame as f64 / sr);
        ui.run(player, &stop, remote.as_mut())?
    } else {
        plain(player, &show, &stop, remote.as_mut())?
    };
    let summary = player.finish();
    if let Some(r) = &remote {
        println!("{}", r.listener.report());
    }
    print_summary(&summary);
    Ok(())
}

/// Give the stream a bigger buffer if the watchdog saw it struggle; say so in `note`. The
/// reopened stream plays a new engine: the operator's faders are set on it again.
fn keep_up(
    player: Player,
    show: &Show,
    watchdog: &mut Watchdog,
    desk: &Desk,
    note: &mut Option<String>,
) -> Result<Player> {
    let Some(r) = watchdog.check(&player) else {
        return Ok(player);
    };
    let (mut player, _) = player.reopen(show, r.to_frames)?;
    for (fader, setting) in desk.moved() {
        player.set_fader(fader, setting, 0.0);
    }
    desk.restart(&mut player);
    *note = Some(reopened_note(&r, player.info().device_buffer_frames));
    Ok(player)
}

fn reopened_note(r: &Reopened, granted: Option<u32>) -> String {
    let granted = granted.map_or_else(String::new, |g| format!(" ({g} granted)"));
    format!(
        "the stream could not keep up with a {}-frame buffer ({} xruns, {} stream errors, {} underruns, pace {} in {:.1} s): reopened with {} frames{granted}",
        r.from_frames,
        r.xruns,
        r.stream_errors,
        r.underruns,
        if r.pace.is_nan() {
            "not yet measured".to_string()
        } else {
            format!("{:.0} % of real time", 100.0 * r.pace)
        },
        r.after_secs,
        r.to_frames,
    )
}

/// The OSC side of `play`: the listener and what it has delivered.
struct Remote {
    listener: OscListener,
    rx: std::sync::mpsc::Receiver<Command>,
}

/// The operator's desk: carries out commands from the keyboard and from OSC alike, and
/// remembers where the faders were set (for the display) and when a fade-out ends.
#[derive(Default)]
struct Desk {
    energy: f32,
    applause: f32,
    master_db: f32,
    /// Each layer's level, dB (0 at home).
    layers_db: [f32; LAYERS],
    /// When a fade-out ends and the show stops.
    stop_at: Option<Instant>,
    /// The operator's chant while it runs (a copy, to start it again on a reopened stream).
    chant: Option<ChantCue>,
    /// The operator's clap-along tempo while it runs.
    clap_bpm: Option<f64>,
}

/// Step of the energy keys, and of the master level keys in dB.
const ENERGY_STEP: f32 = 0.1;
const MASTER_STEP_DB: f32 = 1.0;
/// The fade-out the `f` key starts, seconds.
const KEY_FADE_SECS: f64 = 5.0;
/// The clap-along tempo of the `k` key outside a song, bpm (a song's default).
const KEY_CLAP_BPM: f64 = 120.0;

impl Desk {
    /// Carry out `cmd`; true when the show should stop now. Returns a line saying what was
    /// done, where there is something to say.
    fn perform(
        &mut self,
        cmd: Command,
        player: &mut Player,
        show: &Show,
    ) -> (bool, Option<String>) {
        let note = match cmd {
            Command::Cue(cue, size) => {
                player.cue_sized(cue, size);
                format!("{cue:?} cue ({:.0} %)", 100.0 * size)
            }
            Command::Fader(fader, setting, ramp) => {
                player.set_fader(fader, setting, ramp);
                match fader {
                    Fader::Energy => self.energy = setting.clamp(-1.0, 1.0),
                    Fader::Applause => self.applause = setting.clamp(-1.0, 1.0),
                    Fader::Master => self.master_db = setting.max(LEVEL_FLOOR_DB),
                    Fader::Layer(k) => {
                        if let Some(db) = self.layers_db.get_mut(k) {
                            *db = setting.max(LEVEL_FLOOR_DB);
                        }
                    }
                }
                format!("{fader:?} → {setting}")
            }
            Command::Goto(target) => match goto_secs(show, &target) {
                Some(t) => {
                    player.seek(t);
                    format!("go to {target}")
                }
                None => format!("no moment \"{target}\""),
            },
            Command::Pause(p) => {
                player.set_paused(p);
                (if p { "paused" } else { "resumed" }).to_string()
            }
            Command::Fade(secs) => {
                player.set_fader(Fader::Master, LEVEL_FLOOR_DB - 1.0, secs);
                self.master_db = LEVEL_FLOOR_DB;
                // The fade is heard after the queued frames: stop once it has played.
                let queued = Duration::from_millis(250);
                self.stop_at = Some(Instant::now() + Duration::from_secs_f64(secs) + queued);
                format!("fading out over {secs} s")
            }
            Command::Stop => return (true, None),
            Command::Chant(Some(chant)) => {
                let note = format!("chant \"{}\" at {} bpm", chant.words(), chant.bpm());
                self.chant = Some(chant.clone());
                player.chant(chant);
                note
            }
            Command::Chant(None) => {
                self.chant = None;
                player.stop_chant();
                "chant stopped".to_string()
            }
            Command::Clap(bpm) => {
                self.clap_bpm = bpm;
                player.clap(bpm);
                bpm.map_or_else(
                    || "clap-along stopped".to_string(),
                    |b| format!("clap-along at {b} bpm"),
                )
            }
        };
        (false, Some(note))
    }

    /// Carry out every command that arrived by OSC; true when the show should stop now.
    fn serve(
        &mut self,
        remote: Option<&mut Remote>,
        player: &mut Player,
        show: &Show,
        notes: &mut Vec<String>,
    ) -> bool {
        if let Some(remote) = remote {
            while let Ok(cmd) = remote.rx.try_recv() {
                let (stop, note) = self.perform(cmd, player, show);
                if stop {
                    return true;
                }
                notes.extend(note.map(|n| format!("osc: {n}")));
            }
        }
        self.stop_at.is_some_and(|t| Instant::now() >= t)
    }

    /// The faders the operator has moved away from home, with their settings: what a new
    /// engine needs to sound as this one does.
    fn moved(&self) -> Vec<(Fader, f32)> {
        let mut all = vec![
            (Fader::Energy, self.energy),
            (Fader::Applause, self.applause),
            (Fader::Master, self.master_db),
        ];
        all.extend((0..LAYERS).map(|k| (Fader::Layer(k), self.layers_db[k])));
        all.retain(|&(_, setting)| setting != 0.0);
        all
    }

    /// Start again on a new stream what the operator has running: the chant and the
    /// clap-along (on a new beat).
    fn restart(&self, player: &mut Player) {
        if let Some(c) = &self.chant {
            player.chant(c.clone());
        }
        if self.clap_bpm.is_some() {
            player.clap(self.clap_bpm);
        }
    }

    /// The chant the `o` key starts: the words and tempo of the show's last chant moment (its
    /// encore chant), or "one more song" at the default tempo.
    fn key_chant(show: &Show) -> Option<ChantCue> {
        let m = show.moments.iter().rfind(|m| m.kind == MomentKind::Chant);
        let words = m
            .and_then(|m| m.words.as_deref())
            .unwrap_or(DEFAULT_CHANT_WORDS);
        let bpm = m
            .map(|m| m.bpm)
            .filter(|b| CHANT_BPM.contains(b))
            .unwrap_or(DEFAULT_CHANT_BPM);
        ChantCue::new(words, bpm)
            .or_else(|_| ChantCue::new(DEFAULT_CHANT_WORDS, DEFAULT_CHANT_BPM))
            .ok()
    }

    /// The tempo the `k` key claps along at: the song playing at `secs`, or [`KEY_CLAP_BPM`].
    fn key_clap_bpm(show: &Show, secs: f64) -> f64 {
        show.moment_at(secs)
            .and_then(|i| show.moments[i].song)
            .map(|s| show.songs[s].bpm)
            .filter(|b| CLAP_BPM.contains(b))
            .unwrap_or(KEY_CLAP_BPM)
    }

    /// The faders as the display shows them.
    fn line(&self) -> String {
        let master = if self.master_db <= LEVEL_FLOOR_DB {
            "off".to_string()
        } else {
            format!("{:+.0} dB", self.master_db)
        };
        let chant = self
            .chant
            .as_ref()
            .map_or_else(String::new, |c| format!(" · chant \"{}\"", c.words()));
        let clap = self
            .clap_bpm
            .map_or_else(String::new, |b| format!(" · clap-along {b} bpm"));
        format!(
            "energy {:+.1} · applause {:+.1} · master {master}{chant}{clap}",
            self.energy, self.applause
        )
    }
}

/// Where `/concert/goto TARGET` goes: a moment by number (1 = first), a time of the show
/// (`3:20`), or the first moment whose label contains TARGET (any case).
fn goto_secs(show: &Show, target: &str) -> Option<f64> {
    let t = target.trim();
    if let Ok(n) = t.parse::<usize>() {
        return show.moments.get(n.checked_sub(1)?).map(|m| m.start_secs);
    }
    if let Ok(secs) = concert::preset::time::parse_time(t) {
        return (secs < show.duration_secs).then_some(secs);
    }
    let lower = t.to_lowercase();
    show.moments
        .iter()
        .find(|m| m.label.to_lowercase().contains(&lower) || m.kind.name() == lower)
        .map(|m| m.start_secs)
}

/// Without a terminal: play to the end (or a Ctrl-C), one line per moment as it starts.
fn plain(
    mut player: Player,
    show: &Show,
    stop: &AtomicBool,
    mut remote: Option<&mut Remote>,
) -> Result<Player> {
    let mut current = None;
    let mut first = true;
    let mut watchdog = Watchdog::new();
    let mut desk = Desk::default();
    loop {
        let mut note = None;
        player = keep_up(player, show, &mut watchdog, &desk, &mut note)?;
        if let Some(note) = note {
            eprintln!("note: {note}");
        }
        let mut osc_notes = Vec::new();
        let osc_stop = desk.serve(remote.as_deref_mut(), &mut player, show, &mut osc_notes);
        for n in osc_notes {
            println!("{n}");
        }
        if osc_stop {
            player.stop();
            break;
        }
        let snap = player.snapshot();
        let now = show.moment_at(snap.show_secs);
        if (now != current || first) && !snap.finished {
            if let Some(m) = now.map(|i| &show.moments[i]) {
                println!(
                    "{:>8}  {:<12} {}",
                    format_clock(m.start_secs),
                    m.kind.name(),
                    m.label
                );
                let _ = std::io::stdout().flush();
            }
            current = now;
            first = false;
        }
        if snap.finished {
            break;
        }
        if stop.load(Ordering::Relaxed) {
            player.stop();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(player)
}

fn print_summary(s: &Summary) {
    let sr = f64::from(s.info.sample_rate);
    let allocs = s
        .rt_allocs
        .map_or_else(String::new, |n| format!(", callback allocations {n}"));
    println!(
        "{} {} ({} frames) in {:.2} s wall; underruns {} ({} frames), xruns {}, stream errors {}; latency {:.1} ms ({} queued + {} device frames){}",
        if s.stopped { "stopped after" } else { "played" },
        format_clock(s.played_frames as f64 / sr),
        s.played_frames,
        s.wall_secs,
        s.underruns,
        s.underrun_frames,
        s.xruns,
        s.stream_errors,
        s.latency_ms(),
        s.queued_frames,
        s.info.device_buffer_frames.unwrap_or(0),
        allocs,
    );
    let line = |what: &str, b: &Budget, per: &str| {
        println!(
            "{what}: p99 {:.1} %, max {:.1} %, mean {:.1} % of {per} ({} measured)",
            100.0 * b.p99,
            100.0 * b.max,
            100.0 * b.mean,
            b.count
        );
    };
    if let Some(b) = &s.render {
        line("render time per buffer", b, "the buffer's duration");
    }
    if let Some(b) = &s.callback {
        line("callback time", b, "the callback's buffer duration");
    }
}

/// The interactive status display.
struct Tui<'a> {
    show: &'a Show,
    end_secs: f64,
}

/// Restores the terminal however the display ends.
struct RawMode;

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), cursor::Show);
        let _ = terminal::disable_raw_mode();
        println!();
    }
}

const KEYS: &str = "space pause · ←/→ moment · a applause · c cheers · w whistles · r roar · h hush · o chant on/off · k clap-along on/off · ↑/↓ energy · [/] master · f fade out · q quit";

impl<'a> Tui<'a> {
    fn new(show: &'a Show, end_secs: f64) -> Self {
        Tui { show, end_secs }
    }

    fn run(
        &self,
        mut player: Player,
        stop: &AtomicBool,
        mut remote: Option<&mut Remote>,
    ) -> Result<Player> {
        terminal::enable_raw_mode().context("cannot put the terminal in raw mode")?;
        let _raw = RawMode;
        let mut out = std::io::stdout();
        queue!(out, cursor::Hide)?;
        let mut drawn = 0u16;
        let mut meter_db = -90.0f64;
        let mut last = Instant::now();
        let mut cue_note = String::new();
        let mut watchdog = Watchdog::new();
        let mut desk = Desk::default();
        loop {
            let mut note = None;
            player = keep_up(player, self.show, &mut watchdog, &desk, &mut note)?;
            if let Some(note) = note {
                cue_note = note;
            }
            let mut osc_notes = Vec::new();
            if desk.serve(
                remote.as_deref_mut(),
                &mut player,
                self.show,
                &mut osc_notes,
            ) {
                break;
            }
            if let Some(n) = osc_notes.pop() {
                cue_note = n;
            }
            if event::poll(Duration::from_millis(40))?
                && let Event::Key(k) = event::read()?
                && k.kind == KeyEventKind::Press
            {
                let snap = player.snapshot();
                let cmd = match k.code {
                    KeyCode::Char('q') | KeyCode::Esc => break,
                    KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => break,
                    KeyCode::Char(' ') => Some(Command::Pause(!snap.paused)),
                    KeyCode::Char('a') => Some(Command::Cue(Cue::Applause, 1.0)),
                    KeyCode::Char('c') => Some(Command::Cue(Cue::Cheers, 1.0)),
                    KeyCode::Char('w') => Some(Command::Cue(Cue::Whistles, 1.0)),
                    KeyCode::Char('r') => Some(Command::Cue(Cue::Roar, 1.0)),
                    KeyCode::Char('h') => Some(Command::Cue(Cue::Hush, 1.0)),
                    KeyCode::Up | KeyCode::Down => {
                        let step = if k.code == KeyCode::Up { 1.0 } else { -1.0 };
                        let to = (desk.energy + step * ENERGY_STEP).clamp(-1.0, 1.0);
                        Some(Command::Fader(Fader::Energy, to, 0.3))
                    }
                    KeyCode::Char(']') | KeyCode::Char('[') => {
                        let step = if k.code == KeyCode::Char(']') {
                            1.0
                        } else {
                            -1.0
                        };
                        let from = desk.master_db.max(-60.0);
                        let to = (from + step * MASTER_STEP_DB).min(LEVEL_MAX_DB);
                        Some(Command::Fader(Fader::Master, to, 0.1))
                    }
                    KeyCode::Char('f') => Some(Command::Fade(KEY_FADE_SECS)),
                    KeyCode::Char('o') if desk.chant.is_some() => Some(Command::Chant(None)),
                    KeyCode::Char('o') => {
                        Desk::key_chant(self.show).map(|c| Command::Chant(Some(c)))
                    }
                    KeyCode::Char('k') if desk.clap_bpm.is_some() => Some(Command::Clap(None)),
                    KeyCode::Char('k') => Some(Command::Clap(Some(Desk::key_clap_bpm(
                        self.show,
                        snap.show_secs,
                    )))),
                    KeyCode::Right => {
                        if let Some(t) = self.next_start(snap.show_secs) {
                            player.seek(t);
                        }
                        None
                    }
                    KeyCode::Left => {
                        player.seek(self.previous_start(snap.show_secs));
                        None
                    }
                    _ => None,
                };
                if let Some(cmd) = cmd {
                    let (_, note) = desk.perform(cmd, &mut player, self.show);
                    if let Some(n) = note {
                        cue_note = n;
                    }
                }
            }
            let snap = player.snapshot();
            if snap.finished || stop.load(Ordering::Relaxed) {
                break;
            }
            // Peak meter with a 20 dB/s fall, like a hardware PPM.
            let dt = last.elapsed().as_secs_f64();
            last = Instant::now();
            let db = 20.0 * f64::from(snap.peak.max(1e-6)).log10();
            meter_db = db.max(meter_db - 20.0 * dt);
            let lines = self.lines(&snap, meter_db, &cue_note, &desk);
            let width = terminal::size().map_or(80, |(w, _)| w as usize).max(20);
            if drawn > 0 {
                queue!(out, cursor::MoveToPreviousLine(drawn))?;
            }
            for l in &lines {
                let l: String = l.chars().take(width - 1).collect();
                queue!(
                    out,
                    terminal::Clear(terminal::ClearType::CurrentLine),
                    crossterm::style::Print(l),
                    crossterm::style::Print("\r\n")
                )?;
            }
            drawn = lines.len() as u16;
            out.flush()?;
        }
        player.stop();
        Ok(player)
    }

    fn lines(
        &self,
        snap: &concert::output::live::Snapshot,
        meter_db: f64,
        cue: &str,
        desk: &Desk,
    ) -> Vec<String> {
        let show = self.show;
        let t = snap.show_secs;
        let now = show.moment_at(t).map(|i| &show.moments[i]);
        let next = show.moments.iter().find(|m| m.start_secs > t + 0.05);
        let bar_len = 24;
        let filled = (((meter_db + 60.0) / 60.0).clamp(0.0, 1.0) * bar_len as f64).round() as usize;
        vec![
            show.title.clone(),
            format!(
                "now   {}",
                now.map_or_else(
                    || "(between moments)".to_string(),
                    |m| format!("{:<12} {}", m.kind.name(), m.label)
                )
            ),
            format!(
                "next  {}",
                next.map_or_else(
                    || "(end)".to_string(),
                    |m| format!(
                        "{:<12} {}  in {}",
                        m.kind.name(),
                        m.label,
                        format_clock(m.start_secs - t)
                    )
                )
            ),
            format!(
                "{} / {}  [{}{}] {:>5.1} dB  underruns {}{}  {}",
                format_clock(t),
                format_clock(self.end_secs),
                "#".repeat(filled),
                " ".repeat(bar_len - filled),
                meter_db.max(-60.0),
                snap.underruns,
                if snap.paused { "  PAUSED" } else { "" },
                cue
            ),
            desk.line(),
            KEYS.to_string(),
        ]
    }

    /// Start of the next moment after `t`, if any.
    fn next_start(&self, t: f64) -> Option<f64> {
        self.show
            .moments
            .iter()
            .map(|m| m.start_secs)
            .find(|&s| s > t + 0.05)
    }

    /// Start of the current moment, or of the one before when less than 2 s in (like a CD
    /// player's back button).
    fn previous_start(&self, t: f64) -> f64 {
        self.show
            .moments
            .iter()
            .map(|m| m.start_secs)
            .rfind(|&s| s <= t - 2.0)
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reopened_stream_gets_every_moved_fader_and_only_those() {
        let mut desk = Desk::default();
        assert!(desk.moved().is_empty(), "faders at home need nothing");
        desk.energy = 0.4;
        desk.master_db = LEVEL_FLOOR_DB;
        desk.layers_db[1] = -6.0;
        assert_eq!(
            desk.moved(),
            [
                (Fader::Energy, 0.4),
                (Fader::Master, LEVEL_FLOOR_DB),
                (Fader::Layer(1), -6.0)
            ]
        );
    }
}
