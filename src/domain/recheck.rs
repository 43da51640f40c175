//! The daily re-check: phones fetch their files again once a day, so a phone that missed a
//! check-sync push (switched off, unplugged, a lost UDP packet) still gets its new files. Each
//! phone's time is spread over a window after the site's start time, by its MAC address, so a
//! building does not ask all at once.

use std::fmt;

use crate::domain::Mac;
use crate::domain::text::quoted;

/// Minutes over which a site's phones are spread after its start time.
pub const RECHECK_SPREAD_MINUTES: u16 = 120;
/// Minutes in a day.
const DAY_MINUTES: u16 = 24 * 60;

/// When a site's phones re-check their files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recheck {
    /// Never on their own (only on a push or a reboot).
    Off,
    /// Daily, from this local time (minutes after midnight) over [`RECHECK_SPREAD_MINUTES`].
    Daily {
        /// Minutes after local midnight the window opens.
        start_minute: u16,
    },
}

/// Why a re-check setting is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a re-check time (HH:MM, local time, or off)", quoted(.0))]
pub struct RecheckError(pub String);

impl Recheck {
    /// Parses `HH:MM` (24-hour local time) or `off`.
    pub fn parse(text: &str) -> Result<Recheck, RecheckError> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Recheck::Off);
        }
        let refuse = || RecheckError(text.to_string());
        let (hours, minutes) = text.split_once(':').ok_or_else(refuse)?;
        let two_digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(hours) || !two_digits(minutes) {
            return Err(refuse());
        }
        let hours: u16 = hours.parse().map_err(|_| refuse())?;
        let minutes: u16 = minutes.parse().map_err(|_| refuse())?;
        if hours > 23 || minutes > 59 {
            return Err(refuse());
        }
        Ok(Recheck::Daily {
            start_minute: hours * 60 + minutes,
        })
    }

    /// The time of day `mac` re-checks, as `HH:MM`, or `None` when off: the window's start plus
    /// a number of minutes fixed by the MAC address.
    pub fn time_of(&self, mac: &Mac) -> Option<String> {
        let Recheck::Daily { start_minute } = *self else {
            return None;
        };
        let minute = (start_minute + spread_of(mac)) % DAY_MINUTES;
        Some(clock_text(minute))
    }
}

impl Default for Recheck {
    /// 02:00: the quiet hours of an office.
    fn default() -> Recheck {
        Recheck::Daily {
            start_minute: 2 * 60,
        }
    }
}

impl fmt::Display for Recheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recheck::Off => f.write_str("off"),
            Recheck::Daily { start_minute } => f.write_str(&clock_text(*start_minute)),
        }
    }
}

fn clock_text(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Minutes after the window opens for one phone: FNV-1a of the MAC, so neighbours (consecutive
/// MACs) land apart and a phone keeps its minute.
fn spread_of(mac: &Mac) -> u16 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in mac.octets() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    (hash % u32::from(RECHECK_SPREAD_MINUTES)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_print() {
        assert_eq!(Recheck::parse("03:30").unwrap().to_string(), "03:30");
        assert_eq!(Recheck::parse("OFF").unwrap(), Recheck::Off);
        for bad in ["", "3:30", "24:00", "12:60", "noon", "12:3a"] {
            assert!(Recheck::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn phones_spread_over_the_window() {
        let recheck = Recheck::parse("23:00").unwrap();
        let mut minutes = std::collections::HashSet::new();
        for last in 0..200u32 {
            let mac = Mac::parse(&format!("0004f2{last:06x}")).unwrap();
            let time = recheck.time_of(&mac).unwrap();
            let (h, m) = time.split_once(':').unwrap();
            let minute = h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap();
            // 23:00 to 00:59, across midnight.
            assert!(!(60..23 * 60).contains(&minute), "{time}");
            minutes.insert(minute);
        }
        assert!(minutes.len() > 60, "{} distinct minutes", minutes.len());
        assert_eq!(
            Recheck::Off.time_of(&Mac::parse("0004f2000001").unwrap()),
            None
        );
    }
}
