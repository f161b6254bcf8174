//! Where everything goes on the picture, in pixels: the strips stacked under the title, the
//! time → column mapping every strip shares, the moments' bands and the time ticks.
//!
//! Pure geometry, no drawing, so the placement a test checks on the decoded PNG is the one
//! computed here from the show's times.

use crate::show::Show;

/// Smallest picture that still has room for every strip's labels, in pixels.
pub const MIN_SIZE_PX: (u32, u32) = (480, 320);
/// Default picture size: 16:9, wide enough for a song title on a three-minute band.
pub const DEFAULT_SIZE_PX: (u32, u32) = (1600, 900);

/// Text height as a fraction of the picture's height (clamped to [`FONT_PX`]).
const FONT_FRACTION: f64 = 1.0 / 56.0;
/// Range of the text height, in pixels.
const FONT_PX: (f64, f64) = (10.0, 22.0);
/// Target spacing of the time ticks, in pixels.
const TICK_SPACING_PX: f64 = 110.0;
/// Tick steps a time axis may use, in seconds (m:ss reads well at each).
const TICK_STEPS_SECS: [f64; 12] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0,
];

/// A rectangle in pixels: columns `x0..x1`, rows `y0..y1` (ends excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// First column.
    pub x0: i32,
    /// First row.
    pub y0: i32,
    /// Column after the last.
    pub x1: i32,
    /// Row after the last.
    pub y1: i32,
}

impl Rect {
    /// Height in pixels.
    pub fn height(&self) -> i32 {
        self.y1 - self.y0
    }

    /// Width in pixels.
    pub fn width(&self) -> i32 {
        self.x1 - self.x0
    }
}

/// The span of the show a picture covers, in seconds of the show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// First second shown.
    pub from_secs: f64,
    /// Last second shown (> `from_secs`).
    pub to_secs: f64,
}

impl Span {
    /// Length in seconds.
    pub fn secs(&self) -> f64 {
        self.to_secs - self.from_secs
    }
}

/// The picture's strips, top to bottom, and the time axis they share.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Text height in pixels.
    pub font_px: f64,
    /// The time span from the left to the right edge of the strips.
    pub span: Span,
    /// Title line.
    pub title: Rect,
    /// Moments as coloured bands.
    pub bands: Rect,
    /// Control curves (0..1).
    pub curves: Rect,
    /// The sung notes (piano roll).
    pub notes: Rect,
    /// Short-term loudness of a render, when one is given.
    pub loudness: Option<Rect>,
    /// The tick labels under the last strip.
    pub axis: Rect,
}

impl Layout {
    /// The layout of a `width` × `height` picture of `span`, with a loudness strip or not.
    /// Sizes below [`MIN_SIZE_PX`] are the caller's to refuse.
    pub fn new(width: u32, height: u32, span: Span, with_loudness: bool) -> Layout {
        let font_px = (f64::from(height) * FONT_FRACTION).clamp(FONT_PX.0, FONT_PX.1);
        let f = |k: f64| (k * font_px).round() as i32;
        // Room on the left for each strip's name and scale, a little on the right.
        let (x0, x1) = (f(7.0), width as i32 - f(1.5));
        let gap = f(0.9);
        let title = Rect {
            x0,
            y0: f(0.6),
            x1,
            y1: f(2.4),
        };
        let bands = Rect {
            x0,
            y0: title.y1 + gap,
            x1,
            y1: title.y1 + gap + f(3.0),
        };
        let axis_h = f(2.0);
        let bottom = height as i32 - axis_h - f(0.4);
        // What is left is shared out: curves take the most, the notes and loudness the rest.
        let free = (bottom - bands.y1 - gap * if with_loudness { 3 } else { 2 }).max(3);
        let shares: &[f64] = if with_loudness {
            &[0.45, 0.27, 0.28]
        } else {
            &[0.6, 0.4]
        };
        let mut y = bands.y1 + gap;
        let mut strips = shares.iter().map(|s| {
            let h = (f64::from(free) * s).round() as i32;
            let r = Rect {
                x0,
                y0: y,
                x1,
                y1: (y + h).min(bottom),
            };
            y = r.y1 + gap;
            r
        });
        let curves = strips.next().unwrap_or(bands);
        let notes = strips.next().unwrap_or(bands);
        let loudness = strips.next();
        let last = loudness.unwrap_or(notes);
        let axis = Rect {
            x0,
            y0: last.y1,
            x1,
            y1: last.y1 + axis_h,
        };
        Layout {
            width,
            height,
            font_px,
            span,
            title,
            bands,
            curves,
            notes,
            loudness,
            axis,
        }
    }

