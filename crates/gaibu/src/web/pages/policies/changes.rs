//! The comparison of a pending version with the version in force, put into words for the
//! page (the comparison itself is `gaibu_domain::policy::diff`).

use crate::i18n::Tr;
use crate::policies::Changes;
use gaibu_domain::policy::PolicyDocument;
use gaibu_domain::policy::diff::{self, Change, EntryChange, FieldChange, FieldValue, When};
use std::collections::HashMap;

/// The comparison as the page shows it.
pub struct ChangesView {
    /// The version in force it is compared with (id, version); `None`: this is the first.
    pub against: Option<(i64, String)>,
    pub summary: String,
    pub parts: Vec<PartView>,
}

/// The changed entries of one part of the document (its items, its levels …).
pub struct PartView {
    /// The part's name in the documents (`items`, `confidentiality` …).
    pub key: String,
    pub title: String,
    pub entries: Vec<EntryView>,
}

pub struct EntryView {
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// The badge's colour class.
    pub tone: &'static str,
    pub badge: String,
    pub id: String,
    pub label: String,
    pub fields: Vec<FieldView>,
}

pub struct FieldView {
    pub name: String,
    pub before: String,
    pub after: String,
}

/// The titles of a document's sections (a sheet) or groups (service-life measures), by id:
/// an item's or a measure's section reads as its title.
fn titles(t: Tr, doc: &PolicyDocument) -> HashMap<String, String> {
    match doc {
        PolicyDocument::Sheet { sheet, .. } => sheet
            .sections
            .iter()
            .map(|s| (s.id.clone(), t.pick(&s.title_ja, &s.title_en).to_string()))
            .collect(),
        PolicyDocument::ServiceLife { policy, .. } => policy
            .groups
            .iter()
            .map(|g| (g.id.clone(), t.pick(&g.title_ja, &g.title_en).to_string()))
            .collect(),
        _ => HashMap::new(),
    }
}

/// The comparison of `doc` (the pending version) with the version in force, in words.
pub fn view(t: Tr, ch: Changes, doc: &PolicyDocument) -> ChangesView {
    let titles = titles(t, doc);
    let counts = [Change::Added, Change::Removed, Change::Changed]
        .map(|c| diff::count(&ch.entries, c).to_string());
    let summary = t
        .policies_changes_summary()
        .replace("{added}", &counts[0])
        .replace("{removed}", &counts[1])
        .replace("{changed}", &counts[2]);
    let mut parts: Vec<PartView> = Vec::new();
    let mut last_part = "";
    for e in &ch.entries {
        if e.part != last_part || parts.is_empty() {
            parts.push(PartView {
                key: e.part.clone(),
                title: t.of("policy.part", &e.part),
                entries: Vec::new(),
            });
            last_part = &e.part;
        }
        if let Some(p) = parts.last_mut() {
            p.entries.push(entry(t, &titles, e));
        }
    }
    ChangesView {
        against: ch.against.map(|a| (a.id, a.version)),
        summary,
        parts,
    }
}

fn entry(t: Tr, titles: &HashMap<String, String>, e: &EntryChange) -> EntryView {
    let tone = match e.change {
        Change::Added => "active",
        Change::Removed => "blocking",
        Change::Changed => "pending",
    };
    // A removed entry is named by what it said; its fields are not listed again.
    let fields = match e.change {
        Change::Removed => Vec::new(),
        _ => e.fields.iter().map(|f| field(t, titles, f)).collect(),
    };
    EntryView {
        change: e.change.as_str(),
        tone,
        badge: t.of("policy.change", e.change.as_str()),
        id: e.id.clone(),
        label: t.pick(&e.label_ja, &e.label_en).to_string(),
        fields,
    }
}

fn field(t: Tr, titles: &HashMap<String, String>, f: &FieldChange) -> FieldView {
    FieldView {
        name: t.of("policy.field", &f.field),
        before: shown(t, titles, &f.field, f.before.as_ref()),
        after: shown(t, titles, &f.field, f.after.as_ref()),
    }
}

/// A value in words: flags as yes/no, answer types and tracks by their labels, sections and
/// groups by their titles, conditions as a sentence, lists joined.
fn shown(t: Tr, titles: &HashMap<String, String>, field: &str, v: Option<&FieldValue>) -> String {
    match v {
        None => t.policies_value_none().to_string(),
        Some(FieldValue::Flag(true)) => t.common_yes().to_string(),
        Some(FieldValue::Flag(false)) => t.common_no().to_string(),
        Some(FieldValue::Number(n)) => n.to_string(),
        Some(FieldValue::Text(s)) => match field {
            "answer" => diff::answer_of_code(s)
                .map(|a| t.answer_type(&a).to_string())
                .unwrap_or_else(|| s.clone()),
            "track" => t.track(s).to_string(),
            "section" | "group" => match titles.get(s) {
                Some(title) => format!("{title} ({s})"),
                None => s.clone(),
            },
            _ => s.clone(),
        },
        Some(FieldValue::List(items)) => items.join(", "),
        Some(FieldValue::Condition(w)) => condition(t, w),
    }
}

fn condition(t: Tr, w: &When) -> String {
    let subject = match w.field.as_str() {
        "confidentiality" => t.label_confidentiality().to_string(),
        "integrity" => t.label_integrity().to_string(),
        "availability" => t.label_availability().to_string(),
        "handling" => t.label_handling().to_string(),
        "citizen_facing" => t.label_citizen_facing().to_string(),
        other => match other.strip_prefix("answer:") {
            Some(item) => t.policies_condition_answer().replace("{item}", item),
            None => other.to_string(),
        },
    };
    t.policies_condition()
        .replace("{field}", &subject)
        .replace("{values}", &w.any_of.join(", "))
}

#[cfg(test)]
mod tests {
    use crate::i18n::data_key;
    use gaibu_domain::policy::diff::{Change, FIELDS, PARTS};

    #[test]
    fn every_part_field_and_change_has_words() {
        for p in PARTS {
            assert!(data_key("policy.part", p).is_some(), "policy.part.{p}");
        }
        for f in FIELDS {
            assert!(data_key("policy.field", f).is_some(), "policy.field.{f}");
        }
        for c in [Change::Added, Change::Removed, Change::Changed] {
            let c = c.as_str();
            assert!(data_key("policy.change", c).is_some(), "policy.change.{c}");
        }
    }
}
