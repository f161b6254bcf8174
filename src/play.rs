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
use concert::engine::Cue;
use concert::output::live::{Budget, PlayOptions, Player, Summary, output_devices};
use concert::preset::time::format_clock;
use concert::show::Show;

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
    let mut player = Player::start(&show, &opts)?;
    let info = player.info().clone();
    let sr = f64::from(info.sample_rate);
    println!(
        "playing \"{}\" (seed {}) {}–{} on {}: {} Hz {} {} ch, device buffer {} frames",
        show.title,
        opts.seed,
        format_clock(info.from_frame as f64 / sr),
        format_clock(info.to_frame as f64 / sr),
        info.device,
        info.sample_rate,
        info.format,
        info.channels,
        info.device_buffer_frames
            .map_or_else(|| "unknown".to_string(), |n| n.to_string()),
    );
    if interactive {
        let ui = Tui::new(&show, info.to_frame as f64 / sr);
        ui.run(&mut player, &stop)?;
    } else {
        plain(&player, &show, &stop);
    }
    let summary = player.finish();
    print_summary(&summary);
    Ok(())
}

/// Without a terminal: play to the end (or a Ctrl-C), one line per moment as it starts.
fn plain(player: &Player, show: &Show, stop: &AtomicBool) {
    let mut current = None;
    let mut first = true;
    loop {
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

const KEYS: &str = "space pause · ←/→ moment · a applause · c cheers · w whistles · q quit";

impl<'a> Tui<'a> {
    fn new(show: &'a Show, end_secs: f64) -> Self {
        Tui { show, end_secs }
    }

    fn run(&self, player: &mut Player, stop: &AtomicBool) -> Result<()> {
        terminal::enable_raw_mode().context("cannot put the terminal in raw mode")?;
        let _raw = RawMode;
        let mut out = std::io::stdout();
        queue!(out, cursor::Hide)?;
        let mut drawn = 0u16;
        let mut meter_db = -90.0f64;
        let mut last = Instant::now();
        let mut cue_note = String::new();
        loop {
            if event::poll(Duration::from_millis(40))?
                && let Event::Key(k) = event::read()?
                && k.kind == KeyEventKind::Press
            {
                let snap = player.snapshot();
                match k.code {
                    KeyCode::Char('q') | KeyCode::Esc => break,
                    KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => break,
                    KeyCode::Char(' ') => player.set_paused(!snap.paused),
                    KeyCode::Char('a') => {
                        player.cue(Cue::Applause);
                        cue_note = "applause!".into();
                    }
                    KeyCode::Char('c') => {
                        player.cue(Cue::Cheers);
                        cue_note = "cheers!".into();
                    }
                    KeyCode::Char('w') => {
                        player.cue(Cue::Whistles);
                        cue_note = "whistles!".into();
                    }
                    KeyCode::Right => {
                        if let Some(t) = self.next_start(snap.show_secs) {
                            player.seek(t);
                        }
                    }
                    KeyCode::Left => player.seek(self.previous_start(snap.show_secs)),
                    _ => {}
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
            let lines = self.lines(&snap, meter_db, &cue_note);
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
        Ok(())
    }

    fn lines(
        &self,
        snap: &concert::output::live::Snapshot,
        meter_db: f64,
        cue: &str,
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
