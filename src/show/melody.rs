//! The lead's melody: the notes of a song and the compact text notation they are written in.
//!
//! The notation below is also printed by `concert format` (one source, `melody.md`).
//!
#![doc = include_str!("melody.md")]
//!
//! ```
//! let m = concert::show::melody::parse("[la:A4/8 na:C5/8 oh:E5/4 ~/2]x2 f yeah:D5/2.").unwrap();
//! assert_eq!(m.notes.len(), 7);
//! assert_eq!(m.beats, 11.0);
//! assert!(m.notes[2].phrase_end && m.notes[3].phrase_start);
//! ```

/// The melody notation's reference (markdown), as the module docs and `concert format` show it.
pub const NOTATION: &str = include_str!("melody.md");

/// A dynamic mark, which sets the singer's effort (loudness and brightness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dynamic {
    /// Soft.
    P,
    /// Moderately soft.
    Mp,
    /// Moderately loud (the default).
    #[default]
    Mf,
    /// Loud.
    F,
    /// Very loud.
    Ff,
}

impl Dynamic {
    /// Effort 0..=1 used by the voice for loudness and spectral tilt.
    pub fn velocity(self) -> f32 {
        match self {
            Dynamic::P => 0.35,
            Dynamic::Mp => 0.5,
            Dynamic::Mf => 0.65,
            Dynamic::F => 0.82,
            Dynamic::Ff => 1.0,
        }
    }
}

/// One sung note of a melody, timed in beats from the start of the melody.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Start in beats from the first note.
    pub start_beats: f64,
    /// Length in beats (ties included).
    pub beats: f64,
    /// MIDI pitch (69 = A4 = 440 Hz).
    pub midi: u8,
    /// The sung syllable.
    pub syllable: String,
    /// Dynamic in force.
    pub dynamic: Dynamic,
    /// First note of a phrase.
    pub phrase_start: bool,
    /// Last note of a phrase.
    pub phrase_end: bool,
    /// Slide into this note from the previous one.
    pub slide: bool,
}

/// A parsed melody: its notes and its full length in beats.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Melody {
    /// The sung notes in time order.
    pub notes: Vec<Note>,
    /// Total length in beats, trailing rests included (so a song can end on a bar of silence).
    pub beats: f64,
}

/// A melody that does not parse: where, which token, and what was expected.
///
/// `offset` is a byte offset into the melody text, so a show loader can point at the token
/// inside the file that holds the melody.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("melody token \"{token}\": {message}")]
pub struct MelodyError {
    /// Byte offset of the bad token in the melody text.
    pub offset: usize,
    /// The bad token as written.
    pub token: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// The highest repeat count of a `[ … ]xN` group: more is surely a typo.
const MAX_REPEAT: u32 = 32;
/// Cap on notes after expanding repeats, so a nested typo cannot exhaust memory.
const MAX_TOKENS: usize = 100_000;
/// Lowest and highest pitch a melody may use (C2 and C7).
const MIDI_RANGE: (i32, i32) = (36, 96);

const TOKEN_FORMS: &str = "expected syllable:PITCH/DURATION (la:A4/8), a rest ~/4, a tie _/8, \
     a bar line |, a breath `,`, a dynamic (p mp mf f ff) or a repeat group [ ... ]x2";
const DURATION_FORMS: &str = "expected /1 /2 /4 /8 /16 or /32, optionally dotted (/4.) or \
     triplet (/8t)";
const PITCH_FORMS: &str = "expected a note letter A-G, an optional # or b and an octave number \
     (C4 = middle C, e.g. A4, C#5, Bb3); a leading > means slide";

/// One lexical token of the notation, before repeat groups are expanded.
#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    /// `[`: start of a repeat group.
    Open,
    /// `]xN`: end of a repeat group with its count.
    Close(u32),
    /// `|`.
    Bar,
    /// `,`.
    Breath,
    /// Any other word (note, rest, tie, dynamic, or garbage).
    Word(&'a str),
}

/// A token with its byte offset in the melody text.
#[derive(Debug, Clone, PartialEq)]
struct Lexed<'a> {
    tok: Tok<'a>,
    offset: usize,
    text: &'a str,
}

