//! Class-2+ pages: the evaluation and procurement forms, submission, the ISM's review with
//! comments per item, and the comparison of rounds.

use super::applications::{RoundView, item_label, round_views};
use super::{FieldErrors, FormPairs, PageCtx};
use crate::applications as apps;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policies;
use crate::review as ops;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use gaibu_domain::evaluation::{Evaluation, FIELDS};
use gaibu_domain::procurement::Procurement;
use gaibu_domain::review::DecisionInput;
use gaibu_store::ApplicationRow;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/applications/{id}/evaluation",
            get(evaluation_form).post(save_evaluation),
        )
        .route(
            "/applications/{id}/procurement",
            get(procurement_form).post(save_procurement),
        )
        .route("/applications/{id}/submit", post(submit))
        .route("/applications/{id}/review", get(review_page))
        .route("/applications/{id}/decision", post(decide))
        .route("/applications/{id}/rounds", get(compare_rounds))
}

struct EvalField {
    name: &'static str,
    label: String,
    clause: &'static str,
    value: String,
    error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    version: i64,
    fields: Vec<EvalField>,
    tos_changeable: String,
    has_errors: bool,
    stale: bool,
}

fn evaluation_page(
    u: &CurrentUser,
    jar: &CookieJar,
    app: ApplicationRow,
    e: &Evaluation,
    version: i64,
    errors: &FieldErrors,
    stale: bool,
) -> EvaluationPage {
    let page = PageCtx::new(u, jar, &format!("/applications/{}/evaluation", app.id));
    let t = page.t;
    EvaluationPage {
        fields: FIELDS
            .iter()
            .filter(|(f, _)| *f != "tos_changeable")
            .map(|(f, clause)| EvalField {
                name: f,
                label: t.of("evaluation_item", f),
                clause,
                value: e.get(f).to_string(),
                error: errors.get(&format!("evaluation.{f}")).to_string(),
            })
            .collect(),
        tos_changeable: e.tos_changeable.clone(),
        has_errors: !errors.is_empty(),
        t,
        page,
        app,
        version,
        stale,
    }
}

async fn evaluation_form(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = apps::get(&st, &u, id).await?;
    let e = row.evaluation.clone();
    let v = row.version;
    Ok(evaluation_page(&u, &jar, row, &e, v, &FieldErrors::default(), false).into_response())
}

async fn save_evaluation(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let e: Evaluation = form.to_input(&[])?;
    match ops::save_evaluation(&st, &u, id, form.version(), &e).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let row = apps::get(&st, &u, id).await?;
            let errors = FieldErrors::from(PageCtx::new(&u, &jar, "").t, &errs);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                evaluation_page(&u, &jar, row, &e, form.version(), &errors, false),
            )
                .into_response())
        }
        Err(AppError::Stale) => {
            let row = apps::get(&st, &u, id).await?;
            let v = row.version;
            Ok((
                StatusCode::CONFLICT,
                evaluation_page(&u, &jar, row, &e, v, &FieldErrors::default(), true),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "procurement.html")]
struct ProcurementPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    version: i64,
    p: Procurement,
    errors: FieldErrors,
    stale: bool,
}

async fn procurement_form(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = apps::get(&st, &u, id).await?;
    let page = PageCtx::new(&u, &jar, &format!("/applications/{id}/procurement"));
    Ok(ProcurementPage {
        t: page.t,
        page,
        p: row.procurement.clone(),
        version: row.version,
        app: row,
        errors: FieldErrors::default(),
        stale: false,
    }
    .into_response())
}

async fn save_procurement(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let p: Procurement = form.to_input(&[])?;
    let result = ops::save_procurement(&st, &u, id, form.version(), &p).await;
    let (status, errors, stale) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, errs, false),
        Err(AppError::Stale) => (StatusCode::CONFLICT, vec![], true),
        Err(e) => return Err(e),
    };
    let row = apps::get(&st, &u, id).await?;
    let page = PageCtx::new(&u, &jar, &format!("/applications/{id}/procurement"));
    let version = if stale { row.version } else { form.version() };
    let errors = FieldErrors::from(page.t, &errors);
    Ok((
        status,
        ProcurementPage {
            t: page.t,
            page,
            p,
            version,
            app: row,
            errors,
            stale,
        },
    )
        .into_response())
}

async fn submit(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    ops::submit(&st, &u, id, form.version()).await?;
    Ok(Redirect::to(&format!("/applications/{id}")).into_response())
}

struct ReviewItem {
    key: String,
    label: String,
    clause: String,
    value: String,
    comment: String,
    applies: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "review.html")]
struct ReviewPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    applicant: String,
    items: Vec<ReviewItem>,
    evaluation: Vec<ReviewItem>,
    procurement: Procurement,
    rounds: Vec<RoundView>,
    reason: String,
    error: String,
}

