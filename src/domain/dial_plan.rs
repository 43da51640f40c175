//! A site's own dial plan: the patterns of the numbers its users dial, replacing the North
//! American plan phoneprov builds from the extension and local-number lengths. Written in the
//! digit-map syntax Polycom phones read (`x` any digit, `[2-9]` a range, `.` any more digits,
//! `T` the digit timeout), one rule per `|`: a Berlin office with 8-digit local numbers after
//! the trunk prefix 0 writes `0[1-9]xxxxxxx|00x.T|[1-7]xx`. The site's emergency numbers still
//! come first.

use std::fmt;

use crate::domain::text::quoted;

/// Most rules a plan may hold.
pub(super) const MAX_RULES: usize = 24;
/// Longest rule.
pub(super) const MAX_RULE_CHARS: usize = 40;

/// A site's dial plan: its rules, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialPlan(Vec<String>);

/// Why a dial plan is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a dial plan (up to {MAX_RULES} rules of up to {MAX_RULE_CHARS} characters, separated by |, each made of digits, x, *, #, ., T and ranges such as [2-9])",
    quoted(.0)
)]
pub struct DialPlanError(pub String);

impl DialPlan {
    /// Parses `rule|rule|...` (spaces around the bars allowed).
    pub fn parse(text: &str) -> Result<DialPlan, DialPlanError> {
        let refuse = || DialPlanError(text.to_string());
        let rules: Vec<String> = text.split('|').map(|r| r.trim().to_string()).collect();
        if rules.len() > MAX_RULES {
            return Err(refuse());
        }
        for rule in &rules {
            if rule.is_empty() || rule.len() > MAX_RULE_CHARS || !well_formed(rule) {
                return Err(refuse());
            }
        }
        Ok(DialPlan(rules))
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[String] {
        &self.0
    }
}

/// Digits, `x`/`X`, `*`, `#`, `.`, `T` outside brackets; digits, `-` and `,` inside one pair of
/// brackets that closes.
fn well_formed(rule: &str) -> bool {
    let mut in_range = false;
    for c in rule.chars() {
        match (in_range, c) {
            (false, '[') => in_range = true,
            (true, ']') => in_range = false,
            (true, '0'..='9' | '-' | ',') => {}
            (false, '0'..='9' | 'x' | 'X' | '*' | '#' | '.' | 'T') => {}
            _ => return false,
        }
    }
    !in_range
}

impl fmt::Display for DialPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("|"))
    }
}

/// Whether an IANA time zone is one of the North American Numbering Plan's (the United States,
/// Canada and the Caribbean countries that share +1), where phoneprov's built-in plan fits.
pub fn zone_dials_north_american(zone: &str) -> bool {
    const PREFIXES: [&str; 3] = ["US/", "Canada/", "America/Indiana/"];
    const ZONES: [&str; 48] = [
        "America/New_York",
        "America/Detroit",
        "America/Kentucky/Louisville",
        "America/Kentucky/Monticello",
        "America/Chicago",
        "America/Menominee",
        "America/North_Dakota/Center",
        "America/North_Dakota/New_Salem",
        "America/North_Dakota/Beulah",
        "America/Denver",
        "America/Boise",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "America/Juneau",
        "America/Sitka",
        "America/Metlakatla",
        "America/Yakutat",
        "America/Nome",
        "America/Adak",
        "Pacific/Honolulu",
        "America/St_Johns",
        "America/Halifax",
        "America/Glace_Bay",
        "America/Moncton",
        "America/Goose_Bay",
        "America/Toronto",
        "America/Winnipeg",
        "America/Regina",
        "America/Swift_Current",
        "America/Edmonton",
        "America/Vancouver",
        "America/Whitehorse",
        "America/Dawson_Creek",
        "America/Iqaluit",
        "America/Rankin_Inlet",
        "America/Cambridge_Bay",
        "America/Inuvik",
        "America/Puerto_Rico",
        "America/Jamaica",
        "America/Santo_Domingo",
        "America/Nassau",
        "America/Barbados",
        "America/Port_of_Spain",
        "America/Bermuda",
        "America/Cayman",
        "America/St_Thomas",
        "Pacific/Guam",
    ];
    PREFIXES.iter().any(|p| zone.starts_with(p)) || ZONES.contains(&zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_of_digit_map_characters() {
        let plan = DialPlan::parse("0[1-9]xxxxxxx | 00x.T|[1-7]xx").unwrap();
        assert_eq!(plan.rules(), ["0[1-9]xxxxxxx", "00x.T", "[1-7]xx"]);
        assert_eq!(plan.to_string(), "0[1-9]xxxxxxx|00x.T|[1-7]xx");
        for bad in ["", "0||1", "0[1-9", "9a1", "x]", "1 2", &"x".repeat(41)] {
            assert!(DialPlan::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn north_american_zones() {
        for zone in [
            "America/New_York",
            "America/Toronto",
            "US/Pacific",
            "Pacific/Honolulu",
        ] {
            assert!(zone_dials_north_american(zone), "{zone}");
        }
        for zone in [
            "Europe/Berlin",
            "America/Mexico_City",
            "Australia/Sydney",
            "UTC",
        ] {
            assert!(!zone_dials_north_american(zone), "{zone}");
        }
    }
}
