//! What an export writes: the file formats, the cells of a row, and how a cell is kept from
//! being run as a formula (CSV injection).

use crate::i18n::{Lang, Tr};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use std::borrow::Cow;

/// A file format an export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An Excel workbook of one sheet: dates are date cells.
    Xlsx,
    /// CSV in UTF-8 with a byte-order mark (so that Excel reads it as UTF-8).
    Csv,
    /// CSV in Shift_JIS (Windows code page 932), the encoding Japanese Excel opens CSV in.
    CsvSjis,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Xlsx, Format::Csv, Format::CsvSjis];

    /// `xlsx`, `csv` or `csv-sjis`; empty is `xlsx`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim() {
            "" | "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            "csv-sjis" | "csv_sjis" | "sjis" => Some(Format::CsvSjis),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::CsvSjis => "csv-sjis",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv | Format::CsvSjis => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
            Format::CsvSjis => "text/csv; charset=Shift_JIS",
        }
    }

    /// Its name on the download controls.
    pub fn label(self, t: Tr) -> &'static str {
        match self {
            Format::Xlsx => t.export_format_xlsx(),
            Format::Csv => t.export_format_csv(),
            Format::CsvSjis => t.export_format_csv_sjis(),
        }
    }
}

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// A day: a date cell in a workbook.
    Date(Date),
    /// A moment, written in Japan's time to the minute: a date-and-time cell in a workbook.
    Time(Timestamp),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn date(d: Option<Date>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    pub fn time(t: Option<Timestamp>) -> Cell {
        t.map_or(Cell::Empty, Cell::Time)
    }
}

/// How an export writes its dates: as the reader's pages do (the Japanese era when the city or
/// the user chose it, in Japanese only), or in the Western calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dates {
    pub t: Tr,
    pub era: bool,
}

impl Dates {
    pub fn of(t: Tr) -> Dates {
        Dates {
            t,
            era: t.language() == Lang::Ja
                && t.date_style() == gaibu_domain::calendar::DateStyle::Era,
        }
    }

    /// A day as CSV writes it: `2019-05-01`, or `令和元年5月1日` in the era.
    pub fn day_text(&self, d: Date) -> String {
        if self.era {
            self.t.date_text(d)
        } else {
            d.to_string()
        }
    }

    /// A moment as CSV writes it: `2019-05-01 09:30`, or `令和元年5月1日 09:30` in the era.
    pub fn time_text(&self, t: Timestamp) -> String {
        if self.era {
            self.t.when_text(t)
        } else {
            local(t).strftime("%Y-%m-%d %H:%M").to_string()
        }
    }
}

/// A moment in Japan's time, to the minute.
pub fn local(t: Timestamp) -> DateTime {
    let tz = jiff::tz::TimeZone::get("Asia/Tokyo")
        .unwrap_or(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)));
    let dt = t.to_zoned(tz).datetime();
    dt.with()
        .second(0)
        .subsec_nanosecond(0)
        .build()
        .unwrap_or(dt)
}

/// Whether a spreadsheet would take text starting so as a formula (or as the start of one).
pub fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text as a CSV cell may hold it: a value a spreadsheet would run as a formula gets a `'`
/// in front, which spreadsheets show as text and do not run.
pub fn defused(s: &str) -> Cow<'_, str> {
    if looks_like_formula(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_plain_text_is_not() {
        for s in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defused(s), format!("'{s}"), "{s:?}");
        }
        for s in ["Web会議", "", "1+1", "a=b", "'quoted"] {
            assert_eq!(defused(s), s, "{s:?}");
        }
    }

    #[test]
    fn formats_read_from_their_names() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(f));
        }
        assert_eq!(Format::parse(""), Some(Format::Xlsx));
        assert_eq!(Format::parse("pdf"), None);
    }

    #[test]
    fn days_and_moments_read_as_the_reader_s_pages_do() {
        use gaibu_domain::calendar::DateStyle;
        let era = Dates::of(Tr::new(Lang::Ja).with_dates(DateStyle::Era));
        let western = Dates::of(Tr::new(Lang::Ja));
        let english = Dates::of(Tr::new(Lang::En).with_dates(DateStyle::Era));
        let (a, b) = (
            jiff::civil::date(2019, 4, 30),
            jiff::civil::date(2019, 5, 1),
        );
        assert_eq!(era.day_text(a), "平成31年4月30日");
        assert_eq!(era.day_text(b), "令和元年5月1日");
        assert_eq!(western.day_text(b), "2019-05-01");
        assert!(!english.era);
        let Ok(t) = "2019-04-30T15:30:20Z".parse::<Timestamp>() else {
            panic!("a timestamp");
        };
        assert_eq!(western.time_text(t), "2019-05-01 00:30");
        assert_eq!(era.time_text(t), "令和元年5月1日 00:30");
    }
}
