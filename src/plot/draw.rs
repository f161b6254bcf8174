//! Paints a [`Layout`] with `plotters` into an RGB buffer: bands, curves, notes, loudness and
//! the time axis. Labels are queued while `plotters` draws the shapes and set on top
//! afterwards by [`text`](super::text) (the vendored DejaVu Sans; no system fonts).

use std::cell::RefCell;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{self, Layout, Rect};
use super::loudness::ShortTerm;
use super::text::{Across, Down, Label, Typeface};
use super::{PlotError, Plotted};
use crate::preset::time::format_clock;
use crate::show::{MomentKind, Show};

/// Seconds between two samples of the control curves (four per second follows every swell).
const CURVE_STEP_SECS: f64 = 0.25;
/// Loudness shown by the loudness strip, in LU below its top line.
const LOUDNESS_RANGE_LU: f64 = 40.0;
/// Semitones shown above and below the highest and lowest sung note.
const PITCH_MARGIN: i32 = 1;
/// Fewest semitones the piano roll spans (a one-note song still reads as a line in a range).
const MIN_PITCH_SPAN: i32 = 12;
/// Room kept above 1 and below 0 in the curves strip, as a fraction of its height.
const HEADROOM: f64 = 0.04;
/// How much of a band's colour tints the strips under it (the rest is white).
const TINT: f64 = 0.13;

const INK: RGBColor = RGBColor(33, 37, 41);
const FAINT: RGBColor = RGBColor(120, 126, 133);
const GRID: RGBColor = RGBColor(222, 226, 230);
const FRAME: RGBColor = RGBColor(173, 181, 189);
const LOUDNESS_LINE: RGBColor = RGBColor(8, 102, 110);
const NOTE: RGBColor = RGBColor(52, 58, 140);

/// The colour of a moment's band.
pub fn kind_color(kind: MomentKind) -> RGBColor {
    match kind {
        MomentKind::Murmur => RGBColor(173, 181, 189),
        MomentKind::LightsDown => RGBColor(103, 65, 166),
        MomentKind::Song => RGBColor(51, 110, 204),
        MomentKind::Applause => RGBColor(245, 159, 0),
        MomentKind::Chant => RGBColor(214, 51, 108),
        MomentKind::Banter => RGBColor(18, 150, 140),
        MomentKind::Hush => RGBColor(116, 143, 252),
        MomentKind::Encore => RGBColor(25, 60, 150),
        MomentKind::Finale => RGBColor(224, 49, 49),
    }
}

/// The control curves drawn, with their colours.
const CURVES: [(&str, RGBColor); 5] = [
    ("energy", RGBColor(33, 37, 41)),
    ("roar", RGBColor(224, 49, 49)),
    ("applause", RGBColor(245, 159, 0)),
    ("chant", RGBColor(214, 51, 108)),
    ("cheers", RGBColor(47, 158, 68)),
];

fn draw_err(e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw(e.to_string())
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Paints the plot; returns the RGB pixels (row-major, 3 bytes a pixel) and what was drawn.
pub fn draw(
    show: &Show,
    l: &Layout,
    loudness: Option<&ShortTerm>,
) -> Result<(Vec<u8>, Plotted), PlotError> {
    let face = Typeface::new();
    let labels = RefCell::new(Vec::new());
    let mut rgb = vec![255u8; l.width as usize * l.height as usize * 3];
    let plotted;
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (l.width, l.height)).into_drawing_area();
        let p = Painter {
            root: &root,
            l,
            face: &face,
            labels: &labels,
        };
        p.title(show)?;
        let bands = layout::bands(show, l);
        p.tints(show, &bands)?;
        p.grid()?;
        p.bands(show, &bands)?;
        p.curves(show)?;
        let notes = p.notes(show)?;
        let max_lufs = match (loudness, l.loudness) {
            (Some(st), Some(r)) => p.loudness(st, r)?,
            _ => None,
        };
        p.axis()?;
        root.present().map_err(draw_err)?;
        plotted = Plotted {
            span: l.span,
            moments: bands.len(),
            notes,
            max_short_term_lufs: max_lufs,
        };
    }
    for label in labels.borrow().iter() {
        face.set(&mut rgb, (l.width, l.height), label);
    }
    Ok((rgb, plotted))
}

