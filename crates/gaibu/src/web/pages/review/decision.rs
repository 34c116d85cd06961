//! The ISM's review of a submitted application: every item with a comment field, and the
//! decision (S3.4b, S5.1.1).

use super::super::applications::{RoundView, answer_text, evaluation_rows, round_views};
use super::super::{Cx, FieldErrors, FormPairs, PageCtx, answer, show, user_name};
use crate::applications as apps;
use crate::auth::org_tree;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies;
use crate::review as ops;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::Response;
use gaibu_domain::capability::{self, ApplicationCapabilities};
use gaibu_domain::procurement::Procurement;
use gaibu_domain::review::DecisionInput;
use gaibu_store::ApplicationRow;
use std::collections::BTreeMap;

struct ReviewItem {
    key: String,
    label: String,
    clause: String,
    value: String,
    comment: String,
    /// Why no evidence file is attached to an item that expects one (S3.2c).
    evidence_reason: String,
    applies: bool,
    /// What the reviewer typed for the applicant, kept when the form comes back.
    given: String,
}

/// What the reviewer typed, shown again when the decision is refused.
#[derive(Default)]
struct Typed {
    decision: String,
    reason: String,
    comments: BTreeMap<String, String>,
    errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "review.html")]
struct ReviewPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    caps: ApplicationCapabilities,
    applicant: String,
    items: Vec<ReviewItem>,
    evaluation: Vec<ReviewItem>,
    procurement: Procurement,
    rounds: Vec<RoundView>,
    reason: String,
    decision: String,
    errors: FieldErrors,
}

async fn review_page_data(cx: &Cx, id: i64, typed: Typed) -> AppResult<ReviewPage> {
    let st = &cx.st;
    let tree = org_tree(st).await?;
    let row = apps::get_in(st, &cx.u, id, &tree).await?;
    let page = cx.page(&format!("/applications/{id}/review"));
    let t = page.t;
    let app = apps::domain(&row);
    let ctx = app.context();
    let sheet = match row.sheet_policy_id {
        Some(sid) => Some(policies::sheet(st, sid).await?.doc),
        None => None,
    };
    let items = sheet
        .iter()
        .flat_map(|s| s.items.iter().map(move |i| (s, i)))
        .map(|(s, i)| {
            let a = app.answers.get(&i.id).cloned().unwrap_or_default();
            ReviewItem {
                key: i.id.clone(),
                label: t.pick(&i.text_ja, &i.text_en).to_string(),
                clause: i.clause.clone(),
                value: answer_text(t, i, &a.value),
                comment: a.comment,
                evidence_reason: a.evidence_reason,
                applies: s.applies(i, &app.answers, &ctx),
                given: typed.comments.get(&i.id).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let evaluation = evaluation_rows(t, &row.evaluation)
        .map(|(f, label, value, clause)| {
            let key = format!("evaluation.{f}");
            ReviewItem {
                given: typed.comments.get(&key).cloned().unwrap_or_default(),
                key,
                label,
                clause: clause.to_string(),
                value,
                comment: String::new(),
                evidence_reason: String::new(),
                applies: true,
            }
        })
        .collect();
    let rounds = round_views(st, t, sheet.as_ref(), st.store.rounds(id).await?).await?;
    Ok(ReviewPage {
        t,
        caps: capability::application(&app, &cx.u.actor, &tree),
        applicant: user_name(st, row.applicant_id).await,
        procurement: row.procurement.clone(),
        app: row,
        page,
        items,
        evaluation,
        rounds,
        reason: typed.reason,
        decision: typed.decision,
        errors: typed.errors,
    })
}

pub(super) async fn review_page(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    show(review_page_data(&cx, id, Typed::default()).await?)
}

pub(super) async fn decide(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let comments: BTreeMap<String, String> = form
        .0
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("comment.")
                .map(|item| (item.to_string(), v.trim().to_string()))
        })
        .collect();
    let input = DecisionInput {
        decision: form.get("decision").to_string(),
        reason: form.get("reason").to_string(),
        comments,
    };
    let result = ops::decide(&cx.st, &cx.u, id, form.version()?, &input).await;
    answer(
        result,
        |_| format!("/applications/{id}"),
        async |why| {
            let typed = Typed {
                errors: FieldErrors::from(cx.t(), &why.invalid()?),
                decision: input.decision.clone(),
                reason: input.reason.clone(),
                comments: input.comments.clone(),
            };
            review_page_data(&cx, id, typed).await
        },
    )
    .await
}
