//! Times and durations as show authors write them: `"1:30"`, `"1:02:30"`, `"90s"`, `"1.5s"`.
//!
//! Plain numbers of seconds are handled by the TOML reader; this module parses the strings and
//! prints times back for messages and cue sheets. It knows nothing of shows or files.

/// The accepted forms, quoted in every time error.
pub const TIME_FORMS: &str = "accepted forms: \"m:ss\" (\"1:30\"), \"h:mm:ss\" (\"1:02:30\"), \
     \"90s\", \"1.5s\" or a number of seconds (90)";

/// Parses a time or duration string into seconds.
///
/// `"m:ss"` (minutes any size, seconds 00–59, optional decimals: `"1:30.5"`), `"h:mm:ss"`,
/// and `"90s"` / `"1.5s"`. The error says what is wrong and lists [`TIME_FORMS`].
pub fn parse_time(text: &str) -> Result<f64, String> {
    let bad = |why: &str| {
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(": {why}")
        };
        format!(
            "bad time \"{}\"{why} — {TIME_FORMS}",
            super::error::shown(text)
        )
    };
    let s = text.trim();
    if s.is_empty() {
        return Err(bad("it is empty"));
    }
    if s.starts_with('-') {
        return Err(bad("times cannot be negative"));
    }
    if let Some(num) = s.strip_suffix('s') {
        let num = num.trim_end();
        return decimal(num).ok_or_else(|| bad(""));
    }
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        let (h, m, sec) = match parts.as_slice() {
            [m, sec] => ("0", *m, *sec),
            [h, m, sec] => (*h, *m, *sec),
            _ => return Err(bad("too many `:`")),
        };
        let int = |p: &str| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<f64>().ok())
                .flatten()
        };
        let (Some(hours), Some(minutes)) = (int(h), int(m)) else {
            return Err(bad(""));
        };
        if parts.len() == 3 && (m.len() != 2 || minutes >= 60.0) {
            return Err(bad("minutes must be 00 to 59 in h:mm:ss"));
        }
        let whole = sec.split('.').next().unwrap_or_default();
        let Some(seconds) = decimal(sec).filter(|_| whole.len() == 2) else {
            return Err(bad("seconds must be two digits, 00 to 59"));
        };
        if seconds >= 60.0 {
            return Err(bad("seconds must be 00 to 59"));
        }
        return Ok(hours * 3600.0 + minutes * 60.0 + seconds);
    }
    if decimal(s).is_some() {
        return Err(bad(
            "a number of seconds in a string needs a unit (\"90s\"), or write it unquoted",
        ));
    }
    Err(bad(""))
}

/// A non-negative decimal number: digits, optionally a point and more digits.
fn decimal(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) {
        return None;
    }
    s.parse().ok()
}

/// Times from here on are printed as plain seconds (`1e308 s`): a clock of 27,000 hours says
/// nothing more, and the tenths would no longer fit in an integer.
const CLOCK_MAX_SECS: f64 = 1e8;

/// Prints seconds as a show clock: `"1:30"`, `"1:02:30"`, `"0:07.5"`; absurd values (beyond
/// `CLOCK_MAX_SECS`, not finite) as plain seconds.
pub fn format_clock(secs: f64) -> String {
    if secs.is_nan() || secs >= CLOCK_MAX_SECS {
        return format!("{secs:e} s");
    }
    let tenths = (secs.max(0.0) * 10.0).round() as u64;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    let frac = if tenth == 0 {
        String::new()
    } else {
        format!(".{tenth}")
    };
    if h > 0 {
        format!("{h}:{m:02}:{s:02}{frac}")
    } else {
        format!("{m}:{s:02}{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        assert_eq!(parse_time("0:00"), Ok(0.0));
        assert_eq!(parse_time("1:30"), Ok(90.0));
        assert_eq!(parse_time("12:05"), Ok(725.0));
        assert_eq!(parse_time("1:30.5"), Ok(90.5));
        assert_eq!(parse_time("1:02:30"), Ok(3750.0));
        assert_eq!(parse_time("90s"), Ok(90.0));
        assert_eq!(parse_time("1.5s"), Ok(1.5));
        assert_eq!(parse_time(" 2 s "), Ok(2.0));
        assert_eq!(parse_time("0s"), Ok(0.0));
    }

    #[test]
    fn rejected_forms_say_why_and_list_the_forms() {
        for (text, why) in [
            ("1:5", "two digits"),
            ("1:75", "00 to 59"),
            ("1:60:00", "minutes must be 00 to 59"),
            ("1:2:03", "minutes must be 00 to 59"),
            ("-5s", "negative"),
            ("90", "needs a unit"),
            ("", "empty"),
            ("1:2:3:4", "too many"),
            ("ninety", ""),
            ("1.5.2s", ""),
            ("1m30s", ""),
            (":30", ""),
            ("1:3x", "two digits"),
        ] {
            let e = parse_time(text).expect_err(text);
            assert!(e.contains(&format!("bad time \"{text}\"")), "{e}");
            assert!(e.contains(why), "{text}: {e}");
            assert!(e.contains("\"m:ss\"") && e.contains("\"90s\""), "{e}");
        }
    }

    #[test]
    fn clock_round_trips() {
        for secs in [0.0, 7.5, 90.0, 725.0, 3750.0] {
            assert_eq!(
                parse_time(&format_clock(secs)),
                Ok(secs),
                "{}",
                format_clock(secs)
            );
        }
        assert_eq!(format_clock(90.0), "1:30");
        assert_eq!(format_clock(3750.0), "1:02:30");
        assert_eq!(format_clock(7.5), "0:07.5");
    }

    #[test]
    fn absurd_times_print_as_seconds() {
        assert_eq!(format_clock(1e308), "1e308 s");
        assert_eq!(format_clock(f64::INFINITY), "inf s");
        assert_eq!(format_clock(99_999_999.0), "27777:46:39");
    }
}
