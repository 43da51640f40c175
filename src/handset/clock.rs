//! A site's clock ([`ClockRules`]) in each vendor's terms: Polycom `tcpIpApp.sntp.*` (offset in
//! seconds east of UTC, daylight saving by month, occurrence date or last-in-month, weekday and
//! hour) and Aastra `time zone minutes` / `dst ...` (minutes *west* of UTC, week 1-5 or -1 for
//! the last, weekday and hour). The rules are one value; only the spelling differs per vendor.

use crate::domain::{ChangeDay, ClockChange, ClockRules};

/// One change of clock as Polycom spells it (`tcpIpApp.sntp.daylightSavings.start.*`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolycomChange {
    /// Which change: `start` or `stop` (the parameter's middle name).
    pub which: &'static str,
    /// `month`: 1 to 12.
    pub month: u8,
    /// `date` with `fixedDayEnable=0`: the first day the weekday may fall on (1, 8, 15, 22 for
    /// its first to fourth occurrence); `None` when the change is on the last weekday.
    pub date: Option<u8>,
    /// `time`: local hour, 0 to 23.
    pub time: u8,
    /// `dayOfWeek`: 1 = Sunday ... 7 = Saturday.
    pub day_of_week: u8,
    /// `dayOfWeek.lastInMonth`: 1 for the last such weekday of the month.
    pub last_in_month: u8,
}

/// A site's clock as Polycom phones take it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolycomClock {
    /// `tcpIpApp.sntp.gmtOffset`: seconds east of UTC.
    pub gmt_offset: i32,
    /// `tcpIpApp.sntp.daylightSavings.enable`: 1 or 0.
    pub daylight_saving: u8,
    /// Start and stop of daylight saving, in that order; empty when it does not apply.
    pub changes: Vec<PolycomChange>,
}

/// One change of clock as Aastra spells it (`dst start month`, `dst start week` ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AastraChange {
    /// Which change: `start` or `end` (the parameter's middle name).
    pub which: &'static str,
    /// `month`: 1 to 12.
    pub month: u8,
    /// `week`: 1 to 4 for the first to fourth, -1 for the last.
    pub week: i8,
    /// `day`: 1 = Sunday ... 7 = Saturday.
    pub day: u8,
    /// `hour`: local hour, 0 to 23.
    pub hour: u8,
}

/// A site's clock as Aastra/Mitel phones take it (always the `Custom` zone, so the rules are
/// exactly the site's).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AastraClock {
    /// `time zone minutes`: minutes *west* of UTC (UTC-5 is 300, UTC+1 is -60).
    pub minutes: i32,
    /// `dst config`: 0 for none, 3 (automatic) to apply the rules below.
    pub dst_config: u8,
    /// `dst minutes`: minutes added in summer (0 to 60).
    pub dst_minutes: i32,
    /// Start and end of daylight saving, in that order; empty when it does not apply.
    pub changes: Vec<AastraChange>,
}

fn polycom_change(which: &'static str, change: &ClockChange) -> PolycomChange {
    let (date, day_of_week, last_in_month) = match change.day {
        ChangeDay::Nth { week, weekday } => (Some((week - 1) * 7 + 1), weekday, 0),
        ChangeDay::Last { weekday } => (None, weekday, 1),
    };
    PolycomChange {
        which,
        month: change.month,
        date,
        time: change.hour,
        day_of_week,
        last_in_month,
    }
}

fn aastra_change(which: &'static str, change: &ClockChange) -> AastraChange {
    let (week, day) = match change.day {
        ChangeDay::Nth { week, weekday } => (week as i8, weekday),
        ChangeDay::Last { weekday } => (-1, weekday),
    };
    AastraChange {
        which,
        month: change.month,
        week,
        day,
        hour: change.hour,
    }
}

/// The Polycom spelling of `rules`.
pub fn polycom(rules: &ClockRules) -> PolycomClock {
    let dst = rules.daylight_saving.as_ref();
    PolycomClock {
        gmt_offset: rules.utc_offset_seconds,
        daylight_saving: u8::from(dst.is_some()),
        changes: dst.map_or_else(Vec::new, |d| {
            vec![
                polycom_change("start", &d.start),
                polycom_change("stop", &d.end),
            ]
        }),
    }
}

/// The Aastra spelling of `rules`.
pub fn aastra(rules: &ClockRules) -> AastraClock {
    let dst = rules.daylight_saving.as_ref();
    AastraClock {
        minutes: -(rules.utc_offset_seconds / 60),
        dst_config: if dst.is_some() { 3 } else { 0 },
        dst_minutes: dst.map_or(0, |d| d.minutes.clamp(0, 60)),
        changes: dst.map_or_else(Vec::new, |d| {
            vec![
                aastra_change("start", &d.start),
                aastra_change("end", &d.end),
            ]
        }),
    }
}
