//! A site's clock: an IANA time zone name (`Europe/Berlin`), resolved with the tz database bundled
//! in the `jiff` crate, into the rules desk phones understand: the standard offset from UTC and,
//! where the zone keeps daylight saving time, the month, week (or last) and weekday and the local
//! hour it starts and ends. Phones take yearly rules, not a list of transitions, so the rules are
//! read from the transitions of one year (every zone keeping daylight saving today changes on a
//! weekday rule; the few fixed-date rules of the past are not expressed).
//!
//! `jiff` was chosen over `chrono-tz` because it exposes a zone's transitions (`following`), from
//! which the rules are derived; `chrono-tz` answers offsets for an instant but not when they
//! change. The database is bundled (`tzdb-bundle-always`), so every host renders the same files.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, date};
use jiff::tz::TimeZone;

use crate::domain::text::quoted;

/// Longest time zone name accepted.
pub(super) const MAX_ZONE_NAME: usize = 64;

/// An IANA time zone name the bundled database knows, e.g. `America/Los_Angeles`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneName(String);

/// Why a value is not a time zone name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a time zone of the tz database (a name such as America/New_York or Europe/Berlin)",
    quoted(.0)
)]
pub struct ZoneNameError(pub String);

impl ZoneName {
    /// Parses a zone name the tz database knows (its letter case is kept as given, since the
    /// database looks names up without regard to case).
    pub fn parse(text: &str) -> Result<ZoneName, ZoneNameError> {
        let text = text.trim();
        let plausible = !text.is_empty()
            && text.len() <= MAX_ZONE_NAME
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
        if plausible && TimeZone::get(text).is_ok() {
            Ok(ZoneName(text.to_string()))
        } else {
            Err(ZoneNameError(text.to_string()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn zone(&self) -> TimeZone {
        // Parsing checked the name, so this finds it; UTC is the safe answer otherwise.
        TimeZone::get(&self.0).unwrap_or(TimeZone::UTC)
    }
}

impl fmt::Display for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which day of its month a change of clock falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeDay {
    /// The `week`th (1 to 4) `weekday` of the month.
    Nth {
        /// 1 to 4.
        week: u8,
        /// 1 = Sunday ... 7 = Saturday.
        weekday: u8,
    },
    /// The last `weekday` of the month.
    Last {
        /// 1 = Sunday ... 7 = Saturday.
        weekday: u8,
    },
}

/// One change of clock in a year: the month, the day, and the local hour (on the clock as it
/// reads before the change) at which it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ClockChange {
    /// 1 to 12.
    pub month: u8,
    /// Which day.
    pub day: ChangeDay,
    /// 0 to 23, local time before the change.
    pub hour: u8,
}

/// Daylight saving time: how much the clock moves and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DaylightSaving {
    /// Minutes added while it is in force (60 nearly everywhere).
    pub minutes: i32,
    /// When it starts.
    pub start: ClockChange,
    /// When it ends.
    pub end: ClockChange,
}

/// A site's clock as phones are told it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClockRules {
    /// Offset of standard time from UTC, in seconds (east positive: Berlin 3600).
    pub utc_offset_seconds: i32,
    /// The daylight saving rules, if the zone keeps them.
    pub daylight_saving: Option<DaylightSaving>,
}

/// The US rules (second Sunday of March to first Sunday of November, 2 a.m.), which are also the
/// Polycom factory rules: what a site given only an offset and a daylight-saving flag gets.
pub const US_DAYLIGHT_SAVING: DaylightSaving = DaylightSaving {
    minutes: 60,
    start: ClockChange {
        month: 3,
        day: ChangeDay::Nth {
            week: 2,
            weekday: 1,
        },
        hour: 2,
    },
    end: ClockChange {
        month: 11,
        day: ChangeDay::Nth {
            week: 1,
            weekday: 1,
        },
        hour: 2,
    },
};

impl ClockRules {
    /// UTC, no daylight saving.
    pub fn utc() -> ClockRules {
        ClockRules {
            utc_offset_seconds: 0,
            daylight_saving: None,
        }
    }

    /// A fixed offset with the US daylight saving rules or none.
    pub fn from_offset(utc_offset_seconds: i32, daylight_saving: bool) -> ClockRules {
        ClockRules {
            utc_offset_seconds,
            daylight_saving: daylight_saving.then_some(US_DAYLIGHT_SAVING),
        }
    }

