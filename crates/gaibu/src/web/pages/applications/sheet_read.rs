//! The requirement sheet read-only, for whoever may see an application but not change it now
//! (an approved, submitted or rejected one, or someone else's): the answers in words with their
//! comments and evidence, grouped as the sheet groups them, the evaluation (class 2+), and what
//! changed since the previous submission (S3.1, S3.4b, S5.2.2-1).

use super::super::{Cx, PageCtx};
use super::sheet_items::{
    FileView, ItemView, Previous, SectionView, answer_text, cite, grouped, overall, round_answers,
};
use super::views::evaluation_rows;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use gaibu_domain::classification::Track;
use gaibu_domain::sheet::{Answers, Sheet};
use gaibu_store::{ApplicationRow, EvidenceRow};

/// The evidence files attached to `key` (a sheet item or `evaluation.<field>`).
pub fn files_of(t: Tr, files: &[EvidenceRow], key: &str) -> Vec<FileView> {
    files
        .iter()
        .filter(|f| f.item_key == key)
        .map(|f| FileView {
            id: f.id,
            filename: f.filename.clone(),
            expires_on: t.date_text(f.expires_on),
        })
        .collect()
}

/// The content of the submission the shown answers are compared with: the last one while the
/// application is being revised, the one before the last once it has been submitted again.
/// None while there is no earlier submission to compare with.
pub async fn baseline(st: &AppState, row: &ApplicationRow) -> AppResult<Option<serde_json::Value>> {
    if row.round == 0 {
        return Ok(None);
    }
    let mut rounds = st.store.rounds(row.id).await?;
    rounds.sort_by_key(|r| r.round);
    let back = if row.state.is_editable() { 1 } else { 2 };
    Ok(rounds
        .len()
        .checked_sub(back)
        .and_then(|i| rounds.into_iter().nth(i))
        .map(|r| r.content))
}

/// Marks each item whose answer or comment differs from `before` (the content of an earlier
/// submission) with the earlier answer. Returns how many items changed.
pub fn mark_changes(
    t: Tr,
    sheet: &Sheet,
    items: &mut [ItemView],
    before: &serde_json::Value,
) -> usize {
    let before: Answers = round_answers(before);
    let mut changed = 0;
    for view in items.iter_mut() {
        let Some(item) = sheet.item(&view.id) else {
            continue;
        };
        let b = before.get(&view.id).cloned().unwrap_or_default();
        if b.value != view.value || b.comment != view.comment {
            changed += 1;
            view.previous = Some(Previous {
                shown: answer_text(t, item, &b.value),
                comment: b.comment,
            });
        }
    }
    changed
}

/// One evaluation item (S3.2a–g) as read, with its evidence and its earlier value if changed.
pub struct EvaluationView {
    pub key: String,
    pub label: String,
    pub cite: String,
    pub value: String,
    pub files: Vec<FileView>,
    pub previous: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "sheet_view.html")]
pub struct SheetReadPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    sheet_title: String,
    sheet_version: String,
    sections: Vec<SectionView>,
    answered: usize,
    total: usize,
    /// How many items changed since the previous submission, when there was one.
    changed: Option<usize>,
    class2: bool,
    evaluation: Vec<EvaluationView>,
    /// Files for the application as a whole.
    whole: Vec<FileView>,
}

pub async fn page(cx: &Cx, row: ApplicationRow) -> AppResult<SheetReadPage> {
    let st = &cx.st;
    let page = cx.page(&format!("/applications/{}/self-check", row.id));
    let t = page.t;
    // The sheet the answers were given to, not a newer one (S1.3).
    let sheet = match row.sheet_policy_id {
        Some(sid) => policies::sheet(st, sid).await?,
        None => policies::sheet_in_force(st, row.track).await?,
    };
    let app = crate::applications::domain(&row);
    let ctx = app.context();
    let files = st.store.evidence_of(row.id).await?;
    let mut items: Vec<ItemView> = sheet
        .doc
        .items
        .iter()
        .map(|i| ItemView {
            applies: sheet.doc.applies(i, &row.answers, &ctx),
            unconfirmed: app.unconfirmed.contains(&i.id),
            files: files_of(t, &files, &i.id),
            ..ItemView::new(t, i, &row.answers)
        })
        .collect();
    let base = baseline(st, &row).await?;
    let changed = base
        .as_ref()
        .map(|c| mark_changes(t, &sheet.doc, &mut items, c));
    let class2 = row.track == Track::Class2Plus;
    let evaluation = if class2 {
        evaluation_rows(t, &row.evaluation)
            .map(|(f, label, value, clause)| {
                let before = base
                    .as_ref()
                    .and_then(|c| c.get("evaluation")?.get(f)?.as_str().map(str::to_string));
                let raw = row.evaluation.get(f);
                EvaluationView {
                    key: f.to_string(),
                    label,
                    cite: cite(t, clause),
                    files: files_of(t, &files, &format!("evaluation.{f}")),
                    previous: before.filter(|b| b.as_str() != raw).map(|b| {
                        if f == "tos_changeable" {
                            t.of("yesno", &b)
                        } else {
                            b
                        }
                    }),
                    value,
                }
            })
            .collect()
    } else {
        vec![]
    };
    let sections = grouped(t, &sheet.doc, items);
    let (answered, total) = overall(&sections);
    Ok(SheetReadPage {
        sheet_title: t.pick(&sheet.row.title_ja, &sheet.row.title_en).to_string(),
        sheet_version: sheet.row.version.clone(),
        sections,
        answered,
        total,
        changed,
        class2,
        evaluation,
        whole: files_of(t, &files, ""),
        app: row,
        t,
        page,
    })
}
