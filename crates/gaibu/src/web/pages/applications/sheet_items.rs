//! A requirement sheet's items as people answer and read them: grouped by the sheet's own
//! sections with their progress, the answers in words, the clause of the standard each item
//! carries out cited one way everywhere, and what changed since a previous submission.

use super::super::FormPairs;
use crate::i18n::Tr;
use gaibu_domain::sheet::{AnswerType, Answers, Item, Sheet};

/// A clause of the standard as every page cites it (see [`Tr::cite`]).
pub fn cite(t: Tr, clause: &str) -> String {
    t.cite(clause)
}

/// An evidence file attached to one item, as a link.
pub struct FileView {
    pub id: i64,
    pub filename: String,
    pub expires_on: String,
}

/// The answer to an item in an earlier submission, when it differs from the one shown.
pub struct Previous {
    pub shown: String,
    pub comment: String,
}

/// A sheet item with its answer, as a form or a read-only sheet shows it.
#[derive(Default)]
pub struct ItemView {
    pub id: String,
    pub section: String,
    pub text: String,
    /// The item's clause as cited on every sheet page (`cite`).
    pub cite: String,
    pub kind: Option<AnswerType>,
    pub blocking: bool,
    pub options: Vec<(String, String)>,
    pub value: String,
    /// The answer in words, as a reader sees it (`answer_text`).
    pub shown: String,
    pub comment: String,
    /// Why no evidence file is attached, for an item that expects one (S3.2c).
    pub evidence_reason: String,
    /// The error that stopped saving this answer.
    pub error: String,
    /// What still keeps this answer from meeting the sheet (a justification, evidence …).
    pub issue: String,
    /// Applies to this application now (conditions met): it must then be answered.
    pub applies: bool,
    pub conditional: bool,
    pub evidence: bool,
    pub unconfirmed: bool,
    pub files: Vec<FileView>,
    pub previous: Option<Previous>,
}

impl ItemView {
    pub fn new(t: Tr, i: &Item, answers: &Answers) -> Self {
        let a = answers.get(&i.id).cloned().unwrap_or_default();
        ItemView {
            id: i.id.clone(),
            section: i.section.clone(),
            text: t.pick(&i.text_ja, &i.text_en).to_string(),
            cite: cite(t, &i.clause),
            kind: Some(i.answer),
            blocking: i.blocking,
            options: i
                .options
                .iter()
                .map(|o| (o.code.clone(), t.pick(&o.label_ja, &o.label_en).to_string()))
                .collect(),
            shown: answer_text(t, i, &a.value),
            value: a.value,
            comment: a.comment,
            evidence_reason: a.evidence_reason,
            applies: true,
            conditional: i.show_if.is_some(),
            evidence: i.evidence,
            ..Default::default()
        }
    }

    pub fn is(&self, kind: AnswerType) -> bool {
        self.kind == Some(kind)
    }

    pub fn answered(&self) -> bool {
        !self.value.trim().is_empty()
    }

    /// The comment means something for a yes/no/n.a. item: a "no" or "not applicable" must be
    /// justified in it. Other items get the field only to keep a comment already given.
    pub fn wants_comment(&self) -> bool {
        self.is(AnswerType::YesNoNa) || !self.comment.is_empty()
    }

    /// The ids of the messages that describe the answer field: its error and its issue.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.error.is_empty() {
            ids.push(format!("err-{}", self.id));
        }
        if !self.issue.is_empty() {
            ids.push(format!("issue-{}", self.id));
        }
        ids.join(" ")
    }
}

/// One section of a sheet with its items and how many of those that apply are answered.
pub struct SectionView {
    pub id: String,
    pub title: String,
    pub items: Vec<ItemView>,
    pub answered: usize,
    pub total: usize,
}

/// The items in the sheet's own sections, in its order; a section without items is left out.
pub fn grouped(t: Tr, sheet: &Sheet, items: Vec<ItemView>) -> Vec<SectionView> {
    let mut sections: Vec<SectionView> = sheet
        .sections
        .iter()
        .map(|s| SectionView {
            id: s.id.clone(),
            title: t.pick(&s.title_ja, &s.title_en).to_string(),
            items: Vec::new(),
            answered: 0,
            total: 0,
        })
        .collect();
    for item in items {
        // Sheet::check makes every item name a known section.
        if let Some(s) = sections.iter_mut().find(|s| s.id == item.section) {
            if item.applies {
                s.total += 1;
                s.answered += usize::from(item.answered());
            }
            s.items.push(item);
        }
    }
    sections.retain(|s| !s.items.is_empty());
    sections
}