async fn review_page_data(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    id: i64,
    reason: String,
    error: String,
) -> AppResult<ReviewPage> {
    let row = apps::get(st, u, id).await?;
    let page = PageCtx::new(u, jar, &format!("/applications/{id}/review"));
    let t = page.t;
    let app = apps::domain(&row);
    let ctx = app.context();
    let sheet = match row.sheet_policy_id {
        Some(sid) => Some(policies::sheet(st, sid).await?.doc),
        None => None,
    };
    let yesno = |v: &str| match v {
        "yes" | "no" | "na" => t.of("answer", v),
        other => other.to_string(),
    };
    let items = sheet
        .as_ref()
        .map(|s| {
            s.items
                .iter()
                .map(|i| {
                    let a = app.answers.get(&i.id).cloned().unwrap_or_default();
                    ReviewItem {
                        key: i.id.clone(),
                        label: t.pick(&i.text_ja, &i.text_en).to_string(),
                        clause: i.clause.clone(),
                        value: match i.options.iter().find(|o| o.code == a.value) {
                            Some(o) => t.pick(&o.label_ja, &o.label_en).to_string(),
                            None => yesno(&a.value),
                        },
                        comment: a.comment,
                        applies: s.applies(i, &app.answers, &ctx),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let e = row.evaluation.clone();
    let evaluation = FIELDS
        .iter()
        .map(|(f, clause)| ReviewItem {
            key: format!("evaluation.{f}"),
            label: t.of("evaluation_item", f),
            clause: clause.to_string(),
            value: if *f == "tos_changeable" {
                t.of("yesno", e.get(f))
            } else {
                e.get(f).to_string()
            },
            comment: String::new(),
            applies: true,
        })
        .collect();
    let rounds = round_views(st, t, sheet.as_ref(), st.store.rounds(id).await?).await?;
    Ok(ReviewPage {
        t,
        applicant: super::user_name(st, row.applicant_id).await,
        procurement: row.procurement.clone(),
        app: row,
        page,
        items,
        evaluation,
        rounds,
        reason,
        error,
    })
}

async fn review_page(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(
        review_page_data(&st, &u, &jar, id, String::new(), String::new())
            .await?
            .into_response(),
    )
}

async fn decide(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
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
    match ops::decide(&st, &u, id, form.version(), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let t = PageCtx::new(&u, &jar, "").t;
            let msg = errs
                .first()
                .map(|e| format!("{}: {}", t.field(&e.field), t.error(e.code)))
                .unwrap_or_default();
            let p = review_page_data(&st, &u, &jar, id, input.reason.clone(), msg).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e),
    }
}

struct Change {
    label: String,
    before: String,
    after: String,
}

struct RoundDiff {
    from: i64,
    to: i64,
    changes: Vec<Change>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds.html")]
struct RoundsPage {
    t: Tr,
    page: PageCtx,
    app: ApplicationRow,
    diffs: Vec<RoundDiff>,
}

/// Flattens a round's content into `key → text` for comparison.
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(a) => {
            out.insert(
                prefix.to_string(),
                a.iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        Value::Null => {
            out.insert(prefix.to_string(), String::new());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

async fn compare_rounds(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = apps::get(&st, &u, id).await?;
    let page = PageCtx::new(&u, &jar, &format!("/applications/{id}/rounds"));
    let t = page.t;
    let sheet = match row.sheet_policy_id {
        Some(sid) => Some(policies::sheet(&st, sid).await?.doc),
        None => None,
    };
    let rounds = st.store.rounds(id).await?;
    let contents: Vec<BTreeMap<String, String>> = rounds
        .iter()
        .map(|r| {
            let mut m = BTreeMap::new();
            flatten("", &r.content, &mut m);
            m
        })
        .collect();
    let label = |key: &str| -> String {
        if let Some(rest) = key.strip_prefix("answers.") {
            let (item, part) = rest.rsplit_once('.').unwrap_or((rest, "value"));
            let base = item_label(t, sheet.as_ref(), item);
            return if part == "comment" {
                format!("{base}（{}）", t.common_comment_short())
            } else {
                base
            };
        }
        if let Some(f) = key.strip_prefix("fields.") {
            return t.of("label", f.split('.').next_back().unwrap_or(f));
        }
        t.field(key)
    };
    let diffs = rounds
        .windows(2)
        .zip(contents.windows(2))
        .map(|(r, c)| {
            let keys: std::collections::BTreeSet<&String> =
                c[0].keys().chain(c[1].keys()).collect();
            RoundDiff {
                from: r[0].round,
                to: r[1].round,
                changes: keys
                    .into_iter()
                    .filter(|k| c[0].get(*k) != c[1].get(*k))
                    .map(|k| Change {
                        label: label(k),
                        before: c[0].get(k).cloned().unwrap_or_default(),
                        after: c[1].get(k).cloned().unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(RoundsPage {
        t,
        page,
        app: row,
        diffs,
    }
    .into_response())
}
