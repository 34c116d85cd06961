//! `/rotation/successors` and `/rotation/accounts`: after a rotation, the services awaiting a
//! successor administrator (one form designates several) and the leavers' official accounts.

use super::super::{Cx, FieldErrors, FormPairs, PageCtx, show};
use crate::dates::Stamp;
use crate::error::{AppError, AppResult};
use crate::i18n::{Tr, org_name};
use crate::rotation::successors::{self as ops, SuccessorInput, SuccessorsInput};
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gaibu_store::page::{Cursor, Dir, PageAsk};
use gaibu_store::{AwaitingRow, LeaverAccountRow};

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct Listed {
    who: String,
    after: String,
    done: Option<usize>,
    handed: Option<u8>,
}

fn ask(after: &str) -> PageAsk {
    PageAsk {
        sort: "id".into(),
        dir: Dir::Asc,
        limit: 50,
        after: Cursor::decode(after).ok(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rotation_successors.html")]
struct SuccessorsPage {
    t: Tr,
    page: PageCtx,
    notice: String,
    who: String,
    /// Each service with its unit's name and the successor chosen (as sent).
    rows: Vec<(AwaitingRow, String, String)>,
    next: Option<String>,
    options: Vec<(i64, String)>,
    reason: String,
    errors: FieldErrors,
    stale: bool,
}

impl SuccessorsPage {
    fn when(&self, t: &jiff::Timestamp) -> Stamp {
        self.t.when(t)
    }
}

async fn successors_page(
    cx: &Cx,
    who: String,
    after: &str,
    input: Option<&SuccessorsInput>,
) -> AppResult<SuccessorsPage> {
    let page = cx.page("/rotation/successors");
    let t = page.t;
    let listed = ops::awaiting(&cx.st, &cx.u, &ask(after)).await?;
    let units = crate::auth::org_units(&cx.st).await?;
    let chosen = |id: i64| -> String {
        input
            .and_then(|i| i.successors.iter().find(|s| s.service == id))
            .map(|s| s.administrator.clone())
            .unwrap_or_default()
    };
    let rows: Vec<(AwaitingRow, String, String)> = listed
        .items
        .iter()
        .map(|r| (r.clone(), org_name(t, &units, r.org_unit_id), chosen(r.id)))
        .collect();
    let mut options = crate::people::staff_choices(&cx.st, &who, None).await?;
    // The current administrators (who may be kept in their new post) are always offered.
    for (r, _, _) in &rows {
        if r.administrator_active && !options.iter().any(|(id, _)| *id == r.administrator_id) {
            options.push((r.administrator_id, r.administrator_name.clone()));
        }
    }
    Ok(SuccessorsPage {
        notice: String::new(),
        who,
        next: listed.next_cursor(),
        rows,
        options,
        reason: input
            .map(|i| i.reason.clone())
            .unwrap_or_else(|| t.rotation_successors_reason_default().to_string()),
        errors: FieldErrors::default(),
        stale: false,
        t,
        page,
    })
}

pub(super) async fn list(cx: Cx, Query(q): Query<Listed>) -> AppResult<Response> {
    let mut p = successors_page(&cx, q.who, &q.after, None).await?;
    if let Some(n) = q.done {
        p.notice =
            p.t.rotation_successors_done()
                .replace("{n}", &n.to_string());
    }
    show(p)
}

/// The form's fields: `reason`, and per row `s.<i>.service`, `s.<i>.version`,
/// `s.<i>.administrator`.
fn input_of(form: &FormPairs) -> SuccessorsInput {
    let mut rows: std::collections::BTreeMap<usize, SuccessorInput> = Default::default();
    for (k, v) in &form.0 {
        let Some(rest) = k.strip_prefix("s.") else {
            continue;
        };
        let Some((i, field)) = rest.split_once('.') else {
            continue;
        };
        let Ok(i) = i.parse::<usize>() else { continue };
        let row = rows.entry(i).or_default();
        match field {
            "service" => row.service = v.trim().parse().unwrap_or(0),
            "version" => row.version = v.trim().parse().unwrap_or(0),
            "administrator" => row.administrator = v.trim().to_string(),
            _ => {}
        }
    }
    SuccessorsInput {
        reason: form.get("reason").to_string(),
        successors: rows.into_values().collect(),
    }
}

pub(super) async fn save(cx: Cx, form: FormPairs) -> AppResult<Response> {
    let input = input_of(&form);
    match ops::designate(&cx.st, &cx.u, &input).await {
        Ok(n) => Ok(Redirect::to(&format!("/rotation/successors?done={n}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            // Errors are named by the row's place among those sent; the page names them by
            // service, as its fields are.
            let errs: Vec<_> = errs
                .into_iter()
                .map(|mut e| {
                    if let Some(rest) = e.field.strip_prefix("successors[")
                        && let Some((i, f)) = rest.split_once("].")
                        && let Some(s) = i
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| input.successors.get(i))
                    {
                        e.field = format!("successor-{}-{f}", s.service);
                    }
                    e
                })
                .collect();
            let mut p = successors_page(&cx, String::new(), "", Some(&input)).await?;
            p.errors = cx.errors(&errs);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(AppError::Stale) => {
            let mut p = successors_page(&cx, String::new(), "", Some(&input)).await?;
            p.stale = true;
            Ok((StatusCode::CONFLICT, p).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rotation_accounts.html")]
struct AccountsPage {
    t: Tr,
    page: PageCtx,
    notice: String,
    rows: Vec<(LeaverAccountRow, String)>,
    next: Option<String>,
}

pub(super) async fn accounts(cx: Cx, Query(q): Query<Listed>) -> AppResult<Response> {
    let page = cx.page("/rotation/accounts");
    let t = page.t;
    let listed = ops::leaver_accounts(&cx.st, &cx.u, &ask(&q.after)).await?;
    let units = crate::auth::org_units(&cx.st).await?;
    show(AccountsPage {
        notice: match q.handed {
            Some(_) => t.rotation_accounts_handed().to_string(),
            None => String::new(),
        },
        next: listed.next_cursor(),
        rows: listed
            .items
            .into_iter()
            .map(|r| {
                let unit = org_name(t, &units, r.holder_org_unit_id);
                (r, unit)
            })
            .collect(),
        t,
        page,
    })
}

pub(super) async fn hand_over(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    ops::hand_over(&cx.st, &cx.u, id).await?;
    Ok(Redirect::to("/rotation/accounts?handed=1").into_response())
}