struct Painter<'a, 'b> {
    root: &'a Area<'b>,
    l: &'a Layout,
    face: &'a Typeface,
    /// Text to set once the shapes are drawn.
    labels: &'a RefCell<Vec<Label>>,
}

impl Painter<'_, '_> {
    fn text(
        &self,
        s: &str,
        at: (i32, i32),
        size: f64,
        color: RGBColor,
        anchor: (Across, Down),
    ) -> Result<(), PlotError> {
        self.labels.borrow_mut().push(Label {
            text: s.to_string(),
            at,
            size_px: size,
            color: [color.0, color.1, color.2],
            anchor,
        });
        Ok(())
    }

    fn text_width(&self, s: &str, size: f64) -> Result<i32, PlotError> {
        Ok(self.face.width(s, size).ceil() as i32)
    }

    /// `s`, shortened with an ellipsis to fit `width` pixels (`None` if not even one letter does).
    fn fit(&self, s: &str, size: f64, width: i32) -> Result<Option<String>, PlotError> {
        if self.text_width(s, size)? <= width {
            return Ok(Some(s.to_string()));
        }
        let chars: Vec<char> = s.chars().collect();
        for n in (1..chars.len()).rev() {
            let short: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
            if self.text_width(&short, size)? <= width {
                return Ok(Some(short));
            }
        }
        Ok(None)
    }

    fn fill(&self, r: Rect, color: RGBColor) -> Result<(), PlotError> {
        self.root
            .draw(&Rectangle::new(
                [(r.x0, r.y0), (r.x1 - 1, r.y1 - 1)],
                color.filled(),
            ))
            .map_err(draw_err)
    }

    fn frame(&self, r: Rect) -> Result<(), PlotError> {
        self.root
            .draw(&Rectangle::new(
                [(r.x0, r.y0), (r.x1 - 1, r.y1 - 1)],
                FRAME.stroke_width(1),
            ))
            .map_err(draw_err)
    }

    fn line(&self, points: Vec<(i32, i32)>, color: RGBColor, width: u32) -> Result<(), PlotError> {
        self.root
            .draw(&PathElement::new(points, color.stroke_width(width)))
            .map_err(draw_err)
    }

    /// A line inside `r` only (thick lines at sharp turns overshoot their points).
    fn line_in(
        &self,
        r: Rect,
        points: Vec<(i32, i32)>,
        color: RGBColor,
        width: u32,
    ) -> Result<(), PlotError> {
        let area = self.root.clone().shrink(
            (r.x0, r.y0),
            (r.width().max(0) as u32, r.height().max(0) as u32),
        );
        let local = points
            .into_iter()
            .map(|(x, y)| (x - r.x0, y - r.y0))
            .collect::<Vec<_>>();
        area.draw(&PathElement::new(local, color.stroke_width(width)))
            .map_err(draw_err)
    }

    /// A strip's name (and a smaller second line) in the left margin.
    fn strip_name(&self, r: Rect, name: &str, sub: &str) -> Result<(), PlotError> {
        let f = self.l.font_px;
        let x = (0.5 * f) as i32;
        self.text(name, (x, r.y0), f, INK, (Across::Left, Down::Top))?;
        if !sub.is_empty() {
            let y = r.y0 + (1.3 * f) as i32;
            self.text(sub, (x, y), 0.8 * f, FAINT, (Across::Left, Down::Top))?;
        }
        Ok(())
    }

    /// A scale value right-aligned against a strip's left edge.
    fn scale_label(&self, r: Rect, y: i32, s: &str) -> Result<(), PlotError> {
        let f = self.l.font_px;
        let x = r.x0 - (0.35 * f) as i32;
        self.text(s, (x, y), 0.8 * f, FAINT, (Across::Right, Down::Center))
    }