fn err(offset: usize, token: &str, message: impl Into<String>) -> MelodyError {
    MelodyError {
        offset,
        token: token.to_string(),
        message: message.into(),
    }
}

fn is_sep(c: char) -> bool {
    c.is_whitespace() || matches!(c, '[' | ']' | '|' | ',')
}

/// Splits the text into tokens: whitespace separates words, and `[ ] | ,` stand alone.
/// Consume characters up to the next separator; the byte offset where the word ends (`start`
/// if it is empty).
fn word_end(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, start: usize) -> usize {
    let mut end = start;
    while let Some(&(j, c)) = chars.peek() {
        if is_sep(c) {
            break;
        }
        end = j + c.len_utf8();
        chars.next();
    }
    end
}

fn lex(text: &str) -> Result<Vec<Lexed<'_>>, MelodyError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        // Group marks included, a melody of more tokens than it may expand to is surely not
        // one; stop before the token list costs more memory than the text.
        if out.len() >= 2 * MAX_TOKENS {
            return Err(err(
                i,
                &text[i..i + c.len_utf8()],
                format!("the melody has more than {MAX_TOKENS} tokens"),
            ));
        }
        let single = |tok| Lexed {
            tok,
            offset: i,
            text: &text[i..i + 1],
        };
        match c {
            '[' => {
                chars.next();
                out.push(single(Tok::Open));
            }
            '|' => {
                chars.next();
                out.push(single(Tok::Bar));
            }
            ',' => {
                chars.next();
                out.push(single(Tok::Breath));
            }
            ']' => {
                chars.next();
                let word = &text[i..word_end(&mut chars, i + 1)];
                let count = word[1..]
                    .strip_prefix(['x', 'X', '*'])
                    .and_then(|n| n.parse::<u32>().ok())
                    .filter(|n| (1..=MAX_REPEAT).contains(n))
                    .ok_or_else(|| {
                        err(
                            i,
                            word,
                            format!(
                                "a repeat group ends with ]xN, N = 1 to {MAX_REPEAT} (e.g. ]x2)"
                            ),
                        )
                    })?;
                out.push(Lexed {
                    tok: Tok::Close(count),
                    offset: i,
                    text: word,
                });
            }
            _ => {
                let word = &text[i..word_end(&mut chars, i)];
                out.push(Lexed {
                    tok: Tok::Word(word),
                    offset: i,
                    text: word,
                });
            }
        }
    }
    Ok(out)
}

/// Expands `[ … ]xN` groups (nested ones too) into a flat token list.
///
/// Linear in the size of the result: a group is repeated by copying its tokens within the
/// output (`]x1` copies nothing), and the result never grows past [`MAX_TOKENS`], counting
/// every token, written or repeated.
fn expand<'a>(toks: &[Lexed<'a>]) -> Result<Vec<Lexed<'a>>, MelodyError> {
    // Each open group: (index in `out` where it starts, the `[` token).
    let mut stack: Vec<(usize, &Lexed<'a>)> = Vec::new();
    let mut out: Vec<Lexed<'a>> = Vec::new();
    let too_many = |t: &Lexed| {
        err(
            t.offset,
            t.text,
            format!("the melody has more than {MAX_TOKENS} tokens once its repeats are expanded"),
        )
    };
    for t in toks {
        match t.tok {
            Tok::Open => stack.push((out.len(), t)),
            Tok::Close(n) => {
                let (start, open) = stack.pop().ok_or_else(|| {
                    err(
                        t.offset,
                        t.text,
                        "this ]xN closes no group: there is no [ before it",
                    )
                })?;
                let body = out.len() - start;
                if body == 0 {
                    return Err(err(
                        open.offset,
                        "[",
                        "empty repeat group: put tokens between [ and ]xN",
                    ));
                }
                if out.len() + body * (n as usize - 1) > MAX_TOKENS {
                    return Err(too_many(t));
                }
                for _ in 1..n {
                    out.extend_from_within(start..start + body);
                }
            }
            _ => {
                if out.len() >= MAX_TOKENS {
                    return Err(too_many(t));
                }
                out.push(t.clone());
            }
        }
    }
    if let Some((_, open)) = stack.pop() {
        return Err(err(
            open.offset,
            "[",
            "unclosed repeat group: close it with ]xN (e.g. ]x2)",
        ));
    }
    Ok(out)
}

