//! Turns `i18n/messages/*.toml` (every text in Japanese and English side by side) into typed
//! messages in `OUT_DIR/messages.rs`: an `enum Msg` with one variant per entry, its texts as
//! `&'static str` match arms, and one method per entry on the translator (`t.nav_home()`).
//! The build fails, naming the entry, when a language is missing or empty, an entry has a
//! field other than `ja` and `en`, or two keys map to the same Rust name.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

const SOURCE: &str = "i18n/messages";

/// Methods the translator has of its own; a message may not take their names.
const RESERVED: &[&str] = &[
    "lang",
    "get",
    "pick",
    "of",
    "field",
    "error",
    "state",
    "track",
    "sheet_for",
    "ledger",
    "submission_state",
    "role",
    "decision",
    "policy_status",
    "account_kind",
    "answer_type",
];

struct Entry {
    key: String,
    ja: String,
    en: String,
}

fn main() {
    // The folder for added or removed files, each file for its edits.
    println!("cargo:rerun-if-changed={SOURCE}");
    for f in files().unwrap_or_default() {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    let entries = match read() {
        Ok(e) => e,
        Err(errors) => {
            for e in &errors {
                println!("cargo:warning={SOURCE}: {e}");
            }
            eprintln!("{SOURCE}: {} problem(s):", errors.len());
            for e in &errors {
                eprintln!("  {e}");
            }
            std::process::exit(1);
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("messages.rs"), generate(&entries)).expect("OUT_DIR is writable");
}

/// The message files, in name order so that the generated code does not depend on the disk.
fn files() -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(SOURCE)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    Ok(out)
}

fn read() -> Result<Vec<Entry>, Vec<String>> {
    let mut table = toml::Table::new();
    let mut errors = Vec::new();
    for f in files().map_err(|e| vec![format!("cannot list: {e}")])? {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).map_err(|e| vec![format!("{name}: {e}")])?;
        let part: toml::Table = text
            .parse()
            .map_err(|e| vec![format!("{name}: not valid TOML: {e}")])?;
        for (group, v) in part {
            if table.contains_key(&group) {
                errors.push(format!("{name}: group `{group}` is in another file too"));
            }
            table.insert(group, v);
        }
    }
    let mut entries = Vec::new();
    walk(&mut Vec::new(), &table, &mut entries, &mut errors);
    // Two keys with one Rust name (`a.b_c` and `a_b.c`) would be one message: refuse.
    let mut names: BTreeMap<String, &str> = BTreeMap::new();
    for e in &entries {
        let name = method_name(&e.key);
        if RESERVED.contains(&name.as_str()) {
            errors.push(format!(
                "`{}`: its Rust name `{name}` is a translator method",
                e.key
            ));
        }
        if let Some(other) = names.insert(name.clone(), &e.key) {
            errors.push(format!(
                "`{}` and `{other}` both become `{name}`: rename one",
                e.key
            ));
        }
    }
    if entries.is_empty() {
        errors.push("no messages".into());
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// A table whose values are all strings is an entry; a table of tables is a group.
fn walk(path: &mut Vec<String>, t: &toml::Table, out: &mut Vec<Entry>, errors: &mut Vec<String>) {
    let here = path.join(".");
    let key = || here.clone();
    let is_entry = !t.is_empty() && t.values().all(|v| v.is_str());
    if !is_entry {
        if t.is_empty() {
            errors.push(format!("`{}`: empty table", key()));
        }
        for (k, v) in t {
            path.push(k.clone());
            match v {
                toml::Value::Table(sub) => walk(path, sub, out, errors),
                _ => errors.push(format!(
                    "`{}`: expected an entry `{{ ja = \"…\", en = \"…\" }}` or a group of them",
                    path.join(".")
                )),
            }
            path.pop();
        }
        return;
    }
    if path.len() < 2 {
        errors.push(format!(
            "`{}`: an entry needs a group and a name (`[group] name = …`)",
            key()
        ));
    }
    for field in t.keys() {
        if field != "ja" && field != "en" {
            errors.push(format!(
                "`{}`: unknown field `{field}` (an entry has exactly `ja` and `en`)",
                key()
            ));
        }
    }
    let mut text = |lang: &str| match t.get(lang).and_then(|v| v.as_str()) {
        Some(s) if !s.trim().is_empty() => Some(s.to_string()),
        Some(_) => {
            errors.push(format!("`{}`: `{lang}` is empty", key()));
            None
        }
        None => {
            errors.push(format!("`{}`: `{lang}` is missing", key()));
            None
        }
    };
    let ja = text("ja");
    let en = text("en");
    if let (Some(ja), Some(en)) = (ja, en) {
        out.push(Entry { key: key(), ja, en });
    }
}

/// `policy.kind."sheet:class1"` → `policy_kind_sheet_class1`; `answer_type.YesNoNa` →
/// `answer_type_yes_no_na`; an empty segment reads `empty`.
fn method_name(key: &str) -> String {
    let mut parts = Vec::new();
    for seg in key.split('.') {
        let mut s = String::new();
        let mut prev_lower = false;
        for c in seg.chars() {
            if c.is_ascii_uppercase() && prev_lower {
                s.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            if c.is_ascii_alphanumeric() {
                s.push(c.to_ascii_lowercase());
            } else if !s.ends_with('_') {
                s.push('_');
            }
        }
        let s = s.trim_matches('_').to_string();
        parts.push(if s.is_empty() { "empty".to_string() } else { s });
    }
    parts.join("_")
}

fn variant_name(key: &str) -> String {
    method_name(key)
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn generate(entries: &[Entry]) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "// Generated by build.rs from {SOURCE}. Edit that file.\n"
    );
    let _ = writeln!(
        w,
        "/// Every message, one variant per entry of `{SOURCE}`.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Msg {{"
    );
    for e in entries {
        let _ = writeln!(w, "    /// `{}`: {}", e.key, e.ja.replace('\n', " "));
        let _ = writeln!(w, "    {},", variant_name(&e.key));
    }
    let _ = writeln!(w, "}}\n\nimpl Msg {{");
    let _ = writeln!(w, "    pub const ALL: &'static [Msg] = &[");
    for e in entries {
        let _ = writeln!(w, "        Msg::{},", variant_name(&e.key));
    }
    let _ = writeln!(w, "    ];\n");
    for (name, doc, f) in [
        ("key", "The key in the source file, e.g. `nav.home`.", 0),
        ("ja", "The Japanese text.", 1),
        ("en", "The English text.", 2),
    ] {
        let _ = writeln!(
            w,
            "    /// {doc}\n    pub fn {name}(self) -> &'static str {{\n        match self {{"
        );
        for e in entries {
            let text = [&e.key, &e.ja, &e.en][f];
            let _ = writeln!(w, "            Msg::{} => {text:?},", variant_name(&e.key));
        }
        let _ = writeln!(w, "        }}\n    }}\n");
    }
    let _ = writeln!(
        w,
        "    /// The message of a key held in data (a domain code, an audit action); `None`\n    \
         /// when there is none, and the caller chooses a visible fallback.\n    \
         pub fn from_key(key: &str) -> Option<Msg> {{\n        match key {{"
    );
    for e in entries {
        let _ = writeln!(
            w,
            "            {:?} => Some(Msg::{}),",
            e.key,
            variant_name(&e.key)
        );
    }
    let _ = writeln!(w, "            _ => None,\n        }}\n    }}\n}}\n");
    let _ = writeln!(w, "impl Tr {{");
    for e in entries {
        let _ = writeln!(
            w,
            "    /// `{}`\n    pub fn {}(&self) -> &'static str {{\n        self.get(Msg::{})\n    }}",
            e.key,
            method_name(&e.key),
            variant_name(&e.key)
        );
    }
    let _ = writeln!(w, "}}");
    s
}
