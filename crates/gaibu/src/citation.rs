//! Clauses of the standard as pages cite them, one way everywhere (issue 10, item 9).

use crate::i18n::Tr;

impl Tr {
    /// A clause of the standard as every page cites it, from a clause ID of
    /// `shared/spec/clauses.md`: `S5.2.1-5c` reads 「基準 5.2.1⑤ウ」 in Japanese (the
    /// standard's own numbering) and "Standard 5.2.1-5c" in English. Empty for an empty clause.
    pub fn cite(&self, clause: &str) -> String {
        let id = clause.trim();
        if id.is_empty() {
            return String::new();
        }
        let id = id.strip_prefix('S').unwrap_or(id);
        let ja = standard_numbering(id);
        format!("{} {}", self.sheet_standard(), self.pick(&ja, id))
    }
}

/// `5.2.1-5c` as the standard writes it: `-5` becomes ⑤ and `a`–`i` become ア–ケ.
fn standard_numbering(id: &str) -> String {
    const KANA: [char; 9] = ['ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ'];
    const CIRCLED: [char; 10] = ['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨', '⑩'];
    let mut out = String::new();
    let mut chars = id.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' {
            let mut n = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                n.push(d);
            }
            match n
                .parse::<usize>()
                .ok()
                .and_then(|n| CIRCLED.get(n.wrapping_sub(1)))
            {
                Some(circled) => out.push(*circled),
                None => {
                    out.push('-');
                    out.push_str(&n);
                }
            }
        } else if let Some(k) = ('a'..='i').position(|l| l == c).and_then(|i| KANA.get(i)) {
            out.push(*k);
        } else {
            out.push(c);
        }
    }
    out
}
