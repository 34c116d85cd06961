//! Dates the Japanese way: the Western calendar written `2026年11月29日`, or the Japanese era
//! (和暦) `令和8年11月29日`, converted both ways, and read back from what people and
//! spreadsheets write (`parse`: `令和元年5月1日`, `R1.5.1`, `平成31年4月30日`, `2019/5/1` …).
//!
//! An era begins on the day its name took effect, in the Gregorian calendar: 明治 on 1868-01-25
//! (the first day of Meiji 1, named retroactively from the lunar new year; Japan kept the lunar
//! calendar until the end of Meiji 5, so earlier dates here are proleptic Gregorian), 大正 on
//! 1912-07-30, 昭和 on 1926-12-25, 平成 on 1989-01-08 and 令和 on 2019-05-01. The day before is
//! the last of the era before it. The first year of an era is written 元年.

mod parse;

pub use parse::{parse, parse_lenient};

use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The eras since the Western calendar's dates can be told in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// The era's name as it is written: `令和`.
    pub fn name(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The letter that abbreviates the era: `R` (`R1.5.1`).
    pub fn letter(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// The first day of the era (元年).
    pub fn first_day(self) -> Date {
        match self {
            Era::Meiji => date(1868, 1, 25),
            Era::Taisho => date(1912, 7, 30),
            Era::Showa => date(1926, 12, 25),
            Era::Heisei => date(1989, 1, 8),
            Era::Reiwa => date(2019, 5, 1),
        }
    }

    /// The era that followed this one (`None` for the present era).
    pub fn next(self) -> Option<Era> {
        let i = Era::ALL.iter().position(|e| *e == self)?;
        Era::ALL.get(i + 1).copied()
    }

    /// The last day of the era (`None` for the present era).
    pub fn last_day(self) -> Option<Date> {
        self.next().and_then(|n| n.first_day().yesterday().ok())
    }

    /// The era a day falls in (`None` before 明治).
    pub fn of(d: Date) -> Option<Era> {
        Era::ALL.into_iter().rev().find(|e| d >= e.first_day())
    }

    /// Whether the day falls in this era.
    pub fn contains(self, d: Date) -> bool {
        d >= self.first_day() && self.last_day().is_none_or(|last| d <= last)
    }
}

/// A day told in the Japanese era: 令和 8 年 11 月 29 日.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EraDate {
    pub era: Era,
    /// The year of the era, from 1 (元年).
    pub year: i16,
    pub month: i8,
    pub day: i8,
}

impl EraDate {
    /// The day in the era it falls in (`None` before 明治).
    pub fn from_date(d: Date) -> Option<EraDate> {
        let era = Era::of(d)?;
        Some(EraDate {
            era,
            year: d.year() - era.first_day().year() + 1,
            month: d.month(),
            day: d.day(),
        })
    }

    /// The Western date, when the day exists and falls in the era: `平成31年5月1日` does not
    /// (令和 had begun), nor does `令和元年4月30日` (it had not).
    pub fn to_date(self) -> Result<Date, DateError> {
        let d = self.to_date_lenient()?;
        if self.era.contains(d) {
            Ok(d)
        } else {
            Err(DateError::OutsideEra(self.era))
        }
    }

    /// The Western date, letting the era's years run on past its end, as forms printed before
    /// a change of era are filled in (`平成32年` for 2020); a day before the era began is still
    /// refused.
    pub fn to_date_lenient(self) -> Result<Date, DateError> {
        if self.year < 1 {
            return Err(DateError::OutsideEra(self.era));
        }
        let year = i32::from(self.era.first_day().year()) + i32::from(self.year) - 1;
        let year = i16::try_from(year).map_err(|_| DateError::NoSuchDay)?;
        let d = Date::new(year, self.month, self.day).map_err(|_| DateError::NoSuchDay)?;
        if d < self.era.first_day() {
            return Err(DateError::OutsideEra(self.era));
        }
        Ok(d)
    }

    /// The short form of forms and spreadsheets: `R1.5.1`.
    pub fn abbreviated(&self) -> String {
        format!(
            "{}{}.{}.{}",
            self.era.letter(),
            self.year,
            self.month,
            self.day
        )
    }
}

/// `令和8年11月29日`, and `令和元年5月1日` in an era's first year.
impl fmt::Display for EraDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.era.name())?;
        if self.year == 1 {
            f.write_str("元")?;
        } else {
            write!(f, "{}", self.year)?;
        }
        write!(f, "年{}月{}日", self.month, self.day)
    }
}

/// How Japanese pages write a date: in the Western calendar (the default) or in the Japanese
/// era. A city sets it for everyone; a user may choose otherwise for themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateStyle {
    #[default]
    Western,
    Era,
}

impl DateStyle {
    pub const ALL: [DateStyle; 2] = [DateStyle::Western, DateStyle::Era];

    pub fn as_str(self) -> &'static str {
        match self {
            DateStyle::Western => "western",
            DateStyle::Era => "era",
        }
    }

    pub fn parse(s: &str) -> Option<DateStyle> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A day in Japanese, in the Western calendar: `2026年11月29日`.
pub fn western_ja(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A day in Japanese in a style; a day before 明治 is written in the Western calendar.
pub fn ja(d: Date, style: DateStyle) -> String {
    match (style, EraDate::from_date(d)) {
        (DateStyle::Era, Some(e)) => e.to_string(),
        _ => western_ja(d),
    }
}

/// Why a text is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("no date given")]
    Empty,
    #[error("not a date in a form that is read")]
    Unreadable,
    #[error("no such day in the calendar")]
    NoSuchDay,
    #[error("the day is not in the era {}", .0.name())]
    OutsideEra(Era),
    #[error("the day of the week does not match the date")]
    WeekdayMismatch,
}

