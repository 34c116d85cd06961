//! What a new policy version changes against the version of its kind in force, so that the
//! CISO approves a change knowing what it changes (S1.3).
//!
//! Every document is read as entries — the document's own header, a sheet's sections and
//! items, a scheme's levels, a domain, a measure, a check interval — each with an id within
//! its part and named fields. Entries are matched by part and id; an entry only one side has
//! is added or removed, one whose fields differ is changed, with the fields that differ. The
//! values stay as the document holds them (codes, flags, both languages); the pages put them
//! into words.

use super::{Header, PolicyDocument};
use crate::classification::{Level, Restriction, Scheme};
use crate::service_life::{Measure, ServiceLifePolicy};
use crate::sheet::{AnswerType, Condition, Item, Sheet};
use serde::Serialize;

/// The parts of a document, in the order comparisons list them.
pub const PARTS: &[&str] = &[
    "document",
    "sections",
    "items",
    "confidentiality",
    "integrity",
    "availability",
    "handling_restrictions",
    "identity_domains",
    "groups",
    "build",
    "operation",
    "end_of_use",
    "check_intervals",
    "settings",
];

/// Every field name an entry may have.
pub const FIELDS: &[&str] = &[
    "version",
    "title_ja",
    "title_en",
    "section",
    "text_ja",
    "text_en",
    "clause",
    "answer",
    "options",
    "blocking",
    "evidence",
    "show_if",
    "claims",
    "rank",
    "track",
    "label_ja",
    "label_en",
    "description_ja",
    "description_en",
    "group",
    "months",
    "reminder_days",
    "recheck_due_days",
];

/// A field's value: a flag, a number, a text or code, a list, or an applicability condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PolicyFieldValue))]
#[serde(untagged)]
pub enum FieldValue {
    Flag(bool),
    Number(u32),
    Text(String),
    List(Vec<String>),
    Condition(When),
}

/// When an item or measure applies: `field` (`confidentiality`, `integrity`, `availability`,
/// `handling`, `citizen_facing` or `answer:<item id>`) is one of `any_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PolicyCondition))]
pub struct When {
    pub field: String,
    pub any_of: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PolicyChangeKind))]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

/// One field of an entry: its value before and after (absent: not set on that side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PolicyFieldChange))]
pub struct FieldChange {
    /// The field's name in the document (`text_ja`, `answer`, `blocking`, `show_if` …).
    pub field: String,
    pub before: Option<FieldValue>,
    pub after: Option<FieldValue>,
}

/// An entry added, removed or changed. An added entry lists every field it sets (`before`
/// absent), a removed one every field it had (`after` absent), a changed one the fields that
/// differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PolicyEntryChange))]
pub struct EntryChange {
    /// The part of the document: `document`, `sections`, `items`, `confidentiality`,
    /// `integrity`, `availability`, `handling_restrictions`, `identity_domains`, `groups`,
    /// `build`, `operation`, `end_of_use`, `check_intervals`, `settings`.
    pub part: String,
    /// The entry's id within its part (an item id, a level code, a domain; empty for the
    /// document's header and settings).
    pub id: String,
    /// What the entry says (an item's question, a level's label), from the new version for
    /// an added or changed entry, from the old one for a removed entry.
    pub label_ja: String,
    pub label_en: String,
    pub change: Change,
    pub fields: Vec<FieldChange>,
}

/// How many entries changed in this way.
pub fn count(changes: &[EntryChange], how: Change) -> usize {
    changes.iter().filter(|c| c.change == how).count()
}

/// The entries `after` adds, removes and changes against `before`, part by part (in `PARTS`
/// order); within a part, the added and changed entries in the new version's order, then the
/// removed ones in the old version's.
pub fn compare(before: &PolicyDocument, after: &PolicyDocument) -> Vec<EntryChange> {
    let old = keyed(entries(before));
    let new = keyed(entries(after));
    let mut out = Vec::new();
    for part in PARTS {
        for (key, e) in new.iter().filter(|(k, _)| k.0 == *part) {
            match old.iter().find(|(k, _)| k == key) {
                None => out.push(whole(e, Change::Added)),
                Some((_, was)) => {
                    let fields = differing(&was.fields, &e.fields);
                    if !fields.is_empty() {
                        out.push(EntryChange {
                            part: e.part.into(),
                            id: e.id.clone(),
                            label_ja: e.label_ja.clone(),
                            label_en: e.label_en.clone(),
                            change: Change::Changed,
                            fields,
                        });
                    }
                }
            }
        }
        for (key, e) in old.iter().filter(|(k, _)| k.0 == *part) {
            if !new.iter().any(|(k, _)| k == key) {
                out.push(whole(e, Change::Removed));
            }
        }
    }
    out
}

