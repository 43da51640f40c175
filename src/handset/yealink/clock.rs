//! A site's clock ([`ClockRules`]) as Yealink phones take it: `local_time.time_zone` an offset
//! east of UTC in hours (`+1`, `-5`, `+5:30`), and daylight saving with explicit rules
//! (`local_time.summer_time = 1`, by week: `dst_time_type = 1`) so the phone keeps the site's
//! rules, not its own table's. Yealink T4X administrator guide, appendix, `local_time.start_time`:
//! by week, `Month/Week of Month/Day of Week/Hour of Day`, the week 1 to 5 where 5 is the last
//! week of the month, the day 1 = Monday ... 7 = Sunday; the hour is the local hour of the change
//! (the guides' AutoDST example writes a European zone as `3/5/7/2` to `10/5/7/3`).

use crate::domain::{ChangeDay, ClockChange, ClockRules};

/// `local_time.summer_time`: off.
const DST_OFF: u8 = 0;
/// `local_time.summer_time`: on, by the rules written.
const DST_ON: u8 = 1;
/// The week of month Yealink means by "the last".
const LAST_WEEK: u8 = 5;

/// A site's clock in Yealink's spelling.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct YealinkClock {
    /// `local_time.time_zone`.
    pub time_zone: String,
    /// `local_time.summer_time`: 0 or 1.
    pub summer_time: u8,
    /// `local_time.start_time`, by week; empty without daylight saving.
    pub start_time: String,
    /// `local_time.end_time`, by week; empty without daylight saving.
    pub end_time: String,
    /// `local_time.offset_time`: minutes added in summer.
    pub offset_time: i32,
}

/// `+1`, `-5`, `+5:30`, `0`: the offset east of UTC in hours and minutes.
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, 0) => "0".to_string(),
        (hours, 0) => format!("{sign}{hours}"),
        (hours, rest) => format!("{sign}{hours}:{rest:02}"),
    }
}

/// Sunday is 1 in the domain's rules, 7 for Yealink (Monday 1).
fn yealink_weekday(sunday_first: u8) -> u8 {
    if sunday_first == 1 {
        7
    } else {
        sunday_first - 1
    }
}

/// `Month/Week of Month/Day of Week/Hour of Day`.
fn by_week(change: &ClockChange) -> String {
    let (week, weekday) = match change.day {
        ChangeDay::Nth { week, weekday } => (week, weekday),
        ChangeDay::Last { weekday } => (LAST_WEEK, weekday),
    };
    format!(
        "{}/{week}/{}/{}",
        change.month,
        yealink_weekday(weekday),
        change.hour
    )
}

/// The Yealink spelling of `rules`.
pub fn yealink(rules: &ClockRules) -> YealinkClock {
    let dst = rules.daylight_saving.as_ref();
    YealinkClock {
        time_zone: offset_text(rules.utc_offset_seconds),
        summer_time: if dst.is_some() { DST_ON } else { DST_OFF },
        start_time: dst.map_or_else(String::new, |d| by_week(&d.start)),
        end_time: dst.map_or_else(String::new, |d| by_week(&d.end)),
        offset_time: dst.map_or(0, |d| d.minutes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_hours_and_minutes_east_of_utc() {
        assert_eq!(offset_text(3600), "+1");
        assert_eq!(offset_text(-18000), "-5");
        assert_eq!(offset_text(19800), "+5:30");
        assert_eq!(offset_text(20700), "+5:45");
        assert_eq!(offset_text(-12600), "-3:30");
        assert_eq!(offset_text(0), "0");
    }

    #[test]
    fn monday_is_one_and_sunday_seven() {
        assert_eq!(yealink_weekday(1), 7);
        assert_eq!(yealink_weekday(2), 1);
        assert_eq!(yealink_weekday(7), 6);
    }
}
