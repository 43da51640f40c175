//! Rules shared by every free-text value that ends up in a phone's file (names, labels, passwords):
//! no control characters or line breaks (they would break XML or inject Aastra `key: value`
//! lines), a length cap, and how values are quoted in error messages.

/// Longest value shown in an error message before it is shortened.
const QUOTE_LIMIT: usize = 60;

/// Quotes a value for an error message: Rust string escaping (so a line break shows as `\n`),
/// shortened with `...` past 60 characters.
pub fn quoted(value: &str) -> String {
    if value.chars().count() <= QUOTE_LIMIT {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(QUOTE_LIMIT).collect();
        format!("{:?}...", head)
    }
}

/// Why a free-text value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty or only spaces where a value is required.
    #[error("must not be empty")]
    Empty,
    /// Holds a control character or a line break.
    #[error("{} contains a control character or line break", quoted(.0))]
    ControlCharacter(String),
    /// Longer than allowed.
    #[error("{} is longer than {max} characters", quoted(.0), max = .1)]
    TooLong(String, usize),
    /// Starts or ends with a space that phones would drop.
    #[error("{} starts or ends with a space", quoted(.0))]
    OuterSpace(String),
    /// A SIP password too easy to guess (the password itself is not repeated in the message).
    #[error(
        "this SIP password is too weak: {0}; use at least 8 characters that are not the \
         extension's number or SIP user, or leave it empty to have a strong one generated"
    )]
    WeakPassword(&'static str),
}

/// True for characters that must never reach a phone file: C0/C1 controls, DEL and the Unicode
/// line and paragraph separators.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Checks a free-text value: no forbidden characters, at most `max_chars` characters, and not
/// blank when `required`.
pub fn check_text(value: &str, max_chars: usize, required: bool) -> Result<(), TextError> {
    if value.chars().any(is_forbidden_char) {
        return Err(TextError::ControlCharacter(value.to_string()));
    }
    if required && value.trim().is_empty() {
        return Err(TextError::Empty);
    }
    if value.chars().count() > max_chars {
        return Err(TextError::TooLong(value.to_string(), max_chars));
    }
    Ok(())
}

/// `text` lowercased, if it is a short name such as a site's or a profile's: 1 to `max`
/// characters of `a-z 0-9 - _` (any case), starting with a letter or digit.
pub(crate) fn short_name(text: &str, max: usize) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let ok = (1..=max).contains(&lower.len())
        && lower.starts_with(|c: char| c.is_ascii_alphanumeric())
        && lower
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    ok.then_some(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_separators_are_refused() {
        for bad in [
            "a\nb",
            "a\rb",
            "a\tb",
            "\u{0}",
            "x\u{7f}",
            "x\u{85}",
            "x\u{2028}",
        ] {
            assert!(
                matches!(
                    check_text(bad, 64, true),
                    Err(TextError::ControlCharacter(_))
                ),
                "{bad:?}"
            );
        }
        assert_eq!(check_text("Zoë Ångström", 64, true), Ok(()));
        assert_eq!(check_text("O'Brien & \"Sons\" <Sales>", 64, true), Ok(()));
    }

    #[test]
    fn length_and_emptiness() {
        assert_eq!(check_text("   ", 64, true), Err(TextError::Empty));
        assert_eq!(check_text("", 64, false), Ok(()));
        assert!(matches!(
            check_text("ééé", 2, true),
            Err(TextError::TooLong(_, 2))
        ));
    }

    #[test]
    fn quoting_escapes_and_shortens() {
        assert_eq!(quoted("a\nb"), "\"a\\nb\"");
        assert_eq!(quoted("Zoë"), "\"Zoë\"");
        let long = "x".repeat(100);
        assert_eq!(quoted(&long), format!("\"{}\"...", "x".repeat(60)));
    }
}