/// An entry of a document, its fields in the document's order.
struct Entry {
    part: &'static str,
    id: String,
    label_ja: String,
    label_en: String,
    fields: Vec<(&'static str, Option<FieldValue>)>,
}

/// Entries keyed by part, id and how many of the same id came before (ids are unique where
/// the documents' checks ask it; elsewhere the n-th matches the n-th).
type Key = (&'static str, String, usize);

fn keyed(entries: Vec<Entry>) -> Vec<(Key, Entry)> {
    let mut out: Vec<(Key, Entry)> = Vec::with_capacity(entries.len());
    for e in entries {
        let n = out
            .iter()
            .filter(|(k, _)| k.0 == e.part && k.1 == e.id)
            .count();
        out.push(((e.part, e.id.clone(), n), e));
    }
    out
}

fn whole(e: &Entry, how: Change) -> EntryChange {
    let fields = e
        .fields
        .iter()
        .filter_map(|(name, v)| {
            let v = v.clone()?;
            let (before, after) = match how {
                Change::Removed => (Some(v), None),
                _ => (None, Some(v)),
            };
            Some(FieldChange {
                field: (*name).into(),
                before,
                after,
            })
        })
        .collect();
    EntryChange {
        part: e.part.into(),
        id: e.id.clone(),
        label_ja: e.label_ja.clone(),
        label_en: e.label_en.clone(),
        change: how,
        fields,
    }
}

/// The fields whose values differ, in the new entry's order, then fields only the old had.
fn differing(
    old: &[(&'static str, Option<FieldValue>)],
    new: &[(&'static str, Option<FieldValue>)],
) -> Vec<FieldChange> {
    let value = |side: &[(&'static str, Option<FieldValue>)], name: &str| {
        side.iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.clone())
    };
    let mut names: Vec<&'static str> = new.iter().map(|(n, _)| *n).collect();
    names.extend(
        old.iter()
            .map(|(n, _)| *n)
            .filter(|n| !new.iter().any(|(m, _)| m == n)),
    );
    names
        .into_iter()
        .filter_map(|name| {
            let (before, after) = (value(old, name), value(new, name));
            (before != after).then(|| FieldChange {
                field: name.into(),
                before,
                after,
            })
        })
        .collect()
}

fn text(s: &str) -> Option<FieldValue> {
    Some(FieldValue::Text(s.to_string()))
}

/// A text field that the document may leave empty: empty reads as not set.
fn optional_text(s: &str) -> Option<FieldValue> {
    (!s.trim().is_empty()).then(|| FieldValue::Text(s.to_string()))
}

fn condition(c: &Option<Condition>) -> Option<FieldValue> {
    c.as_ref().map(|c| {
        FieldValue::Condition(When {
            field: c.field.clone(),
            any_of: c.any_of.clone(),
        })
    })
}

/// The code an answer type has in the documents (`yes_no_na`, `text`, `date`, `choice`).
pub fn answer_code(a: AnswerType) -> &'static str {
    match a {
        AnswerType::YesNoNa => "yes_no_na",
        AnswerType::Text => "text",
        AnswerType::Date => "date",
        AnswerType::Choice => "choice",
    }
}

/// The answer type of a code as `answer_code` writes it.
pub fn answer_of_code(code: &str) -> Option<AnswerType> {
    [
        AnswerType::YesNoNa,
        AnswerType::Text,
        AnswerType::Date,
        AnswerType::Choice,
    ]
    .into_iter()
    .find(|a| answer_code(*a) == code)
}

fn entries(doc: &PolicyDocument) -> Vec<Entry> {
    let mut out = vec![header(doc.header())];
    match doc {
        PolicyDocument::Sheet { sheet, .. } => sheet_entries(sheet, &mut out),
        PolicyDocument::Classification { scheme, .. } => scheme_entries(scheme, &mut out),
        PolicyDocument::AccountRules { rules, .. } => {
            out.extend(rules.identity_domains.iter().map(|d| Entry {
                part: "identity_domains",
                id: d.clone(),
                label_ja: d.clone(),
                label_en: d.clone(),
                fields: Vec::new(),
            }));
        }
        PolicyDocument::ServiceLife { policy, .. } => service_life_entries(policy, &mut out),
    }
    out
}

fn header(h: &Header) -> Entry {
    Entry {
        part: "document",
        id: String::new(),
        label_ja: h.title_ja.clone(),
        label_en: h.title_en.clone(),
        fields: vec![
            ("version", text(&h.version)),
            ("title_ja", text(&h.title_ja)),
            ("title_en", text(&h.title_en)),
        ],
    }
}

fn sheet_entries(sheet: &Sheet, out: &mut Vec<Entry>) {
    out.extend(sheet.sections.iter().map(|s| Entry {
        part: "sections",
        id: s.id.clone(),
        label_ja: s.title_ja.clone(),
        label_en: s.title_en.clone(),
        fields: vec![
            ("title_ja", text(&s.title_ja)),
            ("title_en", text(&s.title_en)),
        ],
    }));
    out.extend(sheet.items.iter().map(item));
}

fn item(i: &Item) -> Entry {
    let options: Vec<String> = i
        .options
        .iter()
        .map(|o| format!("{}: {} / {}", o.code, o.label_ja, o.label_en))
        .collect();
    Entry {
        part: "items",
        id: i.id.clone(),
        label_ja: i.text_ja.clone(),
        label_en: i.text_en.clone(),
        fields: vec![
            ("text_ja", text(&i.text_ja)),
            ("text_en", text(&i.text_en)),
            ("section", text(&i.section)),
            ("clause", optional_text(&i.clause)),
            ("answer", text(answer_code(i.answer))),
            (
                "options",
                (!options.is_empty()).then_some(FieldValue::List(options)),
            ),
            ("blocking", Some(FieldValue::Flag(i.blocking))),
            ("evidence", Some(FieldValue::Flag(i.evidence))),
            ("show_if", condition(&i.show_if)),
            ("claims", i.claims.as_deref().and_then(optional_text)),
        ],
    }
}

fn scheme_entries(scheme: &Scheme, out: &mut Vec<Entry>) {
    for (part, levels) in [
        ("confidentiality", &scheme.confidentiality),
        ("integrity", &scheme.integrity),
        ("availability", &scheme.availability),
    ] {
        out.extend(levels.iter().map(|l| level(part, l)));
    }
    out.extend(scheme.handling_restrictions.iter().map(restriction));
}

fn level(part: &'static str, l: &Level) -> Entry {
    Entry {
        part,
        id: l.code.clone(),
        label_ja: l.label_ja.clone(),
        label_en: l.label_en.clone(),
        fields: vec![
            ("label_ja", text(&l.label_ja)),
            ("label_en", text(&l.label_en)),
            ("rank", Some(FieldValue::Number(l.rank))),
            ("track", l.track.and_then(|t| text(t.as_str()))),
            ("description_ja", optional_text(&l.description_ja)),
            ("description_en", optional_text(&l.description_en)),
        ],
    }
}

fn restriction(r: &Restriction) -> Entry {
    Entry {
        part: "handling_restrictions",
        id: r.code.clone(),
        label_ja: r.label_ja.clone(),
        label_en: r.label_en.clone(),
        fields: vec![
            ("label_ja", text(&r.label_ja)),
            ("label_en", text(&r.label_en)),
        ],
    }
}

fn service_life_entries(p: &ServiceLifePolicy, out: &mut Vec<Entry>) {
    out.extend(p.groups.iter().map(|g| Entry {
        part: "groups",
        id: g.id.clone(),
        label_ja: g.title_ja.clone(),
        label_en: g.title_en.clone(),
        fields: vec![
            ("title_ja", text(&g.title_ja)),
            ("title_en", text(&g.title_en)),
        ],
    }));
    for (part, list) in [
        ("build", &p.build),
        ("operation", &p.operation),
        ("end_of_use", &p.end_of_use),
    ] {
        out.extend(list.iter().map(|m| measure(part, m)));
    }
    out.extend(p.check_interval_months.iter().map(|(class, months)| Entry {
        part: "check_intervals",
        id: class.clone(),
        label_ja: String::new(),
        label_en: String::new(),
        fields: vec![("months", Some(FieldValue::Number(*months)))],
    }));
    let days = p.reminder_days.iter().map(u32::to_string).collect();
    out.push(Entry {
        part: "settings",
        id: String::new(),
        label_ja: String::new(),
        label_en: String::new(),
        fields: vec![
            ("reminder_days", Some(FieldValue::List(days))),
            (
                "recheck_due_days",
                Some(FieldValue::Number(p.recheck_due_days)),
            ),
        ],
    });
}

fn measure(part: &'static str, m: &Measure) -> Entry {
    Entry {
        part,
        id: m.id.clone(),
        label_ja: m.text_ja.clone(),
        label_en: m.text_en.clone(),
        fields: vec![
            ("text_ja", text(&m.text_ja)),
            ("text_en", text(&m.text_en)),
            ("group", text(&m.group)),
            ("clause", optional_text(&m.clause)),
            ("show_if", condition(&m.show_if)),
        ],
    }
}

#[cfg(test)]
mod tests;