    /// The rules of `zone` as they stand in `year`.
    pub fn of_zone(zone: &ZoneName, year: i16) -> ClockRules {
        let tz = zone.zone();
        let this_year = changes_in(&tz, year);
        let Some((standard, start, end)) = this_year else {
            let middle = Timestamp::from_second(year_start(year) + 183 * 86_400)
                .unwrap_or(Timestamp::UNIX_EPOCH);
            return ClockRules {
                utc_offset_seconds: tz.to_offset(middle).seconds(),
                daylight_saving: None,
            };
        };
        let saving = start.offset_after - standard;
        // Ireland's zone keeps its summer time as standard and a negative saving in winter:
        // phones know only a positive saving, so the lower offset is told as standard time.
        let (standard, saving, start, end) = if saving < 0 {
            (standard + saving, -saving, end, start)
        } else {
            (standard, saving, start, end)
        };
        ClockRules {
            utc_offset_seconds: standard,
            daylight_saving: Some(DaylightSaving {
                minutes: saving / 60,
                start: change_of(&start),
                end: change_of(&end),
            }),
        }
    }
}

/// A transition: the local date and time before it, and the offset after it.
struct Change {
    local: DateTime,
    offset_after: i32,
}

fn year_start(year: i16) -> i64 {
    date(year, 1, 1)
        .to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0)
}

/// The standard offset and the start and end of daylight saving in `year`, if the zone changes
/// its clock that year.
fn changes_in(tz: &TimeZone, year: i16) -> Option<(i32, Change, Change)> {
    let from = Timestamp::from_second(year_start(year) - 1).ok()?;
    let until = year_start(year.saturating_add(1));
    let mut start = None;
    let mut end = None;
    let mut standard = None;
    for transition in tz.following(from) {
        let at = transition.timestamp();
        if at.as_second() >= until {
            break;
        }
        let before = tz.to_offset(Timestamp::from_second(at.as_second() - 1).ok()?);
        let change = Change {
            local: before.to_datetime(at),
            offset_after: transition.offset().seconds(),
        };
        if transition.dst().is_dst() {
            start.get_or_insert(change);
        } else {
            standard.get_or_insert(transition.offset().seconds());
            end.get_or_insert(change);
        }
    }
    Some((standard?, start?, end?))
}

fn change_of(change: &Change) -> ClockChange {
    ClockChange {
        month: change.local.month() as u8,
        day: nth_or_last(change.local.date()),
        hour: change.local.hour() as u8,
    }
}

fn weekday_of(day: Date) -> u8 {
    day.weekday().to_sunday_one_offset() as u8
}

fn nth_or_last(day: Date) -> ChangeDay {
    let weekday = weekday_of(day);
    if i16::from(day.day()) + 7 > i16::from(day.days_in_month()) {
        ChangeDay::Last { weekday }
    } else {
        ChangeDay::Nth {
            week: ((day.day() - 1) / 7 + 1) as u8,
            weekday,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_against_the_database() {
        assert!(ZoneName::parse("Europe/Berlin").is_ok());
        assert!(ZoneName::parse("  America/Phoenix ").is_ok());
        for bad in ["", "Mars/Olympus", "Europe/../etc", "x".repeat(65).as_str()] {
            assert!(ZoneName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_negative_saving_is_told_as_standard_time_and_summer_time() {
        // Dublin: GMT in winter, IST (UTC+1) from the last Sunday of March 01:00 UTC to the last
        // Sunday of October 01:00 UTC, whichever way the database words it.
        let rules = ClockRules::of_zone(&ZoneName::parse("Europe/Dublin").unwrap(), 2026);
        assert_eq!(rules.utc_offset_seconds, 0);
        let dst = rules.daylight_saving.unwrap();
        assert_eq!(dst.minutes, 60);
        assert_eq!(
            (dst.start.month, dst.start.day, dst.start.hour),
            (3, ChangeDay::Last { weekday: 1 }, 1)
        );
        assert_eq!(
            (dst.end.month, dst.end.day, dst.end.hour),
            (10, ChangeDay::Last { weekday: 1 }, 2)
        );
    }
}