    fn title(&self, show: &Show) -> Result<(), PlotError> {
        let l = self.l;
        let f = l.font_px;
        let mut what = format!(
            "{} · {} {} · {} people · ",
            show.title,
            show.venue.kind.name(),
            show.venue.listener.name(),
            show.venue.audience,
        );
        if l.span.from_secs > 0.0 || l.span.to_secs < show.duration_secs {
            what += &format!(
                "{} – {} of {}",
                format_clock(l.span.from_secs),
                format_clock(l.span.to_secs),
                format_clock(show.duration_secs)
            );
        } else {
            what += &format_clock(show.duration_secs);
        }
        let line = self
            .fit(&what, 1.25 * f, l.title.width())?
            .unwrap_or_default();
        let y = (l.title.y0 + l.title.y1) / 2;
        self.text(
            &line,
            (l.title.x0, y),
            1.25 * f,
            INK,
            (Across::Left, Down::Center),
        )
    }

    /// The bands' colours, faint, behind every strip under them: the arc reads top to bottom.
    fn tints(&self, show: &Show, bands: &[layout::Band]) -> Result<(), PlotError> {
        let l = self.l;
        let mut strips = vec![l.curves, l.notes];
        strips.extend(l.loudness);
        for b in bands {
            let c = kind_color(show.moments[b.moment].kind);
            let mix = |v: u8| (255.0 - TINT * (255.0 - f64::from(v))).round() as u8;
            let tint = RGBColor(mix(c.0), mix(c.1), mix(c.2));
            for s in &strips {
                self.fill(
                    Rect {
                        x0: b.rect.x0,
                        y0: s.y0,
                        x1: b.rect.x1,
                        y1: s.y1,
                    },
                    tint,
                )?;
            }
        }
        Ok(())
    }

    /// Vertical lines at the ticks through every strip.
    fn grid(&self) -> Result<(), PlotError> {
        let l = self.l;
        let mut strips = vec![l.curves, l.notes];
        strips.extend(l.loudness);
        for t in layout::ticks(l.span, l.bands.width()) {
            let x = l.x_of(t);
            for s in &strips {
                self.line(vec![(x, s.y0), (x, s.y1 - 1)], GRID, 1)?;
            }
        }
        Ok(())
    }

