//! Views shared by the application pages and the class-2+ review: classification labels, the
//! evaluation, evidence and review rounds as people read them.

use super::super::user_name;
use super::sheet_items::item_label;
use crate::dates::Stamp;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use gaibu_domain::classification::Level;
use gaibu_domain::sheet::Sheet;

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
    pub uploaded_at: Stamp,
    pub uploaded_by: String,
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
            uploaded_at: t.when(row.uploaded_at),
            uploaded_by: user_name(st, row.uploaded_by).await,
            row,
        });
    }
    out
}

pub struct RoundView {
    pub round: i64,
    pub submitted_at: Stamp,
    pub submitted_by: String,
    pub decision: String,
    pub decided_by: String,
    pub decided_at: Stamp,
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
            submitted_at: t.when(r.submitted_at),
            submitted_by: user_name(st, r.submitted_by).await,
            decision: r
                .decision
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            decided_by: match r.decided_by {
                Some(d) => user_name(st, d).await,
                None => String::new(),
            },
            decided_at: t.when(r.decided_at),
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
