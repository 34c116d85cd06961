//! Reading a date as people and spreadsheets write it, in the Western calendar or the Japanese
//! era, in full-width or half-width characters, Arabic or kanji numerals:
//!
//! - the Japanese era: `令和元年5月1日`, `令和1年5月1日`, `令和８年１１月２９日`,
//!   `令和八年十一月二十九日`, `R1.5.1`, `R01/05/01`, `r1-5-1`, `H31.4.30`, `令1.5.1`, `㋿1.5.1`,
//!   `R010501`;
//! - the Western calendar: `2019-05-01`, `2019/5/1`, `2019.5.1`, `2019年5月1日`, `二〇一九年五月一日`,
//!   `20190501`, `1 May 2019`, `1-May-2019`, `May 1, 2019`;
//! - a day of the week after it is checked against the date: `令和元年5月1日(水)`,
//!   `2019/5/1（水曜日）`, `Wed, 1 May 2019`.
//!
//! Forms that cannot be told apart (`1/5/2019`: January or May?) and two-digit Western years are
//! refused rather than guessed.

use super::{DateError, Era, EraDate};
use jiff::civil::{Date, Weekday};

/// The day a text names; an era's date must fall in that era (`平成31年5月1日` is refused).
pub fn parse(s: &str) -> Result<Date, DateError> {
    read(s, false)
}

/// As [`parse`], but an era's years may run on past its end, as forms printed before a change
/// of era are filled in (`平成32年1月1日` is 2020-01-01).
pub fn parse_lenient(s: &str) -> Result<Date, DateError> {
    read(s, true)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// A number and how many digits it was written with.
    Num(u32, usize),
    /// 元 (the first year of an era).
    Gan,
    Era(Era),
    /// 年, 月 or 日.
    Unit(char),
    /// `.`, `/`, `-` or `,`.
    Sep(char),
    /// An English month name.
    Month(i8),
    Weekday(Weekday),
}

fn read(s: &str, lenient: bool) -> Result<Date, DateError> {
    let mut toks = tokens(s)?;
    if toks.is_empty() {
        return Err(DateError::Empty);
    }
    let weekday = take_weekday(&mut toks);
    let d = match date_of(&toks)? {
        Written::Western(y, m, d) => western(y, m, d)?,
        Written::Era(e) if lenient => e.to_date_lenient()?,
        Written::Era(e) => e.to_date()?,
    };
    match weekday {
        Some(w) if w != d.weekday() => Err(DateError::WeekdayMismatch),
        _ => Ok(d),
    }
}

/// A day of the week written before (`Wed,`) or after (`(水)`) the date, taken out.
fn take_weekday(toks: &mut Vec<Tok>) -> Option<Weekday> {
    if let Some(Tok::Weekday(w)) = toks.last().copied() {
        toks.pop();
        return Some(w);
    }
    if let Some(Tok::Weekday(w)) = toks.first().copied() {
        let comma = usize::from(toks.get(1) == Some(&Tok::Sep(',')));
        toks.drain(..1 + comma);
        return Some(w);
    }
    None
}

enum Written {
    Western(u32, u32, u32),
    Era(EraDate),
}

/// Numbers written with at most `max` digits.
fn small(t: Tok, max: usize) -> Option<u32> {
    match t {
        Tok::Num(v, n) if n <= max => Some(v),
        _ => None,
    }
}

fn date_of(toks: &[Tok]) -> Result<Written, DateError> {
    use Tok::*;
    // `…日` is optional after `…月…`.
    let toks = match toks {
        [rest @ .., Unit('月'), _, Unit('日')] => &toks[..rest.len() + 2],
        _ => toks,
    };
    let md = |m: Tok, d: Tok| small(m, 2).zip(small(d, 2));
    let western_year = |y: Tok| match y {
        Num(v, 4) => Some(v),
        _ => None,
    };
    let found = match toks {
        [d, Month(m), y] | [d, Sep('-'), Month(m), Sep('-'), y] => english(*m, *d, *y),
        [Month(m), d, Sep(','), y] | [Month(m), d, y] => english(*m, *d, *y),
        [Era(e), y, Unit('年'), m, Unit('月'), d] => era_date(*e, *y, md(*m, *d)),
        [Era(e), y, Sep(a), m, Sep(b), d] if a == b && *a != ',' => era_date(*e, *y, md(*m, *d)),
        [Era(e), Num(v, 6)] => era_date(*e, Num(v / 10000, 2), Some((v / 100 % 100, v % 100))),
        [y, Unit('年'), m, Unit('月'), d] => western_year(*y)
            .zip(md(*m, *d))
            .map(|(y, (m, d))| Written::Western(y, m, d)),
        [y, Sep(a), m, Sep(b), d] if a == b && *a != ',' => western_year(*y)
            .zip(md(*m, *d))
            .map(|(y, (m, d))| Written::Western(y, m, d)),
        [Num(v, 8)] => Some(Written::Western(v / 10000, v / 100 % 100, v % 100)),
        _ => None,
    };
    found.ok_or(DateError::Unreadable)
}