impl DateError {
    /// The code a refusal of the input carries.
    pub fn code(self) -> &'static str {
        match self {
            DateError::Empty => "date_empty",
            DateError::Unreadable => "date_unreadable",
            DateError::NoSuchDay => "date_no_such_day",
            DateError::OutsideEra(_) => "date_outside_era",
            DateError::WeekdayMismatch => "date_weekday_mismatch",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn era(d: Date) -> String {
        EraDate::from_date(d)
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn the_changes_of_era_fall_on_their_days() {
        assert_eq!(era(date(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(era(date(1989, 1, 8)), "平成元年1月8日");
        assert_eq!(era(date(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(era(date(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(era(date(1926, 12, 24)), "大正15年12月24日");
        assert_eq!(era(date(1926, 12, 25)), "昭和元年12月25日");
        assert_eq!(era(date(1912, 7, 29)), "明治45年7月29日");
        assert_eq!(era(date(1912, 7, 30)), "大正元年7月30日");
        assert_eq!(era(date(1868, 1, 25)), "明治元年1月25日");
        assert_eq!(EraDate::from_date(date(1868, 1, 24)), None);
        assert_eq!(era(date(2026, 11, 29)), "令和8年11月29日");
        assert_eq!(era(date(2020, 1, 1)), "令和2年1月1日");
    }

    #[test]
    fn each_era_ends_the_day_before_the_next_begins() {
        assert_eq!(Era::Showa.last_day(), Some(date(1989, 1, 7)));
        assert_eq!(Era::Heisei.last_day(), Some(date(2019, 4, 30)));
        assert_eq!(Era::Reiwa.last_day(), None);
        assert!(Era::Heisei.contains(date(2019, 4, 30)));
        assert!(!Era::Heisei.contains(date(2019, 5, 1)));
        assert!(!Era::Reiwa.contains(date(2019, 4, 30)));
        assert_eq!(Era::of(date(1989, 1, 7)), Some(Era::Showa));
        assert_eq!(Era::of(date(1989, 1, 8)), Some(Era::Heisei));
    }

    #[test]
    fn an_era_date_turns_back_into_its_day_only_inside_its_era() {
        let d = |era, year, month, day| EraDate {
            era,
            year,
            month,
            day,
        };
        assert_eq!(d(Era::Reiwa, 1, 5, 1).to_date(), Ok(date(2019, 5, 1)));
        assert_eq!(d(Era::Heisei, 31, 4, 30).to_date(), Ok(date(2019, 4, 30)));
        assert_eq!(d(Era::Showa, 64, 1, 7).to_date(), Ok(date(1989, 1, 7)));
        assert_eq!(d(Era::Heisei, 1, 1, 8).to_date(), Ok(date(1989, 1, 8)));
        let outside = Err(DateError::OutsideEra(Era::Heisei));
        assert_eq!(d(Era::Heisei, 31, 5, 1).to_date(), outside);
        assert_eq!(d(Era::Heisei, 1, 1, 7).to_date(), outside);
        assert_eq!(d(Era::Heisei, 0, 6, 1).to_date(), outside);
        assert_eq!(
            d(Era::Reiwa, 1, 4, 30).to_date(),
            Err(DateError::OutsideEra(Era::Reiwa))
        );
        assert_eq!(
            d(Era::Showa, 64, 1, 8).to_date(),
            Err(DateError::OutsideEra(Era::Showa))
        );
        // Forms printed before 令和 went on counting 平成.
        assert_eq!(
            d(Era::Heisei, 32, 1, 1).to_date_lenient(),
            Ok(date(2020, 1, 1))
        );
        assert_eq!(d(Era::Heisei, 1, 1, 7).to_date_lenient(), outside);
        assert_eq!(d(Era::Reiwa, 3, 2, 29).to_date(), Err(DateError::NoSuchDay));
        assert_eq!(d(Era::Reiwa, 2, 2, 29).to_date(), Ok(date(2020, 2, 29)));
        assert_eq!(
            d(Era::Reiwa, 9000, 1, 1).to_date(),
            Err(DateError::NoSuchDay)
        );
    }

    #[test]
    fn a_date_is_written_in_the_style_asked_for() {
        let d = date(2026, 11, 29);
        assert_eq!(ja(d, DateStyle::Western), "2026年11月29日");
        assert_eq!(ja(d, DateStyle::Era), "令和8年11月29日");
        assert_eq!(ja(date(1800, 1, 2), DateStyle::Era), "1800年1月2日");
        let abbreviated = EraDate::from_date(date(2019, 5, 1)).map(|e| e.abbreviated());
        assert_eq!(abbreviated.as_deref(), Some("R1.5.1"));
        for s in DateStyle::ALL {
            assert_eq!(DateStyle::parse(s.as_str()), Some(s));
        }
        assert_eq!(DateStyle::parse("default"), None);
    }

    #[test]
    fn every_day_since_meiji_reads_back_from_how_it_is_written() {
        let mut d = Era::Meiji.first_day();
        let end = date(2100, 12, 31);
        while d <= end {
            let Some(e) = EraDate::from_date(d) else {
                panic!("{d} has no era");
            };
            assert_eq!(e.to_date(), Ok(d), "{e}");
            assert_eq!(parse(&e.to_string()), Ok(d), "{e}");
            assert_eq!(parse(&e.abbreviated()), Ok(d), "{}", e.abbreviated());
            assert_eq!(parse(&western_ja(d)), Ok(d), "{d}");
            assert_eq!(parse(&d.to_string()), Ok(d), "{d}");
            let Ok(next) = d.tomorrow() else { break };
            d = next;
        }
    }
}
