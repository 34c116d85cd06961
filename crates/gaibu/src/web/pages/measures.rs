//! The pages of a service's measures: the build-time checklist and the move into operation
//! (`/services/{id}/measures`), the rules, managers and periodic checks
//! (`/services/{id}/rules`), and the checks due (`/checks`).

use super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, show, user_name};
use crate::dates::Stamp;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Tr;
use crate::lists::lifecycle::DueCheckListQuery;
use crate::measures as ops;
use crate::services::holders_of;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gaibu_domain::FieldError;
use gaibu_domain::measures::{
    BuildInput, CheckInput, CheckItemInput, Due, ManagersInput, MeasureCapabilities, RuleInput,
    due_state,
};
use gaibu_domain::role::Role;
use gaibu_domain::service_life::{Measure, MeasureStatus};
use gaibu_domain::sheet::ItemProblem;
use gaibu_store::ServiceRow;

/// A measure's text in the user's language, with its clause.
fn text(t: Tr, m: &Measure) -> String {
    let body = if t.lang() == "ja" {
        &m.text_ja
    } else {
        &m.text_en
    };
    format!("{} {}", m.clause, body)
}

/// The record's version of a form: empty or 0 for a first record.
fn record_version(form: &FormPairs) -> AppResult<i64> {
    match form.get("record_version").trim() {
        "" => Ok(0),
        v => v
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or(AppError::Refused(ErrorCode::InvalidVersion)),
    }
}

fn status_label(t: Tr, s: MeasureStatus) -> String {
    t.of("measure_status", s.as_str())
}

/// One build-time measure on the page: its record, and its form.
struct MeasureView {
    id: String,
    text: String,
    /// (status, reason, provider said, evidence, who), and when
    record: Option<[String; 5]>,
    recorded_at: Stamp,
    version: i64,
    input: BuildInput,
    errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "measures.html")]
struct MeasuresPage {
    t: Tr,
    page: PageCtx,
    s: ServiceRow,
    caps: MeasureCapabilities,
    rows: Vec<MeasureView>,
    missing: Vec<String>,
    stale: bool,
    operation_refused: bool,
}

/// The form that comes back (with its input and errors), by measure.
type Again1<I> = Option<(String, I, Vec<FieldError>)>;

async fn measures_page(
    cx: &Cx,
    id: i64,
    again: Again1<BuildInput>,
    stale: bool,
    missing_refused: Option<Vec<ItemProblem>>,
) -> AppResult<MeasuresPage> {
    let (s, tree) = ops::viewable(&cx.st, &cx.u, id).await?;
    let page = cx.page(&format!("/services/{id}/measures"));
    let t = page.t;
    let list = ops::checklist(&cx.st, &s).await?;
    // The names of those who recorded the measures, not every user of the city.
    let mut ids: Vec<i64> = list.records.iter().map(|r| r.recorded_by).collect();
    ids.sort_unstable();
    ids.dedup();
    let users = cx.st.store.users_by_ids(&ids).await?;
    let name = |id: i64| {
        users
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| format!("#{id}"), |u| u.display_name.clone())
    };
    let mut rows = Vec::new();
    for m in &list.measures {
        let rec = list.record(&m.id);
        let record = rec.map(|r| {
            [
                status_label(t, r.status),
                r.reason.clone(),
                r.provider_said.clone(),
                r.evidence.clone(),
                name(r.recorded_by),
            ]
        });
        let (input, errs) = match &again {
            Some((mid, input, errs)) if *mid == m.id => (input.clone(), errs.clone()),
            _ => (
                rec.map(|r| BuildInput {
                    status: r.status.as_str().into(),
                    reason: r.reason.clone(),
                    provider_said: r.provider_said.clone(),
                    evidence: r.evidence.clone(),
                })
                .unwrap_or_default(),
                vec![],
            ),
        };
        rows.push(MeasureView {
            id: m.id.clone(),
            text: text(t, m),
            record,
            recorded_at: t.when(rec.map(|r| r.recorded_at)),
            version: rec.map_or(0, |r| r.version),
            input,
            errors: FieldErrors::from(t, &errs),
        });
    }
    let operation_refused = missing_refused.is_some();
    let missing = missing_refused
        .unwrap_or_else(|| list.missing())
        .iter()
        .filter_map(|p| list.measures.iter().find(|m| m.id == p.item))
        .map(|m| text(t, m))
        .collect();
    Ok(MeasuresPage {
        t,
        caps: ops::capabilities(&cx.u, &s, &tree),
        s,
        page,
        rows,
        missing,
        stale,
        operation_refused,
    })
}

async fn measures(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    show(measures_page(&cx, id, None, false, None).await?)
}

async fn record_measure(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: BuildInput = form.to_input(&[])?;
    let mid = form.get("measure_id").to_string();
    let version = record_version(&form)?;
    let result = ops::record_build(&cx.st, &cx.u, id, &mid, version, &input).await;
    answer(
        result,
        |r| format!("/services/{id}/measures#m-{}", r.measure_id),
        async |why: Again| {
            let stale = why.is_stale();
            let errs = match why {
                Again::Invalid(errs) => errs,
                Again::Stale => vec![],
            };
            measures_page(&cx, id, Some((mid, input, errs)), stale, None).await
        },
    )
    .await
}