    /// The column of time `secs` of the show: the span's start at the strips' left edge, its
    /// end at their right edge, rounded to the nearest column.
    pub fn x_of(&self, secs: f64) -> i32 {
        let r = self.bands;
        let k = (secs - self.span.from_secs) / self.span.secs();
        (f64::from(r.x0) + k * f64::from(r.width())).round() as i32
    }

    /// The exact (unrounded) column of `secs`, for lines drawn with anti-aliasing.
    pub fn xf_of(&self, secs: f64) -> f64 {
        let r = self.bands;
        f64::from(r.x0) + (secs - self.span.from_secs) / self.span.secs() * f64::from(r.width())
    }
}

/// One moment's band: the moment's index in the show and its rectangle, clipped to the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// Index into `Show::moments`.
    pub moment: usize,
    /// Where it is drawn.
    pub rect: Rect,
}

/// The bands of the moments that overlap the layout's span, in time order.
pub fn bands(show: &Show, layout: &Layout) -> Vec<Band> {
    let span = layout.span;
    show.moments
        .iter()
        .enumerate()
        .filter(|(_, m)| m.end_secs > span.from_secs && m.start_secs < span.to_secs)
        .map(|(i, m)| Band {
            moment: i,
            rect: Rect {
                x0: layout.x_of(m.start_secs.max(span.from_secs)),
                y0: layout.bands.y0,
                x1: layout.x_of(m.end_secs.min(span.to_secs)),
                y1: layout.bands.y1,
            },
        })
        .collect()
}

/// The times of the ticks on the axis: multiples of a step from `TICK_STEPS_SECS` chosen so
/// ticks fall about `TICK_SPACING_PX` apart on a strip `width_px` wide.
pub fn ticks(span: Span, width_px: i32) -> Vec<f64> {
    let wanted = span.secs() * TICK_SPACING_PX / f64::from(width_px.max(1));
    let step = TICK_STEPS_SECS
        .iter()
        .copied()
        .find(|s| *s >= wanted)
        .unwrap_or(TICK_STEPS_SECS[TICK_STEPS_SECS.len() - 1]);
    let first = (span.from_secs / step).ceil() as i64;
    let last = (span.to_secs / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A tick label: `m:ss` (whole seconds; ticks are whole seconds).
pub fn tick_label(secs: f64) -> String {
    let s = secs.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(from_secs: f64, to_secs: f64) -> Span {
        Span { from_secs, to_secs }
    }

    #[test]
    fn the_span_fills_the_strips_edge_to_edge() {
        let l = Layout::new(1600, 900, span(60.0, 180.0), false);
        assert_eq!(l.x_of(60.0), l.bands.x0);
        assert_eq!(l.x_of(180.0), l.bands.x1);
        assert_eq!(l.x_of(120.0), (l.bands.x0 + l.bands.x1 + 1) / 2);
        for r in [l.curves, l.notes, l.axis] {
            assert_eq!((r.x0, r.x1), (l.bands.x0, l.bands.x1), "one time axis");
        }
    }

    #[test]
    fn strips_stack_inside_the_picture_without_overlap() {
        for (w, h, wav) in [(1600, 900, true), (480, 320, true), (800, 2000, false)] {
            let l = Layout::new(w, h, span(0.0, 60.0), wav);
            let mut rows = vec![l.title, l.bands, l.curves, l.notes];
            rows.extend(l.loudness);
            rows.push(l.axis);
            for pair in rows.windows(2) {
                assert!(pair[0].y1 <= pair[1].y0, "{pair:?} in {w}x{h}");
            }
            for r in &rows {
                assert!(r.height() > 0 && r.y1 <= h as i32, "{r:?} in {w}x{h}");
            }
            assert_eq!(l.loudness.is_some(), wav);
        }
    }

    #[test]
    fn ticks_are_round_and_about_evenly_spaced() {
        // 13:19 on 1400 px: a tick a minute would be 105 px apart, just under the spacing.
        let t = ticks(span(0.0, 799.3), 1400);
        assert_eq!(t[1] - t[0], 120.0, "{t:?}");
        assert_eq!(t.first(), Some(&0.0));
        assert_eq!(t.last(), Some(&720.0));
        let t = ticks(span(0.0, 799.3), 1600);
        assert_eq!(t[1] - t[0], 60.0, "{t:?}");
        let t = ticks(span(43.0, 50.0), 1400);
        assert_eq!(t, [43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0]);
        assert_eq!(tick_label(780.0), "13:00");
        assert_eq!(tick_label(5.0), "0:05");
    }
}