/// Answered items and items that apply, over all sections.
pub fn overall(sections: &[SectionView]) -> (usize, usize) {
    sections
        .iter()
        .fold((0, 0), |(a, n), s| (a + s.answered, n + s.total))
}

/// An answer as a reader sees it: the choice's label, yes/no/n.a. in words, or the text.
pub fn answer_text(t: Tr, i: &Item, value: &str) -> String {
    match i.options.iter().find(|o| o.code == value) {
        Some(o) => t.pick(&o.label_ja, &o.label_en).to_string(),
        None if matches!(value, "yes" | "no" | "na") => t.of("answer", value),
        None if i.answer == AnswerType::Date && !value.trim().is_empty() => {
            match value.trim().parse::<jiff::civil::Date>() {
                Ok(d) => t.date_text(d),
                Err(_) => value.to_string(),
            }
        }
        None => value.to_string(),
    }
}

/// `answer.<item>`, `comment.<item>` and `evidence_reason.<item>` fields into answers.
pub fn answers_from(form: &FormPairs) -> Answers {
    let mut out = Answers::new();
    for (k, v) in &form.0 {
        if let Some(item) = k.strip_prefix("answer.") {
            out.entry(item.to_string()).or_default().value = v.trim().to_string();
        } else if let Some(item) = k.strip_prefix("comment.") {
            out.entry(item.to_string()).or_default().comment = v.trim().to_string();
        } else if let Some(item) = k.strip_prefix("evidence_reason.") {
            out.entry(item.to_string()).or_default().evidence_reason = v.trim().to_string();
        }
    }
    out.retain(|_, a| {
        !a.value.is_empty() || !a.comment.is_empty() || !a.evidence_reason.is_empty()
    });
    out
}

/// A readable label for a sheet item, an `evaluation.x` or a `procurement.x` key.
pub fn item_label(t: Tr, sheet: Option<&Sheet>, key: &str) -> String {
    if key.starts_with("evaluation.") || key.starts_with("procurement.") {
        return t.field(key);
    }
    sheet
        .and_then(|s| s.item(key))
        .map(|i| t.pick(&i.text_ja, &i.text_en).to_string())
        .unwrap_or_else(|| key.to_string())
}

/// The answers a review round's content holds (none when it holds none).
pub fn round_answers(content: &serde_json::Value) -> Answers {
    content
        .get("answers")
        .cloned()
        .and_then(|a| serde_json::from_value(a).ok())
        .unwrap_or_default()
}

/// One item whose answer differs between two versions of the answers.
pub struct AnswerChange {
    pub item: String,
    pub label: String,
    pub before: String,
    pub after: String,
    pub before_comment: String,
    pub after_comment: String,
}

/// The items, in the sheet's order, whose answer or comment differs between `before` and
/// `after`, with the answers in words.
pub fn answer_changes(
    t: Tr,
    sheet: &Sheet,
    before: &Answers,
    after: &Answers,
) -> Vec<AnswerChange> {
    sheet
        .items
        .iter()
        .filter_map(|i| {
            let b = before.get(&i.id).cloned().unwrap_or_default();
            let a = after.get(&i.id).cloned().unwrap_or_default();
            (b.value != a.value || b.comment != a.comment).then(|| AnswerChange {
                item: i.id.clone(),
                label: t.pick(&i.text_ja, &i.text_en).to_string(),
                before: answer_text(t, i, &b.value),
                after: answer_text(t, i, &a.value),
                before_comment: b.comment,
                after_comment: a.comment,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn clauses_are_cited_in_the_standards_numbering() {
        let ja = Tr::new(Lang::Ja);
        let en = Tr::new(Lang::En);
        assert_eq!(cite(ja, "S5.2.2"), "基準 5.2.2");
        assert_eq!(cite(ja, "S3.2c"), "基準 3.2ウ");
        assert_eq!(cite(ja, "S5.2.1-5h"), "基準 5.2.1⑤ク");
        assert_eq!(cite(en, "S5.2.1-5h"), "Standard 5.2.1-5h");
        assert_eq!(cite(en, "S2.2"), "Standard 2.2");
        assert_eq!(cite(ja, " "), "");
    }
}