    fn bands(&self, show: &Show, bands: &[layout::Band]) -> Result<(), PlotError> {
        let l = self.l;
        let f = l.font_px;
        self.strip_name(l.bands, "moments", "")?;
        for b in bands {
            let m = &show.moments[b.moment];
            let c = kind_color(m.kind);
            self.fill(b.rect, c)?;
            // A white seam in a band's last column, so two moments of a kind stay apart and
            // the next band's colour starts exactly at its start time's column.
            if b.rect.x1 < l.bands.x1 {
                let x = b.rect.x1 - 1;
                self.line(vec![(x, b.rect.y0), (x, b.rect.y1 - 1)], WHITE, 1)?;
            }
            let luma = 0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2);
            let ink = if luma > 150.0 { INK } else { WHITE };
            let label = match m.song.filter(|_| m.kind.is_song()) {
                Some(s) => show.songs[s].title.as_str(),
                None => m.label.as_str(),
            };
            let room = b.rect.width() - (0.8 * f) as i32;
            let x = b.rect.x0 + (0.4 * f) as i32;
            let mid = (b.rect.y0 + b.rect.y1) / 2;
            if let Some(text) = self.fit(label, f, room)? {
                self.text(
                    &text,
                    (x, mid - (0.05 * f) as i32),
                    f,
                    ink,
                    (Across::Left, Down::Bottom),
                )?;
            }
            if let Some(text) = self.fit(m.kind.name(), 0.75 * f, room)? {
                self.text(
                    &text,
                    (x, mid + (0.2 * f) as i32),
                    0.75 * f,
                    ink,
                    (Across::Left, Down::Top),
                )?;
            }
        }
        Ok(())
    }

    fn curves(&self, show: &Show) -> Result<(), PlotError> {
        let l = self.l;
        let r = l.curves;
        let f = l.font_px;
        let span = l.span;
        let n = (span.secs() / CURVE_STEP_SECS).ceil() as usize;
        let samples: Vec<(f64, [f64; 5])> = (0..=n)
            .map(|i| {
                let t = (span.from_secs + i as f64 * CURVE_STEP_SECS).min(span.to_secs);
                let p = show.params_at(t);
                let v = [p.energy, p.roar, p.applause, p.chant, p.cheer_rate];
                (t, v.map(f64::from))
            })
            .collect();
        // Cheers are a rate (per second), not a level: drawn against the span's own peak.
        let cheers_peak = samples.iter().map(|s| s.1[4]).fold(0.0, f64::max);
        let y_of = |v: f64| {
            let k = v.clamp(0.0, 1.0);
            let h = f64::from(r.height());
            (f64::from(r.y1) - HEADROOM * h - k * h * (1.0 - 2.0 * HEADROOM)).round() as i32
        };
        for (ci, (_, color)) in CURVES.iter().enumerate().rev() {
            let scale = if ci == 4 { cheers_peak.max(1e-9) } else { 1.0 };
            let points = samples
                .iter()
                .map(|(t, v)| (l.x_of(*t), y_of(v[ci] / scale)))
                .collect();
            self.line_in(r, points, *color, 2)?;
        }
        self.frame(r)?;
        self.strip_name(r, "crowd", "control curves")?;
        self.scale_label(r, y_of(1.0), "1")?;
        self.scale_label(r, y_of(0.0), "0")?;
        let x = (0.5 * f) as i32;
        for (i, (name, color)) in CURVES.iter().enumerate() {
            let y = r.y0 + ((3.0 + 1.25 * i as f64) * f) as i32;
            self.line(vec![(x, y), (x + f as i32, y)], *color, 3)?;
            self.text(
                name,
                (x + (1.4 * f) as i32, y),
                0.85 * f,
                INK,
                (Across::Left, Down::Center),
            )?;
        }
        if cheers_peak > 0.0 {
            let y = r.y0 + ((3.0 + 1.25 * CURVES.len() as f64 - 0.6) * f) as i32;
            let note = format!("(top: {cheers_peak:.1}/s)");
            self.text(
                &note,
                (x + (1.4 * f) as i32, y),
                0.75 * f,
                FAINT,
                (Across::Left, Down::Top),
            )?;
        }
        Ok(())
    }

    /// The piano roll; returns the number of notes drawn.
    fn notes(&self, show: &Show) -> Result<usize, PlotError> {
        let l = self.l;
        let r = l.notes;
        let f = l.font_px;
        let span = l.span;
        let notes: Vec<_> = show
            .lead_notes()
            .into_iter()
            .filter(|n| n.end_secs > span.from_secs && n.start_secs < span.to_secs)
            .collect();
        self.strip_name(r, "lead", "sung notes")?;
        if notes.is_empty() {
            self.frame(r)?;
            let mid = ((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2);
            let what = "no sung notes in this span";
            self.text(what, mid, f, FAINT, (Across::Center, Down::Center))?;
            return Ok(0);
        }
        let lo0 = notes.iter().map(|n| i32::from(n.midi)).min().unwrap_or(60) - PITCH_MARGIN;
        let hi0 = notes.iter().map(|n| i32::from(n.midi)).max().unwrap_or(60) + PITCH_MARGIN;
        let widen = (MIN_PITCH_SPAN - (hi0 - lo0)).max(0);
        let (lo, hi) = (lo0 - widen / 2, hi0 + (widen - widen / 2));
        let row = f64::from(r.height()) / f64::from(hi - lo + 1);
        let top_of = |midi: i32| f64::from(r.y0) + f64::from(hi - midi) * row;
        // Lines and names at every C, so a melody's register reads at a glance.
        for midi in lo..=hi {
            if midi.rem_euclid(12) == 0 {
                let y = (top_of(midi) + row / 2.0).round() as i32;
                self.line(vec![(r.x0, y), (r.x1 - 1, y)], GRID, 1)?;
                self.scale_label(r, y, &format!("C{}", midi / 12 - 1))?;
            }
        }
        for n in &notes {
            let x0 = l.x_of(n.start_secs.max(span.from_secs));
            let x1 = l.x_of(n.end_secs.min(span.to_secs)).max(x0 + 1);
            let y0 = top_of(i32::from(n.midi));
            let y1 = y0 + row.max(2.0);
            // Louder notes darker.
            let k = 0.45 + 0.55 * f64::from(n.velocity.clamp(0.0, 1.0));
            let mix = |v: u8| (255.0 - k * (255.0 - f64::from(v))).round() as u8;
            let c = RGBColor(mix(NOTE.0), mix(NOTE.1), mix(NOTE.2));
            self.fill(
                Rect {
                    x0,
                    y0: y0.round() as i32,
                    x1,
                    y1: (y1.round() as i32).max(y0.round() as i32 + 1),
                },
                c,
            )?;
        }
        self.frame(r)?;
        Ok(notes.len())
    }

    /// The render's short-term loudness; returns its loudest reading.
    fn loudness(&self, st: &ShortTerm, r: Rect) -> Result<Option<f64>, PlotError> {
        let l = self.l;
        let f = l.font_px;
        let max = st
            .readings
            .iter()
            .map(|(_, v)| *v)
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        self.strip_name(r, "loudness", "LUFS, 3 s")?;
        if !max.is_finite() {
            self.frame(r)?;
            let mid = ((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2);
            let what = "silent (or shorter than the 3 s window)";
            self.text(what, mid, f, FAINT, (Across::Center, Down::Center))?;
            return Ok(None);
        }
        let top = ((max / 10.0).ceil() * 10.0).min(0.0).max(max);
        let bottom = top - LOUDNESS_RANGE_LU;
        let y_of = |v: f64| {
            let k = ((v - bottom) / LOUDNESS_RANGE_LU).clamp(0.0, 1.0);
            (f64::from(r.y1 - 1) - k * f64::from(r.height() - 2)).round() as i32
        };
        let mut db = top;
        while db >= bottom - 1e-9 {
            let y = y_of(db);
            self.line(vec![(r.x0, y), (r.x1 - 1, y)], GRID, 1)?;
            self.scale_label(r, y, &format!("{db:.0}"))?;
            db -= 10.0;
        }
        // Readings are on the file's clock; the file starts at the span's start.
        let mut run: Vec<(i32, i32)> = Vec::new();
        for (secs, lufs) in &st.readings {
            if lufs.is_finite() {
                run.push((l.x_of(l.span.from_secs + secs), y_of(*lufs)));
            } else if !run.is_empty() {
                self.line_in(r, std::mem::take(&mut run), LOUDNESS_LINE, 2)?;
            }
        }
        if !run.is_empty() {
            self.line_in(r, run, LOUDNESS_LINE, 2)?;
        }
        self.frame(r)?;
        Ok(Some(max))
    }

    fn axis(&self) -> Result<(), PlotError> {
        let l = self.l;
        let f = l.font_px;
        let r = l.axis;
        let tick = (0.35 * f) as i32;
        for t in layout::ticks(l.span, l.bands.width()) {
            let x = l.x_of(t);
            self.line(vec![(x, r.y0), (x, r.y0 + tick)], FRAME, 1)?;
            let y = r.y0 + tick + (0.2 * f) as i32;
            self.text(
                &layout::tick_label(t),
                (x, y),
                0.85 * f,
                INK,
                (Across::Center, Down::Top),
            )?;
        }
        Ok(())
    }
}