/// Parses a duration such as `4`, `8.`, `4..` or `8t` (the text after `/`) into beats.
fn parse_duration(s: &str) -> Option<f64> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let base: u32 = s[..digits].parse().ok()?;
    if ![1, 2, 4, 8, 16, 32].contains(&base) {
        return None;
    }
    let mut beats = 4.0 / f64::from(base);
    let suffix = &s[digits..];
    if suffix == "t" {
        return Some(beats * 2.0 / 3.0);
    }
    if !suffix.bytes().all(|b| b == b'.') || suffix.len() > 3 {
        return None;
    }
    let mut add = beats;
    for _ in 0..suffix.len() {
        add /= 2.0;
        beats += add;
    }
    Some(beats)
}

/// Parses a pitch such as `A4`, `c#5` or `Bb3` into a MIDI number.
fn parse_pitch(s: &str) -> Option<i32> {
    let mut chars = s.chars();
    let letter = chars.next()?.to_ascii_uppercase();
    let pc = match letter {
        'C' => 0,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return None,
    };
    let rest = chars.as_str();
    let (acc, octave) = if let Some(o) = rest.strip_prefix('#') {
        (1, o)
    } else if let Some(o) = rest.strip_prefix('b') {
        (-1, o)
    } else {
        (0, rest)
    };
    if octave.is_empty() || !octave.bytes().all(|b| b.is_ascii_digit()) || octave.len() > 1 {
        return None;
    }
    let octave: i32 = octave.parse().ok()?;
    Some(12 * (octave + 1) + pc + acc)
}

/// Splits `X/DUR` into its head and duration in beats, with errors naming the token.
fn split_duration<'a>(
    word: &'a str,
    offset: usize,
    what: &str,
) -> Result<(&'a str, f64), MelodyError> {
    let Some((head, dur)) = word.split_once('/') else {
        return Err(err(
            offset,
            word,
            format!("{what} needs a duration: {DURATION_FORMS}"),
        ));
    };
    let beats = parse_duration(dur).ok_or_else(|| {
        err(
            offset,
            word,
            format!("bad duration \"/{dur}\": {DURATION_FORMS}"),
        )
    })?;
    Ok((head, beats))
}

