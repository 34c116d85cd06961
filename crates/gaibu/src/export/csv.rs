//! CSV as spreadsheets read it (RFC 4180, CRLF line ends), in UTF-8 with a byte-order mark or
//! in Shift_JIS (CP932).
//!
//! CP932 cannot hold every character: one it cannot is written as its closest form in CP932
//! when there is one the same to a reader (the wave dash `〜` as `～`, which is how Windows
//! reads CP932's 0x8160 back; `‖` as `∥`, `—` as `―`, `¢` `£` `¬` `¦` as their full-width
//! forms, a no-break space as a space), else as `?` (an emoji, a character outside JIS X 0208
//! and the vendors' extensions). Either way it is counted; the count is kept with the export's
//! audit event and printed by `gaibu export`. UTF-8 holds everything.

use super::format::{Cell, Dates, defused};

/// Characters CP932 lacks and the form of each that it has.
const CLOSEST: &[(char, char)] = &[
    ('\u{301C}', '\u{FF5E}'), // WAVE DASH → FULLWIDTH TILDE
    ('\u{2016}', '\u{2225}'), // DOUBLE VERTICAL LINE → PARALLEL TO
    ('\u{2014}', '\u{2015}'), // EM DASH → HORIZONTAL BAR
    ('\u{00A2}', '\u{FFE0}'), // CENT SIGN → FULLWIDTH CENT SIGN
    ('\u{00A3}', '\u{FFE1}'), // POUND SIGN → FULLWIDTH POUND SIGN
    ('\u{00AC}', '\u{FFE2}'), // NOT SIGN → FULLWIDTH NOT SIGN
    ('\u{00A6}', '\u{FFE4}'), // BROKEN BAR → FULLWIDTH BROKEN BAR
    ('\u{00A0}', ' '),        // NO-BREAK SPACE → SPACE
];

/// Writes rows as CSV bytes, counting the characters the encoding could not hold.
#[derive(Debug)]
pub struct CsvWriter {
    sjis: bool,
    dates: Dates,
    /// Characters written as their closest form or `?`.
    pub replaced: u64,
}

impl CsvWriter {
    pub fn new(sjis: bool, dates: Dates) -> CsvWriter {
        CsvWriter {
            sjis,
            dates,
            replaced: 0,
        }
    }

    /// What the file starts with: the byte-order mark in UTF-8 (Excel reads UTF-8 only with
    /// it), nothing in Shift_JIS.
    pub fn start(&self) -> &'static [u8] {
        if self.sjis {
            b""
        } else {
            "\u{FEFF}".as_bytes()
        }
    }

    /// The header line.
    pub fn header(&mut self, names: &[String], out: &mut Vec<u8>) {
        let cells: Vec<Cell> = names.iter().map(|n| Cell::Text(n.clone())).collect();
        self.row(&cells, out);
    }

    /// One line.
    pub fn row(&mut self, cells: &[Cell], out: &mut Vec<u8>) {
        let mut line = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let text = match c {
                Cell::Empty => String::new(),
                Cell::Text(s) => defused(s).into_owned(),
                Cell::Int(n) => n.to_string(),
                Cell::Date(d) => self.dates.day_text(*d),
                Cell::Time(t) => self.dates.time_text(*t),
            };
            quoted(&text, &mut line);
        }
        line.push_str("\r\n");
        self.encode(&line, out);
    }

    fn encode(&mut self, s: &str, out: &mut Vec<u8>) {
        if !self.sjis {
            out.extend_from_slice(s.as_bytes());
            return;
        }
        let (bytes, _, lossy) = encoding_rs::SHIFT_JIS.encode(s);
        if !lossy {
            out.extend_from_slice(&bytes);
            return;
        }
        // Shift_JIS keeps no state between characters: each is written on its own.
        let mut buf = [0u8; 4];
        for ch in s.chars() {
            if let Some(b) = sjis_char(ch, &mut buf) {
                out.extend_from_slice(&b);
                continue;
            }
            self.replaced += 1;
            let near = CLOSEST
                .iter()
                .find(|(from, _)| *from == ch)
                .and_then(|(_, to)| sjis_char(*to, &mut buf));
            match near {
                Some(b) => out.extend_from_slice(&b),
                None => out.push(b'?'),
            }
        }
    }
}

/// One character in Shift_JIS, when it has one.
fn sjis_char(ch: char, buf: &mut [u8; 4]) -> Option<Vec<u8>> {
    let (bytes, _, lossy) = encoding_rs::SHIFT_JIS.encode(ch.encode_utf8(buf));
    (!lossy).then(|| bytes.into_owned())
}

/// A field, quoted when it holds a comma, a quote or a line end.
fn quoted(s: &str, out: &mut String) {
    if s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Tr};

    fn line(sjis: bool, cells: &[Cell]) -> (Vec<u8>, u64) {
        let mut w = CsvWriter::new(sjis, Dates::of(Tr::new(Lang::Ja)));
        let mut out = Vec::new();
        w.row(cells, &mut out);
        (out, w.replaced)
    }

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let (out, _) = line(
            false,
            &[
                Cell::text("a,b"),
                Cell::text("say \"hi\""),
                Cell::text("=1+1"),
                Cell::Int(-3),
                Cell::Empty,
                Cell::Date(jiff::civil::date(2019, 5, 1)),
            ],
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            "\"a,b\",\"say \"\"hi\"\"\",'=1+1,-3,,2019-05-01\r\n"
        );
    }

    #[test]
    fn shift_jis_writes_japanese_and_counts_what_it_cannot_hold() {
        let (out, n) = line(true, &[Cell::text("外部サービス管理者")]);
        assert_eq!(n, 0);
        let (back, _, bad) = encoding_rs::SHIFT_JIS.decode(&out);
        assert!(!bad);
        assert_eq!(back, "外部サービス管理者\r\n");
        // An emoji has no form in CP932; an em dash and a cent sign have close ones.
        let (out, n) = line(true, &[Cell::text("会議😀—¢1")]);
        assert_eq!(n, 3);
        let (back, _, _) = encoding_rs::SHIFT_JIS.decode(&out);
        assert_eq!(back, "会議?―￠1\r\n");
        for (from, to) in CLOSEST {
            let mut buf = [0u8; 4];
            assert!(sjis_char(*from, &mut buf).is_none(), "{from:?} has a form");
            assert!(sjis_char(*to, &mut buf).is_some(), "{to:?} has none");
        }
    }
}
