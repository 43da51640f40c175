//! What a phone's uploaded log says about its registration: the last line that reports a
//! failed SIP registration, for the dashboard's list of phones that failed. Log formats are not
//! documented by the vendors' admin guides phoneprov follows, so a line counts when it speaks of
//! registering and of a failure (a word such as `failed`, `denied`, `timeout`, or a SIP refusal
//! code such as 401, 403, 404, 407, 408 or 503); a line about a successful registration does not.

/// Longest part of a log line kept.
const LINE_KEPT: usize = 200;

/// Words that say a registration did not succeed.
const FAILURE_WORDS: [&str; 7] = [
    "fail",
    "denied",
    "forbidden",
    "unauthori",
    "timeout",
    "timed out",
    "rejected",
];

/// SIP status codes a registrar answers a refused or unanswered REGISTER with.
const FAILURE_CODES: [&str; 8] = ["401", "403", "404", "407", "408", "480", "500", "503"];

fn has_code(line: &str) -> bool {
    FAILURE_CODES.iter().any(|code| {
        line.match_indices(code).any(|(at, _)| {
            let before = line[..at].chars().next_back();
            let after = line[at + code.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
    })
}

fn reports_failure(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.contains("regist")
        && (FAILURE_WORDS.iter().any(|word| lower.contains(word)) || has_code(&lower))
}

/// The last line of `log` that reports a failed registration, without control characters and
/// cut to a readable length.
pub fn registration_failure(log: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(log);
    let line = text.lines().rev().find(|line| reports_failure(line))?;
    let clean: String = line
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(LINE_KEPT)
        .collect();
    Some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_failed_registration_is_found() {
        let log = b"0101 sip |4|00|Registration failed: 401 Unauthorized line 1\n\
            0102 sip |4|00|REGISTER 201@10.0.0.5 answered 403 Forbidden, registration refused\n\
            0103 app |1|00|Boot complete\n";
        let found = registration_failure(log).unwrap();
        assert!(found.contains("403 Forbidden"), "{found}");
    }

    #[test]
    fn success_and_other_failures_are_not_registration_failures() {
        assert_eq!(
            registration_failure(b"sip Registration succeeded line 1\n"),
            None
        );
        assert_eq!(registration_failure(b"cfg download failed: sip.ld\n"), None);
        assert_eq!(
            registration_failure(b"registered 4010 contacts\n"),
            None,
            "a number containing a code is not a code"
        );
        assert_eq!(registration_failure(b""), None);
    }

    #[test]
    fn a_hostile_line_is_cleaned_and_cut() {
        let mut log = b"Registration failed \x1b[31m".to_vec();
        log.extend(std::iter::repeat_n(b'x', 1000));
        let found = registration_failure(&log).unwrap();
        assert!(!found.contains('\x1b'));
        assert_eq!(found.chars().count(), LINE_KEPT);
    }
}