async fn into_operation(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let result = ops::put_into_operation(&cx.st, &cx.u, id, form.version()?).await;
    match result {
        // The page again, naming what is missing (409).
        Err(AppError::MeasuresIncomplete(missing)) => {
            let p = measures_page(&cx, id, None, false, Some(missing)).await?;
            Ok((axum::http::StatusCode::CONFLICT, p).into_response())
        }
        other => {
            answer(
                other,
                |_| format!("/services/{id}"),
                async |why: Again| measures_page(&cx, id, None, why.is_stale(), None).await,
            )
            .await
        }
    }
}

/// One rule on the page.
struct RuleView {
    id: String,
    text: String,
    body: Option<String>,
    defined_by: String,
    defined_at: Stamp,
    version: i64,
    input: String,
    errors: FieldErrors,
}

/// One operation-time measure in the check form.
struct CheckItemView {
    id: String,
    text: String,
    input: CheckItemInput,
}

/// One recorded check.
struct CheckView {
    checked_on: jiff::civil::Date,
    by: String,
    summary: String,
    /// (measure text, status, findings, evidence)
    items: Vec<[String; 4]>,
}

#[derive(Template, WebTemplate)]
#[template(path = "measures_rules.html")]
struct RulesPage {
    t: Tr,
    page: PageCtx,
    s: ServiceRow,
    caps: MeasureCapabilities,
    rules: Vec<RuleView>,
    business_system_manager: String,
    infrastructure_manager: String,
    managers_input: ManagersInput,
    managers_errors: FieldErrors,
    bsm_options: Vec<(i64, String)>,
    im_options: Vec<(i64, String)>,
    check_items: Vec<CheckItemView>,
    check_input: CheckInput,
    check_errors: FieldErrors,
    checks: Vec<CheckView>,
    stale: bool,
}

/// The forms of the rules page that come back with what went wrong.
#[derive(Default)]
struct RulesForms {
    rule: Again1<String>,
    managers: Option<(ManagersInput, Vec<FieldError>)>,
    check: Option<(CheckInput, Vec<FieldError>)>,
    stale: bool,
}

async fn rules_page(cx: &Cx, id: i64, forms: RulesForms) -> AppResult<RulesPage> {
    let (s, tree) = ops::viewable(&cx.st, &cx.u, id).await?;
    let page = cx.page(&format!("/services/{id}/rules"));
    let t = page.t;
    let caps = ops::capabilities(&cx.u, &s, &tree);
    let current = ops::rules_of(&cx.st, &s).await?;
    let mut rules = Vec::new();
    for m in current.measures() {
        let r = current.rule(&m.id);
        let (defined_by, defined_at) = match r {
            Some(r) => (user_name(&cx.st, r.defined_by).await, t.when(r.defined_at)),
            None => Default::default(),
        };
        let (input, errs) = match &forms.rule {
            Some((mid, input, errs)) if *mid == m.id => (input.clone(), errs.clone()),
            _ => (r.map(|r| r.body.clone()).unwrap_or_default(), vec![]),
        };
        rules.push(RuleView {
            id: m.id.clone(),
            text: text(t, m),
            body: r.map(|r| r.body.clone()),
            defined_by,
            defined_at,
            version: r.map_or(0, |r| r.version),
            input,
            errors: FieldErrors::from(t, &errs),
        });
    }
    let name_of = async |id: Option<i64>| match id {
        Some(id) => user_name(&cx.st, id).await,
        None => String::new(),
    };
    let (managers_input, managers_errs) = forms.managers.unwrap_or_else(|| {
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let input = ManagersInput {
            business_system_manager: id(s.business_system_manager_id),
            infrastructure_manager: id(s.infrastructure_manager_id),
        };
        (input, vec![])
    });
    let (bsm_options, im_options) = match caps.change_managers {
        true => (
            holders_of(&cx.st, Role::BusinessSystemManager).await?,
            holders_of(&cx.st, Role::InfrastructureManager).await?,
        ),
        false => Default::default(),
    };
    let (check_input, check_errs) = forms.check.unwrap_or_default();
    let check_items = current
        .policy
        .doc
        .operation
        .iter()
        .map(|m| CheckItemView {
            id: m.id.clone(),
            text: text(t, m),
            input: check_input.items.get(&m.id).cloned().unwrap_or_default(),
        })
        .collect();
    let measure_text = |id: &str| {
        current
            .policy
            .doc
            .operation
            .iter()
            .find(|m| m.id == id)
            .map_or_else(|| id.to_string(), |m| text(t, m))
    };
    let mut checks = Vec::new();
    for c in ops::checks_of(&cx.st, &s).await? {
        checks.push(CheckView {
            checked_on: c.checked_on,
            by: user_name(&cx.st, c.checked_by).await,
            summary: c.summary.clone(),
            items: c
                .items
                .iter()
                .map(|i| {
                    [
                        measure_text(&i.measure_id),
                        status_label(t, i.status),
                        i.findings.clone(),
                        i.evidence.clone(),
                    ]
                })
                .collect(),
        });
    }
    Ok(RulesPage {
        t,
        caps,
        rules,
        business_system_manager: name_of(s.business_system_manager_id).await,
        infrastructure_manager: name_of(s.infrastructure_manager_id).await,
        managers_input,
        managers_errors: FieldErrors::from(t, &managers_errs),
        bsm_options,
        im_options,
        check_items,
        check_input,
        check_errors: FieldErrors::from(t, &check_errs),
        checks,
        stale: forms.stale,
        s,
        page,
    })
}

