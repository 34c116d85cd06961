//! Which column of a file holds which field (issue 11): guessed from the header row, shown to
//! the person importing, and confirmed or changed by them before anything is read. The same
//! file layout next time is recognised, so the confirmed mapping can be offered again.

use super::table::{Table, column_name};
use gaibu_domain::FieldError;
use std::collections::BTreeMap;

/// A field an import fills: its key, whether a row needs it, and the header texts it is
/// recognised by (the export's own headers in both languages first).
#[derive(Debug, Clone)]
pub struct Target {
    pub key: &'static str,
    pub required: bool,
    pub headers: Vec<&'static str>,
}

/// For each target key, the column (0-based) that holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping(pub BTreeMap<String, usize>);

/// How headers compare: without spaces, brackets, dots and case, full-width as half-width.
fn normal(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !"()（）[]［］・.:：_-".contains(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Mapping {
    /// The mapping the headers suggest: each target takes the first unclaimed column whose
    /// header equals one of its names (its earlier names first); then one that contains one.
    pub fn guess(headers: &[String], targets: &[Target]) -> Mapping {
        let heads: Vec<String> = headers.iter().map(|h| normal(h)).collect();
        let mut taken = vec![false; heads.len()];
        let mut m = BTreeMap::new();
        for exact in [true, false] {
            for t in targets {
                if m.contains_key(t.key) {
                    continue;
                }
                // A target's names in order: its first name's column wins over a later one's
                // (an administrator's login column over the column of their name).
                let found = t.headers.iter().map(|n| normal(n)).find_map(|n| {
                    heads.iter().enumerate().position(|(i, h)| {
                        !taken[i]
                            && !h.is_empty()
                            && if exact {
                                *h == n
                            } else {
                                h.contains(n.as_str())
                            }
                    })
                });
                if let Some(i) = found {
                    taken[i] = true;
                    m.insert(t.key.to_string(), i);
                }
            }
        }
        Mapping(m)
    }

    /// A mapping as a form sends it (`map.<key>` = column letter or number, empty for none),
    /// checked against the file: every required target has a column, no column is used twice,
    /// and every column exists.
    pub fn from_form<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        targets: &[Target],
        width: usize,
    ) -> Result<Mapping, Vec<FieldError>> {
        let mut m = BTreeMap::new();
        let mut errs = Vec::new();
        for (k, v) in pairs {
            let Some(key) = k.strip_prefix("map.") else {
                continue;
            };
            let Some(t) = targets.iter().find(|t| t.key == key) else {
                continue;
            };
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match column_index(v).filter(|i| *i < width) {
                Some(i) => {
                    m.insert(t.key.to_string(), i);
                }
                None => errs.push(FieldError::new(format!("map.{key}"), "invalid_choice")),
            }
        }
        let mut used = BTreeMap::new();
        for (k, i) in &m {
            if let Some(other) = used.insert(*i, k.clone()) {
                errs.push(FieldError::new(format!("map.{k}"), "import_column_twice"));
                errs.push(FieldError::new(
                    format!("map.{other}"),
                    "import_column_twice",
                ));
            }
        }
        for t in targets.iter().filter(|t| t.required) {
            if !m.contains_key(t.key) {
                errs.push(FieldError::new(format!("map.{}", t.key), "required"));
            }
        }
        if errs.is_empty() {
            Ok(Mapping(m))
        } else {
            Err(errs)
        }
    }

    pub fn column(&self, key: &str) -> Option<usize> {
        self.0.get(key).copied()
    }

    /// The value of `key` in `row` (trimmed; empty when the field is not mapped).
    pub fn get<'r>(&self, row: &'r [String], key: &str) -> &'r str {
        self.column(key)
            .and_then(|i| row.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    /// Where `key` sits in the file, as a message names it: its column letter and header.
    pub fn place(&self, table: &Table, key: &str) -> String {
        match self.column(key) {
            Some(i) => format!(
                "{} ({})",
                column_name(i),
                table.headers.get(i).map(String::as_str).unwrap_or("")
            ),
            None => String::new(),
        }
    }

    /// A fingerprint of a file layout, to offer the mapping confirmed for it last time.
    pub fn layout_key(headers: &[String]) -> String {
        headers
            .iter()
            .map(|h| normal(h))
            .collect::<Vec<_>>()
            .join("\u{1f}")
    }
}

/// A column as a person names it: a letter (`C`, `AA`) or a 1-based number.
fn column_index(v: &str) -> Option<usize> {
    if let Ok(n) = v.parse::<usize>() {
        return n.checked_sub(1);
    }
    let mut n: usize = 0;
    for c in v.chars() {
        let d = usize::try_from(u32::from(c.to_ascii_uppercase()).checked_sub(u32::from('A'))?)
            .ok()
            .filter(|d| *d < 26)?;
        n = n.checked_mul(26)?.checked_add(d + 1)?;
    }
    n.checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Target> {
        vec![
            Target {
                key: "name",
                required: true,
                headers: vec!["サービス名", "Service"],
            },
            Target {
                key: "provider",
                required: true,
                headers: vec!["提供者", "Provider"],
            },
            Target {
                key: "started_on",
                required: false,
                headers: vec!["利用開始日", "Start"],
            },
        ]
    }

    fn heads(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_suggest_the_mapping_exact_names_first() {
        let m = Mapping::guess(
            &heads(&["No.", "提供者名", "サービス名", "提供者"]),
            &targets(),
        );
        assert_eq!(m.column("name"), Some(2));
        assert_eq!(
            m.column("provider"),
            Some(3),
            "the exact header wins over 提供者名"
        );
        assert_eq!(m.column("started_on"), None);
        let m = Mapping::guess(&heads(&["ＳＥＲＶＩＣＥ", " provider "]), &targets());
        assert_eq!(
            m.column("name"),
            Some(0),
            "full-width and case do not matter"
        );
        assert_eq!(m.column("provider"), Some(1));
    }

    #[test]
    fn a_confirmed_mapping_is_checked_against_the_file() {
        let ok = Mapping::from_form(
            [
                ("map.name", "B"),
                ("map.provider", "1"),
                ("map.started_on", ""),
            ],
            &targets(),
            3,
        )
        .expect("valid");
        assert_eq!(ok.column("name"), Some(1));
        assert_eq!(ok.column("provider"), Some(0));
        let errs = Mapping::from_form([("map.name", "A"), ("map.provider", "A")], &targets(), 3)
            .expect_err("one column twice");
        assert!(errs.iter().any(|e| e.code == "import_column_twice"));
        let errs = Mapping::from_form([("map.name", "Z")], &targets(), 3).expect_err("no column Z");
        assert!(
            errs.iter()
                .any(|e| e.field == "map.name" && e.code == "invalid_choice")
        );
        assert!(
            errs.iter()
                .any(|e| e.field == "map.provider" && e.code == "required")
        );
    }

    #[test]
    fn column_letters_and_numbers() {
        assert_eq!(column_index("A"), Some(0));
        assert_eq!(column_index("aa"), Some(26));
        assert_eq!(column_index("3"), Some(2));
        assert_eq!(column_index("0"), None);
        assert_eq!(column_index("A1"), None);
    }
}
