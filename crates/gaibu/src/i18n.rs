//! User-facing text in Japanese (first) and English, from `i18n/ja.toml` and `i18n/en.toml`.
//! Code refers to messages by key; a domain refusal's code `X` reads as `error.X`.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    /// From an Accept-Language header: English only when it is preferred over Japanese.
    pub fn from_accept_language(h: &str) -> Lang {
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("ja") {
                return Lang::Ja;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Ja
    }
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut HashMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn load(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    // The files are part of the binary and checked by a test; a broken file shows keys.
    if let Ok(v) = text.parse::<toml::Value>() {
        flatten("", &v, &mut out);
    }
    out
}

pub static JA: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../i18n/ja.toml")));
pub static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../i18n/en.toml")));

/// The translator handed to templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }

    /// The message for `key`; a missing key shows itself, so it is seen and fixed.
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        let map: &'static HashMap<String, String> = match self.0 {
            Lang::Ja => &JA,
            Lang::En => &EN,
        };
        map.get(key).map(String::as_str).unwrap_or(key)
    }

    /// `prefix.key`, for enumerations such as roles and states.
    pub fn of(&self, prefix: &str, key: &str) -> String {
        self.get(&format!("{prefix}.{key}")).to_string()
    }

    /// Picks the Japanese or the English of a pair held in data (policy documents).
    pub fn pick<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        match self.0 {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// The label of an input field: `evaluation.x`, `procurement.x`, `answers.<item>` or a
    /// plain field name.
    pub fn field(&self, field: &str) -> String {
        if let Some(f) = field.strip_prefix("evaluation.") {
            return self.of("evaluation_item", f);
        }
        if let Some(f) = field.strip_prefix("procurement.") {
            return self.of("procurement_item", f);
        }
        if let Some(item) = field.strip_prefix("answers.") {
            return item.to_string();
        }
        self.of("label", field)
    }

    pub fn error(&self, code: &str) -> String {
        self.of("error", code)
    }
}

pub fn message(lang: Lang, key: &str) -> String {
    Tr(lang).get(key).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let mut ja: Vec<_> = JA.keys().collect();
        let mut en: Vec<_> = EN.keys().collect();
        ja.sort();
        en.sort();
        let only_ja: Vec<_> = ja.iter().filter(|k| !EN.contains_key(**k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !JA.contains_key(**k)).collect();
        assert!(
            only_ja.is_empty() && only_en.is_empty(),
            "ja only: {only_ja:?}; en only: {only_en:?}"
        );
        assert!(JA.len() > 100);
    }

    /// Every translator lookup in the templates and the code names a message that exists.
    #[test]
    fn every_key_used_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut stack = vec![root.join("templates"), root.join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("readable dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for part in text.split("t.get(\"").skip(1) {
                    let key = part.split('"').next().unwrap_or("");
                    if !key.is_empty() && !JA.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:?}");
    }

    #[test]
    fn accept_language_prefers_japanese() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("ja,en-US;q=0.8"), Lang::Ja);
        assert_eq!(Lang::from_accept_language(""), Lang::Ja);
    }
}
