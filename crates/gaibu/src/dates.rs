//! Dates and times as pages, notices and e-mails show them (issue 10, item 10), the same in
//! every place: Japanese pages write `2026年11月29日` — `令和8年11月29日` where the city, or
//! the user, chose the Japanese era — and English pages `29 Nov 2026` (the era is a Japanese
//! way of writing; English ignores it). A time adds the hour and minute in Japan
//! (`2026年11月29日 00:36`); a span joins two days with `〜` in Japanese and ` – ` in English.
//!
//! On a page each is a `<time>` element carrying its ISO 8601 value, which the style sheet
//! keeps on one line. The JSON API and the date inputs of forms keep ISO 8601 as they are.

use crate::i18n::{Lang, Tr};
use gaibu_domain::calendar;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::fmt;
use std::sync::LazyLock;

/// The city's time zone.
static TOKYO: LazyLock<TimeZone> =
    LazyLock::new(|| TimeZone::get("Asia/Tokyo").unwrap_or(TimeZone::fixed(jiff::tz::offset(9))));

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date, a time or a span as a page shows it: `<time>` markup for templates (which do not
/// escape it: it holds no text from users), and its plain text for anything else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stamp {
    html: String,
    text: String,
}

impl Stamp {
    /// The words without markup, for e-mail, notices and attributes.
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    fn time(machine: &str, text: String) -> Stamp {
        Stamp {
            html: format!("<time datetime=\"{machine}\">{text}</time>"),
            text,
        }
    }
}

/// The markup; use [`Stamp::text`] where no HTML is wanted.
impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.html)
    }
}

impl askama::filters::HtmlSafe for Stamp {}

/// A moment to show: a stored time, the audit trail's epoch milliseconds, or nothing (shown as
/// nothing).
pub struct When(Option<Timestamp>);

impl From<Timestamp> for When {
    fn from(t: Timestamp) -> Self {
        When(Some(t))
    }
}
impl From<&Timestamp> for When {
    fn from(t: &Timestamp) -> Self {
        When(Some(*t))
    }
}
impl From<Option<Timestamp>> for When {
    fn from(t: Option<Timestamp>) -> Self {
        When(t)
    }
}
impl From<&Option<Timestamp>> for When {
    fn from(t: &Option<Timestamp>) -> Self {
        When(*t)
    }
}
impl From<i64> for When {
    fn from(ms: i64) -> Self {
        When(Timestamp::from_millisecond(ms).ok())
    }
}
impl From<&i64> for When {
    fn from(ms: &i64) -> Self {
        When::from(*ms)
    }
}

/// A day to show, or nothing (shown as nothing).
pub struct Day(Option<Date>);

/// Templates hand over what they hold by reference, sometimes twice over.
macro_rules! through_refs {
    ($to:ty: $($t:ty),*) => {
        $(impl From<&&$t> for $to {
            fn from(v: &&$t) -> Self {
                <$to>::from(*v)
            }
        })*
    };
}
through_refs!(Day: Date, Option<Date>, str, String);
through_refs!(When: Timestamp, Option<Timestamp>, i64);

impl From<Date> for Day {
    fn from(d: Date) -> Self {
        Day(Some(d))
    }
}
impl From<&Date> for Day {
    fn from(d: &Date) -> Self {
        Day(Some(*d))
    }
}
impl From<Option<Date>> for Day {
    fn from(d: Option<Date>) -> Self {
        Day(d)
    }
}
impl From<&Option<Date>> for Day {
    fn from(d: &Option<Date>) -> Self {
        Day(*d)
    }
}
/// A date kept as ISO text in a record (checked when it was saved); other text shows nothing.
impl From<&str> for Day {
    fn from(s: &str) -> Self {
        Day(s.trim().parse().ok())
    }
}
impl From<&String> for Day {
    fn from(s: &String) -> Self {
        Day::from(s.as_str())
    }
}

impl Tr {
    fn day_words(&self, d: Date) -> String {
        match self.language() {
            Lang::Ja => calendar::ja(d, self.date_style()),
            Lang::En => {
                let month = usize::try_from(d.month() - 1)
                    .ok()
                    .and_then(|m| MONTHS.get(m))
                    .copied()
                    .unwrap_or("");
                format!("{} {month} {}", d.day(), d.year())
            }
        }
    }

    /// A day: `2026年11月29日`, `令和8年11月29日` or `29 Nov 2026`.
    pub fn date(&self, d: impl Into<Day>) -> Stamp {
        match d.into().0 {
            Some(d) => Stamp::time(&d.to_string(), self.day_words(d)),
            None => Stamp::default(),
        }
    }