fn era_date(era: Era, year: Tok, md: Option<(u32, u32)>) -> Option<Written> {
    let year = match year {
        Tok::Gan => 1,
        y => small(y, 2)?,
    };
    let (month, day) = md?;
    Some(Written::Era(EraDate {
        era,
        year: i16::try_from(year).ok()?,
        month: i8::try_from(month).ok()?,
        day: i8::try_from(day).ok()?,
    }))
}

fn english(month: i8, day: Tok, year: Tok) -> Option<Written> {
    let day = small(day, 2)?;
    match year {
        Tok::Num(y, 4) => Some(Written::Western(y, u32::try_from(month).ok()?, day)),
        _ => None,
    }
}

fn western(y: u32, m: u32, d: u32) -> Result<Date, DateError> {
    let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(y), i8::try_from(m), i8::try_from(d)) else {
        return Err(DateError::NoSuchDay);
    };
    if y < 1 {
        return Err(DateError::NoSuchDay);
    }
    Date::new(y, m, d).map_err(|_| DateError::NoSuchDay)
}

/// Full-width letters, digits and signs as their ASCII forms; dashes as `-`.
fn normal(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '、' => ',',
        c => c,
    }
}

const KANJI_DIGITS: &str = "〇一二三四五六七八九";

fn kanji_digit(c: char) -> Option<u32> {
    KANJI_DIGITS
        .chars()
        .position(|k| k == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// `二〇一九` (digit by digit) or `二十九`, `十一`, `十` (with 十).
fn kanji_number(s: &[char]) -> Option<(u32, usize)> {
    match s.iter().position(|c| *c == '十') {
        None => {
            let mut v: u32 = 0;
            for c in s {
                v = v.checked_mul(10)?.checked_add(kanji_digit(*c)?)?;
            }
            Some((v, s.len()))
        }
        Some(at) => {
            let digit = |part: &[char], empty: u32| match part {
                [] => Some(empty),
                [c] if *c != '〇' => kanji_digit(*c),
                _ => None,
            };
            let v = digit(&s[..at], 1)? * 10 + digit(&s[at + 1..], 0)?;
            Some((v, if v < 10 { 1 } else { 2 }))
        }
    }
}

fn era_named(first: char, second: Option<char>) -> Option<(Era, bool)> {
    let era = match first {
        '明' | '㍾' => Era::Meiji,
        '大' | '㍽' => Era::Taisho,
        '昭' | '㍼' => Era::Showa,
        '平' | '㍻' => Era::Heisei,
        '令' | '㋿' => Era::Reiwa,
        _ => return None,
    };
    // The name in full (`令和`) or its first character alone (`令`), or a ligature (`㋿`).
    let mut name = era.name().chars();
    let full = name.next() == Some(first) && second.is_some() && name.next() == second;
    Some((era, full))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [(&str, char, Weekday); 7] = [
    ("mon", '月', Weekday::Monday),
    ("tue", '火', Weekday::Tuesday),
    ("wed", '水', Weekday::Wednesday),
    ("thu", '木', Weekday::Thursday),
    ("fri", '金', Weekday::Friday),
    ("sat", '土', Weekday::Saturday),
    ("sun", '日', Weekday::Sunday),
];

/// An English word: an era's letter, a month or a day of the week (in full, or their first
/// three letters; `sept` too).
fn word(w: &str) -> Option<Tok> {
    let era = match w {
        "m" => Some(Era::Meiji),
        "t" => Some(Era::Taisho),
        "s" => Some(Era::Showa),
        "h" => Some(Era::Heisei),
        "r" => Some(Era::Reiwa),
        _ => None,
    };
    if let Some(e) = era {
        return Some(Tok::Era(e));
    }
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    for (i, (short, full)) in MONTHS.iter().zip(FULL).enumerate() {
        if w == *short || w == full || (i == 8 && w == "sept") {
            return i8::try_from(i + 1).ok().map(Tok::Month);
        }
    }
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    WEEKDAYS
        .iter()
        .zip(DAYS)
        .find(|((short, _, _), full)| w == *short || w == *full)
        .map(|((_, _, day), _)| Tok::Weekday(*day))
}

/// `水`, `水曜`, `水曜日`, `Wed` or `Wednesday`, as written between brackets.
fn weekday_in_brackets(inside: &str) -> Option<Weekday> {
    let inside = inside.trim();
    let kanji = inside
        .strip_suffix("曜日")
        .or_else(|| inside.strip_suffix('曜'))
        .unwrap_or(inside);
    let mut chars = kanji.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && let Some((_, _, w)) = WEEKDAYS.iter().find(|(_, k, _)| *k == c)
    {
        return Some(*w);
    }
    match word(&inside.to_ascii_lowercase()) {
        Some(Tok::Weekday(w)) => Some(w),
        _ => None,
    }
}

fn tokens(s: &str) -> Result<Vec<Tok>, DateError> {
    let chars: Vec<char> = s.chars().map(normal).collect();
    let mut out = Vec::new();
    let mut i = 0;
    let run = |i: usize, f: fn(char) -> bool| {
        let mut j = i;
        while j < chars.len() && f(chars[j]) {
            j += 1;
        }
        j
    };
    while let Some(&c) = chars.get(i) {
        match c {
            c if c.is_whitespace() => i += 1,
            '0'..='9' => {
                let j = run(i, |c| c.is_ascii_digit());
                let digits: String = chars[i..j].iter().collect();
                let v = digits.parse().map_err(|_| DateError::Unreadable)?;
                out.push(Tok::Num(v, j - i));
                i = j;
            }
            c if kanji_digit(c).is_some() || c == '十' => {
                let j = run(i, |c| kanji_digit(c).is_some() || c == '十');
                let (v, n) = kanji_number(&chars[i..j]).ok_or(DateError::Unreadable)?;
                out.push(Tok::Num(v, n));
                i = j;
            }
            c if c.is_ascii_alphabetic() => {
                let j = run(i, |c| c.is_ascii_alphabetic());
                let w: String = chars[i..j].iter().collect();
                out.push(word(&w.to_ascii_lowercase()).ok_or(DateError::Unreadable)?);
                i = j;
            }
            '(' | '【' | '［' | '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|c| matches!(c, ')' | '】' | '］' | ']'))
                    .ok_or(DateError::Unreadable)?;
                let inside: String = chars[i + 1..i + close].iter().collect();
                let w = weekday_in_brackets(&inside).ok_or(DateError::Unreadable)?;
                out.push(Tok::Weekday(w));
                i += close + 1;
            }
            '元' => {
                out.push(Tok::Gan);
                i += 1;
            }
            '年' | '月' | '日' => {
                out.push(Tok::Unit(c));
                i += 1;
            }
            '.' | '/' | '-' | ',' => {
                out.push(Tok::Sep(c));
                i += 1;
            }
            c => {
                let (era, full) =
                    era_named(c, chars.get(i + 1).copied()).ok_or(DateError::Unreadable)?;
                out.push(Tok::Era(era));
                i += if full { 2 } else { 1 };
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_japanese_era_is_read_in_its_usual_forms() {
        let may1 = Ok(date(2019, 5, 1));
        for s in [
            "令和元年5月1日",
            "令和1年5月1日",
            "令和元年5月1",
            "令和 元年 5月 1日",
            "令和０１年０５月０１日",
            "令和元年五月一日",
            "R1.5.1",
            "R01.05.01",
            "r1/5/1",
            "R1-5-1",
            "Ｒ１．５．１",
            "令1.5.1",
            "㋿1.5.1",
            "㋿元年5月1日",
            "R010501",
            "令和元年5月1日(水)",
            "令和元年5月1日（水曜日）",
            "R1.5.1 (Wed)",
        ] {
            assert_eq!(parse(s), may1, "{s}");
        }
        assert_eq!(parse("平成31年4月30日"), Ok(date(2019, 4, 30)));
        assert_eq!(parse("H31.4.30"), Ok(date(2019, 4, 30)));
        assert_eq!(parse("㍻31.4.30"), Ok(date(2019, 4, 30)));
        assert_eq!(parse("平成元年1月8日"), Ok(date(1989, 1, 8)));
        assert_eq!(parse("昭和64年1月7日"), Ok(date(1989, 1, 7)));
        assert_eq!(parse("S64.1.7"), Ok(date(1989, 1, 7)));
        assert_eq!(parse("令和八年十一月二十九日"), Ok(date(2026, 11, 29)));
        assert_eq!(parse("大正元年7月30日"), Ok(date(1912, 7, 30)));
        assert_eq!(parse("M45.7.29"), Ok(date(1912, 7, 29)));
        assert_eq!(parse("T15.12.24"), Ok(date(1926, 12, 24)));
    }

    #[test]
    fn a_day_outside_its_era_is_refused_unless_read_leniently() {
        let heisei = Err(DateError::OutsideEra(Era::Heisei));
        assert_eq!(parse("平成31年5月1日"), heisei);
        assert_eq!(parse("H32.1.1"), heisei);
        assert_eq!(parse("平成元年1月7日"), heisei);
        assert_eq!(parse("平成0年6月1日"), heisei);
        assert_eq!(
            parse("令和元年4月30日"),
            Err(DateError::OutsideEra(Era::Reiwa))
        );
        assert_eq!(
            parse("昭和64年1月8日"),
            Err(DateError::OutsideEra(Era::Showa))
        );
        assert_eq!(
            parse("明治元年1月24日"),
            Err(DateError::OutsideEra(Era::Meiji))
        );
        assert_eq!(parse_lenient("平成31年5月1日"), Ok(date(2019, 5, 1)));
        assert_eq!(parse_lenient("H32.1.1"), Ok(date(2020, 1, 1)));
        assert_eq!(
            parse_lenient("令和元年4月30日"),
            Err(DateError::OutsideEra(Era::Reiwa))
        );
        assert_eq!(parse_lenient("平成元年1月8日"), Ok(date(1989, 1, 8)));
    }

    #[test]
    fn the_western_calendar_is_read_in_its_usual_forms() {
        let d = Ok(date(2026, 11, 29));
        for s in [
            "2026-11-29",
            "2026/11/29",
            "2026.11.29",
            "２０２６／１１／２９",
            "2026年11月29日",
            "2026年11月29日(日)",
            "二〇二六年十一月二十九日",
            "20261129",
            "29 Nov 2026",
            "29 November 2026",
            "29-Nov-2026",
            "Nov 29, 2026",
            "November 29 2026",
            "Sun, 29 Nov 2026",
            " 2026-11-29 ",
        ] {
            assert_eq!(parse(s), d, "{s}");
        }
        assert_eq!(parse("2026/1/5"), Ok(date(2026, 1, 5)));
        assert_eq!(parse("5 Sept 2026"), Ok(date(2026, 9, 5)));
    }

    #[test]
    fn what_is_not_one_day_is_refused_with_its_reason() {
        assert_eq!(parse(""), Err(DateError::Empty));
        assert_eq!(parse("  　"), Err(DateError::Empty));
        for s in [
            "hello",
            "1/5/2019",
            "19/5/1",
            "2019/5-1",
            "2019,5,1",
            "元年5月1日",
            "令和",
            "令和元年",
            "R1.5",
            "R123.5.1",
            "2019-05-01T10:00",
            "2019年5月1日 午前",
            "令和元年5月1日(祝)",
            "二十十年",
        ] {
            assert_eq!(parse(s), Err(DateError::Unreadable), "{s}");
        }
        for s in [
            "2019-02-29",
            "2019-13-01",
            "2019/4/31",
            "令和3年2月29日",
            "R1.5.32",
        ] {
            assert_eq!(parse(s), Err(DateError::NoSuchDay), "{s}");
        }
        assert_eq!(parse("2019-05-01"), Ok(date(2019, 5, 1)));
        assert_eq!(parse("令和元年5月1日(木)"), Err(DateError::WeekdayMismatch));
        assert_eq!(parse("Thu, 1 May 2019"), Err(DateError::WeekdayMismatch));
        assert_eq!(DateError::OutsideEra(Era::Reiwa).code(), "date_outside_era");
    }
}
