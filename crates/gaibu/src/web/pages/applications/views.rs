//! Views shared by the application pages, the class-2+ review and the contractor pages: sheet
//! items, answers, evidence and review rounds as people read them.

use super::super::{FormPairs, fmt_ms, user_name};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use gaibu_domain::classification::Level;
use gaibu_domain::sheet::{AnswerType, Answers, Item, Sheet};

/// A sheet item with its answer, as a form shows it.
#[derive(Default)]
pub struct ItemView {
    pub id: String,
    pub text: String,
    pub clause: String,
    pub kind: Option<AnswerType>,
    pub blocking: bool,
    pub options: Vec<(String, String)>,
    pub value: String,
    /// The answer in words, as a reader sees it (`answer_text`).
    pub shown: String,
    pub comment: String,
    /// Why no evidence file is attached, for an item that expects one (S3.2c).
    pub evidence_reason: String,
    pub error: String,
    /// Applies to this application now (conditions met).
    pub applies: bool,
    pub conditional: bool,
    pub evidence: bool,
    pub unconfirmed: bool,
}

impl ItemView {
    pub fn new(t: Tr, i: &Item, answers: &Answers) -> Self {
        let a = answers.get(&i.id).cloned().unwrap_or_default();
        ItemView {
            id: i.id.clone(),
            text: t.pick(&i.text_ja, &i.text_en).to_string(),
            clause: i.clause.clone(),
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
            ..Default::default()
        }
    }
    pub fn is(&self, kind: AnswerType) -> bool {
        self.kind == Some(kind)
    }
}

/// An answer as a reader sees it: the choice's label, yes/no/n.a. in words, or the text.
pub fn answer_text(t: Tr, i: &Item, value: &str) -> String {
    match i.options.iter().find(|o| o.code == value) {
        Some(o) => t.pick(&o.label_ja, &o.label_en).to_string(),
        None if matches!(value, "yes" | "no" | "na") => t.of("answer", value),
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

pub fn label_of(t: Tr, levels: &[Level], code: &str) -> String {
    levels
        .iter()
        .find(|l| l.code == code)
        .map(|l| t.pick(&l.label_ja, &l.label_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The evaluation items (S3.2) with their shown values and clauses.
pub fn evaluation_rows(
    t: Tr,
    e: &gaibu_domain::evaluation::Evaluation,
) -> impl Iterator<Item = (&'static str, String, String, &'static str)> {
    gaibu_domain::evaluation::FIELDS
        .iter()
        .map(move |(f, clause)| {
            let v = e.get(f);
            let shown = if *f == "tos_changeable" {
                t.of("yesno", v)
            } else {
                v.to_string()
            };
            (*f, t.of("evaluation_item", f), shown, *clause)
        })
}

pub struct EvidenceView {
    pub row: gaibu_store::EvidenceRow,
    pub target: String,
    pub size: String,
    pub uploaded: String,
}

pub async fn evidence_views(
    st: &AppState,
    t: Tr,
    sheet: Option<&Sheet>,
    rows: Vec<gaibu_store::EvidenceRow>,
) -> Vec<EvidenceView> {
    let mut out = Vec::new();
    for row in rows {
        out.push(EvidenceView {
            target: if row.item_key.is_empty() {
                t.evidence_whole().to_string()
            } else {
                item_label(t, sheet, &row.item_key)
            },
            size: if row.size_bytes >= 1024 * 1024 {
                format!("{:.1} MB", row.size_bytes as f64 / (1024.0 * 1024.0))
            } else {
                format!("{} KB", (row.size_bytes + 1023) / 1024)
            },
            uploaded: format!(
                "{} {}",
                fmt_ms(row.uploaded_at),
                user_name(st, row.uploaded_by).await
            ),
            row,
        });
    }
    out
}

pub struct RoundView {
    pub round: i64,
    pub submitted_at: String,
    pub submitted_by: String,
    pub decision: String,
    pub decided_by: String,
    pub decided_at: String,
    pub reason: String,
    pub comments: Vec<(String, String)>,
}

pub async fn round_views(
    st: &AppState,
    t: Tr,
    sheet: Option<&Sheet>,
    rows: Vec<gaibu_store::RoundRow>,
) -> AppResult<Vec<RoundView>> {
    let mut out = Vec::new();
    for r in rows {
        out.push(RoundView {
            round: r.round,
            submitted_at: fmt_ms(r.submitted_at),
            submitted_by: user_name(st, r.submitted_by).await,
            decision: r
                .decision
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            decided_by: match r.decided_by {
                Some(d) => user_name(st, d).await,
                None => String::new(),
            },
            decided_at: r.decided_at.map(fmt_ms).unwrap_or_default(),
            reason: r.reason.clone().unwrap_or_default(),
            comments: r
                .comments
                .into_iter()
                .map(|(k, v)| (item_label(t, sheet, &k), v))
                .collect(),
        });
    }
    Ok(out)
}
