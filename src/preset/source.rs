//! Positions in show source text: byte offsets to line/column, and offsets inside a decoded
//! TOML string back to the file (so a bad melody token is pointed at where it is written).

use super::error::{Diagnostic, Location, PresetError};

/// `bytes` as UTF-8, or a syntax error at the line and column of the first bad byte.
pub(crate) fn utf8<'a>(bytes: &'a [u8], origin: &str) -> Result<&'a str, PresetError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = e.valid_up_to();
        // The valid prefix locates the bad byte (which starts the next character).
        let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let location = line_col(prefix, good);
        PresetError::Syntax(Box::new(Diagnostic {
            origin: origin.to_string(),
            location: Some(location),
            key: String::new(),
            message: format!(
                "not UTF-8 text: byte 0x{:02x} cannot start or continue a character — save \
                 the show file as UTF-8",
                bytes[good]
            ),
        }))
    })
}

/// What a path that is not a regular file is, for messages.
pub(crate) fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// The 1-based line and column (in characters) of byte offset `pos` in `src`.
pub(crate) fn line_col(src: &str, pos: usize) -> Location {
    let mut pos = pos.min(src.len());
    while !src.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &src[..pos];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        line,
        column: src[line_start..pos].chars().count() + 1,
    }
}

/// Maps byte offset `decoded` inside the value of a TOML string literal to a byte offset inside
/// the literal's source text `raw` (quotes included).
///
/// Handles all four string forms: `"…"` and `"""…"""` with escapes and line-ending
/// backslashes, `'…'` and `'''…'''` verbatim, and the newline trimmed after an opening `"""`.
pub(crate) fn string_source_offset(raw: &str, decoded: usize) -> usize {
    let delim = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|d| raw.starts_with(d));
    let Some(delim) = delim else { return 0 };
    let basic = delim.starts_with('"');
    let multi = delim.len() == 3;
    let body_end = raw.len().saturating_sub(delim.len()).max(delim.len());
    let mut i = delim.len();
    if multi {
        if raw[i..].starts_with("\r\n") {
            i += 2;
        } else if raw[i..].starts_with('\n') {
            i += 1;
        }
    }
    let mut out = 0;
    while i < body_end {
        let rest = &raw[i..];
        let Some(c) = rest.chars().next() else { break };
        let after = &rest[c.len_utf8()..];
        if basic && multi && c == '\\' && after.starts_with([' ', '\t', '\r', '\n']) {
            // Line-ending backslash: it and the whitespace up to the next text vanish.
            let skip = after.len() - after.trim_start_matches([' ', '\t', '\r', '\n']).len();
            i += 1 + skip;
            continue;
        }
        if out >= decoded {
            break;
        }
        if basic && c == '\\' {
            match after.chars().next() {
                Some(e @ ('u' | 'U' | 'x')) => {
                    let n = match e {
                        'u' => 4,
                        'U' => 8,
                        _ => 2,
                    };
                    let hex = after.get(1..1 + n).unwrap_or("0");
                    let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                    out += ch.map_or(1, char::len_utf8);
                    i += 2 + n;
                }
                Some(_) => {
                    out += 1;
                    i += 2;
                }
                None => break,
            }
        } else {
            out += c.len_utf8();
            i += c.len_utf8();
        }
    }
    i.min(body_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_in_characters() {
        let src = "a = 1\ntitle = \"—x\"\n";
        assert_eq!(line_col(src, 0), Location { line: 1, column: 1 });
        assert_eq!(line_col(src, 6), Location { line: 2, column: 1 });
        let x = src.find('x').unwrap();
        assert_eq!(
            line_col(src, x),
            Location {
                line: 2,
                column: 11
            }
        );
    }

    /// Checks that the decoded text at `offset` is found at the mapped place in `raw`.
    fn check(raw: &str, decoded: &str, needle: &str) {
        let offset = decoded.find(needle).unwrap();
        let mapped = string_source_offset(raw, offset);
        assert!(
            raw[mapped..].starts_with(needle),
            "{raw:?} {needle:?} -> {:?}",
            &raw[mapped..]
        );
    }

    #[test]
    fn offsets_map_through_every_string_form() {
        check("\"la:A4/4 oh:X/4\"", "la:A4/4 oh:X/4", "oh:X");
        check("'la:A4/4 oh:X/4'", "la:A4/4 oh:X/4", "oh:X");
        check("\"a\\tb\\u00e9 oh:X\"", "a\tbé oh:X", "oh:X");
        check(
            "\"\"\"\n  la:A4/4\n  oh:X/4\n\"\"\"",
            "  la:A4/4\n  oh:X/4\n",
            "oh:X",
        );
        check(
            "'''\r\n  la:A4/4\r\n  oh:X/4'''",
            "  la:A4/4\r\n  oh:X/4",
            "oh:X",
        );
        check(
            "\"\"\"\n la:A4/4 \\\n    oh:X/4\"\"\"",
            " la:A4/4 oh:X/4",
            "oh:X",
        );
        check("\"\"\"la \\\"q\\\" oh:X\"\"\"", "la \"q\" oh:X", "oh:X");
    }
}