    /// A moment, to the minute in Japan's time: `2026年11月29日 00:36` or `29 Nov 2026 00:36`.
    pub fn when(&self, t: impl Into<When>) -> Stamp {
        let Some(t) = t.into().0 else {
            return Stamp::default();
        };
        let z = t.to_zoned(TOKYO.clone());
        let text = format!("{} {}", self.day_words(z.date()), z.strftime("%H:%M"));
        Stamp::time(&z.strftime("%Y-%m-%dT%H:%M%:z").to_string(), text)
    }

    /// A span of days, `2026年4月1日〜2027年3月31日` or `1 Apr 2026 – 31 Mar 2027`; either end
    /// may be open.
    pub fn range(&self, from: impl Into<Day>, to: impl Into<Day>) -> Stamp {
        let (from, to) = (self.date(from), self.date(to));
        if from.is_empty() && to.is_empty() {
            return Stamp::default();
        }
        let join = |a: &str, b: &str| match self.language() {
            Lang::Ja => format!("{a}〜{b}"),
            Lang::En => format!("{a} – {b}").trim().to_string(),
        };
        Stamp {
            html: join(&from.html, &to.html),
            text: join(&from.text, &to.text),
        }
    }

    /// A day in words without markup (e-mail, notices).
    pub fn date_text(&self, d: impl Into<Day>) -> String {
        self.date(d).text
    }

    /// A moment in words without markup (e-mail, notices).
    pub fn when_text(&self, t: impl Into<When>) -> String {
        self.when(t).text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaibu_domain::calendar::DateStyle;
    use jiff::civil::date;

    fn ja() -> Tr {
        Tr::new(Lang::Ja)
    }
    fn era() -> Tr {
        Tr::new(Lang::Ja).with_dates(DateStyle::Era)
    }
    fn en() -> Tr {
        Tr::new(Lang::En).with_dates(DateStyle::Era)
    }

    #[test]
    fn a_day_reads_the_same_everywhere_in_each_language_and_style() {
        let d = date(2026, 11, 29);
        assert_eq!(ja().date_text(d), "2026年11月29日");
        assert_eq!(era().date_text(d), "令和8年11月29日");
        assert_eq!(era().date_text(date(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(era().date_text(date(2019, 4, 30)), "平成31年4月30日");
        // English ignores the era.
        assert_eq!(en().date_text(d), "29 Nov 2026");
        assert_eq!(en().date_text(date(2027, 1, 5)), "5 Jan 2027");
        assert_eq!(
            ja().date(d).to_string(),
            "<time datetime=\"2026-11-29\">2026年11月29日</time>"
        );
        assert_eq!(ja().date(None::<Date>).to_string(), "");
    }

    #[test]
    fn a_moment_is_shown_in_japan_to_the_minute() {
        let Ok(t) = "2026-11-28T15:36:20Z".parse::<Timestamp>() else {
            panic!("a timestamp");
        };
        assert_eq!(ja().when_text(t), "2026年11月29日 00:36");
        assert_eq!(era().when_text(t), "令和8年11月29日 00:36");
        assert_eq!(en().when_text(t), "29 Nov 2026 00:36");
        assert_eq!(
            ja().when(t).to_string(),
            "<time datetime=\"2026-11-29T00:36+09:00\">2026年11月29日 00:36</time>"
        );
        assert_eq!(ja().when_text(t.as_millisecond()), "2026年11月29日 00:36");
        assert_eq!(ja().when_text(None::<Timestamp>), "");
    }

    #[test]
    fn a_span_joins_its_ends_in_the_language_s_way() {
        let (a, b) = (date(2026, 4, 1), date(2027, 3, 31));
        assert_eq!(ja().range(a, b).text(), "2026年4月1日〜2027年3月31日");
        assert_eq!(era().range(a, b).text(), "令和8年4月1日〜令和9年3月31日");
        assert_eq!(en().range(a, b).text(), "1 Apr 2026 – 31 Mar 2027");
        assert_eq!(ja().range(a, None).text(), "2026年4月1日〜");
        assert_eq!(en().range(a, None).text(), "1 Apr 2026 –");
        assert_eq!(en().range(None, b).text(), "– 31 Mar 2027");
        assert!(ja().range(None, None).is_empty());
        assert_eq!(
            ja().range(a, b).to_string(),
            "<time datetime=\"2026-04-01\">2026年4月1日</time>〜\
             <time datetime=\"2027-03-31\">2027年3月31日</time>"
        );
    }
}