/// Parses the melody notation documented at the top of this module.
pub fn parse(text: &str) -> Result<Melody, MelodyError> {
    let toks = expand(&lex(text)?)?;
    let mut notes: Vec<Note> = Vec::new();
    let mut pos = 0.0_f64;
    let mut dynamic = Dynamic::default();
    let mut in_phrase = false;
    // Whether a tie may follow now: only directly after a note or tie (bar lines aside).
    let mut tie_ok = false;
    let end_phrase = |notes: &mut Vec<Note>, in_phrase: &mut bool| {
        if *in_phrase && let Some(last) = notes.last_mut() {
            last.phrase_end = true;
        }
        *in_phrase = false;
    };
    for t in &toks {
        let word = match t.tok {
            Tok::Bar => continue,
            Tok::Breath => {
                end_phrase(&mut notes, &mut in_phrase);
                tie_ok = false;
                continue;
            }
            Tok::Word(w) => w,
            Tok::Open | Tok::Close(_) => unreachable!("expanded"),
        };
        let dyn_mark = match word {
            "p" => Some(Dynamic::P),
            "mp" => Some(Dynamic::Mp),
            "mf" => Some(Dynamic::Mf),
            "f" => Some(Dynamic::F),
            "ff" => Some(Dynamic::Ff),
            _ => None,
        };
        if let Some(d) = dyn_mark {
            dynamic = d;
            tie_ok = false;
            continue;
        }
        if word.starts_with('~') {
            let (head, beats) = split_duration(word, t.offset, "a rest")?;
            if head != "~" {
                return Err(err(
                    t.offset,
                    word,
                    "a rest is written ~/DURATION, e.g. ~/4",
                ));
            }
            end_phrase(&mut notes, &mut in_phrase);
            pos += beats;
            tie_ok = false;
            continue;
        }
        if word.starts_with('_') {
            let (head, beats) = split_duration(word, t.offset, "a tie")?;
            if head != "_" {
                return Err(err(t.offset, word, "a tie is written _/DURATION, e.g. _/8"));
            }
            let last = notes.last_mut().filter(|_| tie_ok).ok_or_else(|| {
                err(
                    t.offset,
                    word,
                    "a tie lengthens the note just before it, but there is none \
                     (only bar lines may stand between a note and its tie)",
                )
            })?;
            last.beats += beats;
            pos += beats;
            continue;
        }
        let Some((syllable, rest)) = word.split_once(':') else {
            return Err(err(t.offset, word, format!("unknown token: {TOKEN_FORMS}")));
        };
        if syllable.is_empty() || !syllable.chars().all(|c| c.is_alphabetic() || c == '\'') {
            return Err(err(
                t.offset,
                word,
                format!(
                    "bad syllable \"{syllable}\": expected letters and apostrophes \
                     (la, na, oh, ah, yeah, whoa, ooh, hey)"
                ),
            ));
        }
        let (pitch, beats) = split_duration(rest, t.offset, "a note").map_err(|e| MelodyError {
            token: word.to_string(),
            ..e
        })?;
        let (slide, pitch) = match pitch.strip_prefix('>') {
            Some(p) => (true, p),
            None => (false, pitch),
        };
        let midi = parse_pitch(pitch).ok_or_else(|| {
            err(
                t.offset,
                word,
                format!("bad pitch \"{pitch}\": {PITCH_FORMS}"),
            )
        })?;
        if !(MIDI_RANGE.0..=MIDI_RANGE.1).contains(&midi) {
            return Err(err(
                t.offset,
                word,
                format!("pitch \"{pitch}\" is out of range: allowed C2 to C7 (MIDI 36 to 96)"),
            ));
        }
        notes.push(Note {
            start_beats: pos,
            beats,
            midi: midi as u8,
            syllable: syllable.to_lowercase(),
            dynamic,
            phrase_start: !in_phrase,
            phrase_end: false,
            slide,
        });
        in_phrase = true;
        tie_ok = true;
        pos += beats;
    }
    end_phrase(&mut notes, &mut in_phrase);
    if notes.is_empty() {
        let (offset, token) = toks.first().map_or((0, ""), |t| (t.offset, t.text));
        return Err(err(
            offset,
            token,
            format!("a melody needs at least one note: {TOKEN_FORMS}"),
        ));
    }
    Ok(Melody { notes, beats: pos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Note {
        let m = parse(text).unwrap();
        assert_eq!(m.notes.len(), 1, "{text}");
        m.notes[0].clone()
    }

    fn fails(text: &str) -> MelodyError {
        parse(text).expect_err(text)
    }

    #[test]
    fn note_token_gives_syllable_pitch_and_length() {
        let n = one("la:A4/8");
        assert_eq!((n.syllable.as_str(), n.midi, n.beats), ("la", 69, 0.5));
        assert_eq!(n.start_beats, 0.0);
        assert_eq!(n.dynamic, Dynamic::Mf);
        assert!(n.phrase_start && n.phrase_end && !n.slide);
    }

    #[test]
    fn accidentals_octaves_and_case() {
        assert_eq!(one("yeah:C#5/2").midi, 73);
        assert_eq!(one("oh:Bb3/4").midi, 58);
        assert_eq!(one("oh:c4/4").midi, 60);
        assert_eq!(one("oh:Cb4/4").midi, 59);
        assert_eq!(one("oh:E5/4").midi, 76);
    }

    #[test]
    fn durations_dots_and_triplets() {
        let beats = |d: &str| one(&format!("la:A4/{d}")).beats;
        assert_eq!(beats("1"), 4.0);
        assert_eq!(beats("2"), 2.0);
        assert_eq!(beats("4"), 1.0);
        assert_eq!(beats("16"), 0.25);
        assert_eq!(beats("32"), 0.125);
        assert_eq!(beats("4."), 1.5);
        assert_eq!(beats("2.."), 3.5);
        assert!((beats("8t") - 1.0 / 3.0).abs() < 1e-12);
        let m = parse("la:A4/8t la:B4/8t la:C5/8t oh:D5/4").unwrap();
        assert!((m.notes[3].start_beats - 1.0).abs() < 1e-12);
    }

    #[test]
    fn slide_mark() {
        let m = parse("la:A4/4 ah:>D5/4").unwrap();
        assert!(!m.notes[0].slide && m.notes[1].slide);
        assert_eq!(m.notes[1].midi, 74);
    }

    #[test]
    fn rests_move_time_and_end_phrases() {
        let m = parse("la:A4/4 na:B4/4 ~/2 oh:C5/4 ~/4").unwrap();
        assert_eq!(m.notes[2].start_beats, 4.0);
        assert_eq!(m.beats, 6.0, "trailing rest counts");
        let marks: Vec<(bool, bool)> = m
            .notes
            .iter()
            .map(|n| (n.phrase_start, n.phrase_end))
            .collect();
        assert_eq!(marks, [(true, false), (false, true), (true, true)]);
    }

    #[test]
    fn ties_lengthen_across_bar_lines() {
        let m = parse("la:A4/2 | _/4 _/8 oh:B4/8").unwrap();
        assert_eq!(m.notes[0].beats, 3.5);
        assert_eq!(m.notes[1].start_beats, 3.5);
        assert_eq!(m.beats, 4.0);
    }

    #[test]
    fn bar_lines_are_visual_only() {
        let a = parse("la:A4/4 | na:B4/4 |").unwrap();
        let b = parse("la:A4/4 na:B4/4").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn breath_ends_a_phrase_without_taking_time() {
        let m = parse("la:A4/4 na:B4/4, oh:C5/4").unwrap();
        assert!(m.notes[1].phrase_end && m.notes[2].phrase_start);
        assert!(!m.notes[1].phrase_start);
        assert_eq!(m.notes[2].start_beats, 2.0);
        let attached = parse("la:A4/4 na:B4/4,oh:C5/4|").unwrap();
        assert_eq!(m, attached);
    }

    #[test]
    fn dynamics_apply_to_following_notes() {
        let m = parse("p la:A4/4 mp la:A4/4 la:A4/4 f oh:C5/4 ff yeah:E5/4 mf ah:A4/4").unwrap();
        let d: Vec<Dynamic> = m.notes.iter().map(|n| n.dynamic).collect();
        use Dynamic::*;
        assert_eq!(d, [P, Mp, Mp, F, Ff, Mf]);
    }

    #[test]
    fn repeat_groups_expand_and_nest() {
        let m = parse("[la:A4/4 ~/4]x3 oh:C5/4").unwrap();
        assert_eq!(m.notes.len(), 4);
        assert_eq!(m.notes[3].start_beats, 6.0);
        assert!(m.notes.iter().all(|n| n.phrase_start && n.phrase_end));
        let nested = parse("[[la:A4/8]x2 oh:B4/4]x2").unwrap();
        let names: Vec<u8> = nested.notes.iter().map(|n| n.midi).collect();
        assert_eq!(names, [69, 69, 71, 69, 69, 71]);
        assert_eq!(nested.beats, 4.0);
        let attached = parse("[la:A4/4]x2").unwrap();
        assert_eq!(attached.notes.len(), 2);
    }

    #[test]
    fn dynamics_carry_out_of_repeat_groups() {
        let m = parse("[la:A4/4 f]x2 oh:C5/4").unwrap();
        assert_eq!(m.notes[1].dynamic, Dynamic::F);
        assert_eq!(m.notes[2].dynamic, Dynamic::F);
    }

    #[test]
    fn errors_give_offset_token_and_form() {
        let e = fails("la:A4/4 la:H4/4");
        assert_eq!((e.offset, e.token.as_str()), (8, "la:H4/4"));
        assert!(e.message.contains("bad pitch \"H4\""), "{}", e.message);
        assert!(e.message.contains("A-G"));

        let e = fails("la:A4/3");
        assert!(
            e.message.contains("bad duration \"/3\"") && e.message.contains("/8t"),
            "{e}"
        );
        let e = fails("la:A4");
        assert!(e.message.contains("needs a duration"), "{e}");
        let e = fails("la:A4/4. oh:C5/4t.");
        assert_eq!(e.offset, 9);
        let e = fails("la/4");
        assert!(
            e.message.contains("unknown token") && e.message.contains("la:A4/8"),
            "{e}"
        );
        let e = fails("l4:A4/4");
        assert!(e.message.contains("bad syllable \"l4\""), "{e}");
        let e = fails(":A4/4");
        assert!(e.message.contains("bad syllable"), "{e}");
        let e = fails("la:C8/4");
        assert!(
            e.message.contains("out of range") && e.message.contains("C2 to C7"),
            "{e}"
        );
        let e = fails("la:A4/4 ~4");
        assert_eq!(e.offset, 8);
        assert!(e.message.contains("a rest needs a duration"), "{e}");
        let e = fails("la:A4/4 ~x/4");
        assert!(e.message.contains("~/DURATION"), "{e}");
        let e = fails("mf");
        assert!(e.message.contains("at least one note"), "{e}");
        assert!(fails("").message.contains("at least one note"));
    }

    #[test]
    fn tie_errors() {
        let e = fails("_/4 la:A4/4");
        assert_eq!(e.offset, 0);
        assert!(
            e.message
                .contains("a tie lengthens the note just before it"),
            "{e}"
        );
        assert_eq!(fails("la:A4/4 ~/4 _/4").offset, 12);
        assert_eq!(fails("la:A4/4, _/4").offset, 9);
        assert!(
            fails("la:A4/4 _4")
                .message
                .contains("a tie needs a duration")
        );
        assert!(fails("la:A4/4 _x/4").message.contains("_/DURATION"));
    }

    #[test]
    fn repeat_group_errors() {
        let e = fails("la:A4/4 [oh:C5/4");
        assert_eq!((e.offset, e.token.as_str()), (8, "["));
        assert!(e.message.contains("unclosed repeat group"), "{e}");
        let e = fails("la:A4/4 ]x2");
        assert_eq!((e.offset, e.token.as_str()), (8, "]x2"));
        assert!(e.message.contains("closes no group"), "{e}");
        let e = fails("[la:A4/4]");
        assert_eq!((e.offset, e.token.as_str()), (8, "]"));
        assert!(e.message.contains("]xN"), "{e}");
        assert!(fails("[la:A4/4]x0").message.contains("N = 1 to 32"));
        assert!(fails("[la:A4/4]x99").message.contains("N = 1 to 32"));
        assert!(
            fails("la:A4/4 [ ]x2")
                .message
                .contains("empty repeat group")
        );
        let e = fails("[[[[la:A4/4]x32]x32]x32]x32");
        assert!(e.message.contains("more than"), "{e}");
    }

    #[test]
    fn offsets_are_bytes_in_the_text() {
        let e = fails("ooh:A4/4  \n  yeah:Z4/4");
        assert_eq!(&"ooh:A4/4  \n  yeah:Z4/4"[e.offset..e.offset + 4], "yeah");
    }
}