async fn rules(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    show(rules_page(&cx, id, RulesForms::default()).await?)
}

/// A form of the rules page: on success back to it, on refused input or a stale version the
/// page with the form as `forms` says.
async fn on_rules<T>(
    cx: &Cx,
    id: i64,
    result: AppResult<T>,
    anchor: &str,
    forms: impl FnOnce(Vec<FieldError>) -> RulesForms,
) -> AppResult<Response> {
    answer(
        result,
        |_| format!("/services/{id}/rules#{anchor}"),
        async |why: Again| {
            let stale = why.is_stale();
            let errs = match why {
                Again::Invalid(errs) => errs,
                Again::Stale => vec![],
            };
            let mut f = forms(errs);
            f.stale = stale;
            rules_page(cx, id, f).await
        },
    )
    .await
}

async fn define_rule(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input = RuleInput {
        body: form.get("body").to_string(),
    };
    let mid = form.get("measure_id").to_string();
    let version = record_version(&form)?;
    let result = ops::define_rule(&cx.st, &cx.u, id, &mid, version, &input).await;
    let anchor = format!("r-{mid}");
    on_rules(&cx, id, result, &anchor, |e| RulesForms {
        rule: Some((mid, input.body, e)),
        ..Default::default()
    })
    .await
}

async fn change_managers(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: ManagersInput = form.to_input(&[])?;
    let result = ops::change_managers(&cx.st, &cx.u, id, form.version()?, &input).await;
    on_rules(&cx, id, result, "managers", |e| RulesForms {
        managers: Some((input, e)),
        ..Default::default()
    })
    .await
}

/// The check form's fields: `checked_on`, `summary` and `items.<measure>.<field>`.
fn check_input(form: &FormPairs) -> CheckInput {
    let mut input = CheckInput {
        checked_on: form.get("checked_on").to_string(),
        summary: form.get("summary").to_string(),
        ..Default::default()
    };
    for (k, v) in &form.0 {
        let Some(rest) = k.strip_prefix("items.") else {
            continue;
        };
        let Some((mid, field)) = rest.rsplit_once('.') else {
            continue;
        };
        let item = input.items.entry(mid.to_string()).or_default();
        match field {
            "status" => item.status = v.clone(),
            "reason" => item.reason = v.clone(),
            "findings" => item.findings = v.clone(),
            "evidence" => item.evidence = v.clone(),
            _ => {}
        }
    }
    input
}

async fn record_check(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input = check_input(&form);
    let result = ops::record_check(&cx.st, &cx.u, id, &input).await;
    on_rules(&cx, id, result, "checks", |e| RulesForms {
        check: Some((input, e)),
        ..Default::default()
    })
    .await
}

struct DueView {
    id: i64,
    name: String,
    provider: String,
    due_on: jiff::civil::Date,
    overdue: bool,
    /// Not due within the reminder lead yet (listed with `due=all`).
    later: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "measures_checks.html")]
struct ChecksPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<DueView>,
    f: DueCheckListQuery,
    lists: super::lists::ListCtx,
}

/// The periodic checks due, filtered and paged in the database.
async fn checks(cx: Cx, Query(f): Query<DueCheckListQuery>) -> AppResult<Response> {
    let today = cx.st.today();
    let page = cx.page("/checks");
    let t = page.t;
    let lists = super::lists::ListCtx::new(&cx).await?;
    let (rows, lists) = match ops::due_checks(&cx.st, &cx.u, &f).await? {
        Ok((p, soon)) => {
            let next = p.next_cursor().map(|c| f.url_from("/checks", &c));
            let rows = p
                .items
                .into_iter()
                .map(|s| DueView {
                    overdue: due_state(today, s.next_check_due, soon) == Due::Overdue,
                    later: due_state(today, s.next_check_due, soon) == Due::Later,
                    due_on: s.next_check_due,
                    id: s.id,
                    name: s.name,
                    provider: s.provider,
                })
                .collect();
            (
                rows,
                lists.paged(next, !f.cursor.is_empty(), f.url("/checks")),
            )
        }
        Err(e) => (Vec::new(), lists.refused(t, e)?),
    };
    show(ChecksPage {
        t,
        page,
        rows,
        f,
        lists,
    })
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/services/{id}/measures",
            get(measures).post(record_measure),
        )
        .route("/services/{id}/operation", post(into_operation))
        .route("/services/{id}/rules", get(rules).post(define_rule))
        .route("/services/{id}/managers", post(change_managers))
        .route("/services/{id}/checks", post(record_check))
        .route("/checks", get(checks))
}
