//! Pages of re-checks (S6.1), corrective actions and the stop of use (S6.2), and check orders
//! (S6.3).

use super::applications::answer_text;
use super::{Again, Cx, FieldErrors, FormPairs, PageCtx, answer, show, user_name};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::lists::lifecycle::{WorkListQuery, WorkScope};
use crate::rechecks as ops;
use crate::rechecks::lists as rechecks_lists;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_domain::FieldError;
use gaibu_domain::check_order::ReportInput;
use gaibu_domain::recheck::{
    ActionInput, ActionState, EventInput, RecheckInput, RecheckState, ResultInput, Trigger,
};
use gaibu_domain::role::Role;
use gaibu_domain::sheet::{AnswerType, Answers};
use gaibu_store::{CorrectiveActionRow, OrderTargetView, RecheckRow, ServiceRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rechecks", get(my_work))
        .route("/rechecks/{id}", get(detail).post(save))
        .route("/rechecks/{id}/corrective-action", post(plan_action))
        .route("/corrective-actions/{id}/result", post(record_result))
        .route(
            "/services/{id}/rechecks",
            get(of_service).post(record_event),
        )
        .route("/check-targets/{id}/report", post(report))
}

fn cause(t: Tr, r: &RecheckRow) -> String {
    t.of("recheck_cause", r.cause.as_str())
}

pub(super) fn state(t: Tr, s: &str) -> String {
    t.of("recheck_state", s)
}

// ---- the user's list ------------------------------------------------------------------------

/// One corrective action as the list shows it.
struct ActionView {
    a: CorrectiveActionRow,
    state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "recheck_list.html")]
struct WorkPage {
    t: Tr,
    page: PageCtx,
    rechecks: Vec<(RecheckRow, String, String)>,
    actions: Vec<ActionView>,
    /// The corrective actions are listed (`actions=`), not the re-checks.
    show_actions: bool,
    /// How many rows the list shows.
    shown: usize,
    checks: Vec<OrderTargetView>,
    is_ism: bool,
    /// May list every re-check of the units overseen (`scope=all`).
    oversees: bool,
    all: bool,
    f: WorkListQuery,
    lists: super::lists::ListCtx,
    causes: Vec<(&'static str, String)>,
}

/// The person's re-checks or corrective actions (`actions=`), or with `scope=all` those of
/// the units they oversee; filtered and paged in the database. Their own ordered checks to
/// report come first on their first page.
async fn my_work(cx: Cx, Query(f): Query<WorkListQuery>) -> AppResult<Response> {
    let page = cx.page("/rechecks");
    let t = page.t;
    let lists = super::lists::ListCtx::new(&cx).await?;
    let show_actions = !f.actions.trim().is_empty();
    let later = !f.cursor.is_empty();
    let mut rechecks = Vec::new();
    let mut actions = Vec::new();
    let listed = if show_actions {
        rechecks_lists::actions(&cx.st, &cx.u, &f).await?.map(|p| {
            let next = p.next_cursor();
            actions = p
                .items
                .into_iter()
                .map(|a| ActionView {
                    state: state(t, a.state.as_str()),
                    a,
                })
                .collect();
            next
        })
    } else {
        rechecks_lists::rechecks(&cx.st, &cx.u, &f).await?.map(|p| {
            let next = p.next_cursor();
            rechecks = p
                .items
                .into_iter()
                .map(|r| {
                    let c = cause(t, &r);
                    let st = state(t, r.state.as_str());
                    (r, c, st)
                })
                .collect();
            next
        })
    };
    let lists = match listed {
        Ok(next) => {
            let next = next.map(|c| f.url_from("/rechecks", &c));
            lists.paged(next, later, f.url("/rechecks"))
        }
        Err(e) => lists.refused(t, e)?,
    };
    let all = rechecks_lists::scope_of(&f) == WorkScope::All;
    let checks = if all || later {
        Vec::new()
    } else {
        rechecks_lists::pending_reports(&cx.st, &cx.u).await?
    };
    show(WorkPage {
        t,
        shown: rechecks.len() + actions.len(),
        rechecks,
        actions,
        show_actions,
        checks,
        is_ism: cx.u.has_role(Role::InformationSecurityManager),
        oversees: rechecks_lists::oversees(&cx.u),
        all,
        f,
        lists,
        causes: Trigger::ALL
            .into_iter()
            .map(|k| (k.as_str(), t.of("recheck_cause", k.as_str())))
            .collect(),
        page,
    })
}

// ---- a service's re-checks and the event form -----------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "recheck_service.html")]
struct ServicePage {
    t: Tr,
    page: PageCtx,
    s: ServiceRow,
    rows: Vec<(RecheckRow, String, String)>,
    input: EventInput,
    errors: FieldErrors,
    today: String,
    kinds: Vec<(String, String)>,
    lists: super::lists::ListCtx,
}

async fn service_page(
    cx: &Cx,
    (id, f): (i64, &WorkListQuery),
    input: EventInput,
    errs: Vec<FieldError>,
) -> AppResult<ServicePage> {
    let s = crate::services::get(&cx.st, id).await?;
    let path = format!("/services/{id}/rechecks");
    let page = cx.page(&path);
    let t = page.t;
    let lists = super::lists::ListCtx::new(cx).await?;
    let (rows, lists) = match rechecks_lists::of_service(&cx.st, &cx.u, &s, f).await? {
        Ok(p) => {
            let next = p.next_cursor().map(|c| f.url_from(&path, &c));
            let rows = p
                .items
                .into_iter()
                .map(|r| {
                    let c = cause(t, &r);
                    let st = state(t, r.state.as_str());
                    (r, c, st)
                })
                .collect();
            (rows, lists.paged(next, !f.cursor.is_empty(), f.url(&path)))
        }
        Err(e) => (Vec::new(), lists.refused(t, e)?),
    };
    Ok(ServicePage {
        t,
        s,
        rows,
        input,
        errors: FieldErrors::from(t, &errs),
        today: cx.st.today().to_string(),
        kinds: Trigger::ALL
            .into_iter()
            .filter(|k| k.is_recordable())
            .map(|k| (k.as_str().to_string(), t.of("recheck_cause", k.as_str())))
            .collect(),
        lists,
        page,
    })
}

async fn of_service(
    cx: Cx,
    Path(id): Path<i64>,
    Query(f): Query<WorkListQuery>,
) -> AppResult<Response> {
    show(service_page(&cx, (id, &f), EventInput::default(), vec![]).await?)
}

async fn record_event(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: EventInput = form.to_input(&[])?;
    let result = ops::record_event(&cx.st, &cx.u, id, &input).await;
    answer(
        result,
        |r| format!("/rechecks/{}", r.id),
        async |why: Again| {
            service_page(&cx, (id, &WorkListQuery::default()), input, why.invalid()?).await
        },
    )
    .await
}

// ---- one re-check, side by side -------------------------------------------------------------

/// One sheet item: its text, the previous answer, the answer being given, what is missing.
struct ItemRow {
    id: String,
    text: String,
    kind: &'static str,
    options: Vec<(String, String)>,
    value: String,
    /// The answer in words (a choice's label, yes/no/n.a.), as a reader sees it.
    shown: String,
    comment: String,
    previous: String,
    previous_comment: String,
    problem: String,
    blocking: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "recheck.html")]
struct DetailPage {
    t: Tr,
    page: PageCtx,
    r: RecheckRow,
    s: ServiceRow,
    cause: String,
    state: String,
    previous_from: String,
    items: Vec<ItemRow>,
    version: i64,
    judgement: String,
    reason: String,
    errors: FieldErrors,
    stale: bool,
    editable: bool,
    judged_by: String,
    judged_at: crate::dates::Stamp,
    action: Option<CorrectiveActionRow>,
    action_owner: String,
    action_state: String,
    can_plan: bool,
    can_result: bool,
    action_input: ActionInput,
    owners: Vec<(i64, String)>,
    who: String,
    result_input: ResultInput,
}

/// What a form of the page brings back with its errors.
#[derive(Default)]
struct Forms {
    answers: Option<(RecheckInput, Vec<FieldError>, bool)>,
    action: Option<(ActionInput, Vec<FieldError>)>,
    result: Option<(ResultInput, Vec<FieldError>)>,
    /// The owner picker's search (part of a login or name).
    who: String,
}

async fn detail_page(cx: &Cx, id: i64, forms: Forms) -> AppResult<DetailPage> {
    let v = ops::view(&cx.st, &cx.u, id).await?;
    let page = cx.page(&format!("/rechecks/{id}"));
    let t = page.t;
    let (input, errs, stale) = forms.answers.unwrap_or_else(|| {
        let input = RecheckInput {
            answers: v.row.answers.clone(),
            judgement: String::new(),
            reason: v.row.reason.clone(),
        };
        (input, vec![], false)
    });
    let sheet = &v.sheet.doc;
    let items = sheet
        .items
        .iter()
        .filter(|i| sheet.applies(i, &input.answers, &v.context) || v.previous.contains_key(&i.id))
        .map(|i| {
            let a = input.answers.get(&i.id).cloned().unwrap_or_default();
            let p = v.previous.get(&i.id).cloned().unwrap_or_default();
            let problem = v
                .problems
                .iter()
                .find(|p| p.item == i.id)
                .map(|p| t.error(p.code))
                .unwrap_or_default();
            ItemRow {
                id: i.id.clone(),
                text: t.pick(&i.text_ja, &i.text_en).to_string(),
                kind: match i.answer {
                    AnswerType::YesNoNa => "yesno",
                    AnswerType::Choice => "choice",
                    AnswerType::Date => "date",
                    AnswerType::Text => "text",
                },
                options: i
                    .options
                    .iter()
                    .map(|o| (o.code.clone(), t.pick(&o.label_ja, &o.label_en).to_string()))
                    .collect(),
                shown: answer_text(t, i, &a.value),
                value: a.value,
                comment: a.comment,
                previous: answer_text(t, i, &p.value),
                previous_comment: p.comment,
                problem,
                blocking: i.blocking,
            }
        })
        .collect();
    let me = cx.u.user.id;
    let editable = v.row.state == RecheckState::Open && v.row.administrator_id == me;
    let can_plan = v.row.state == RecheckState::NotCompliant
        && v.action.is_none()
        && v.row.administrator_id == me;
    let can_result = v.action.as_ref().is_some_and(|a| {
        a.state == ActionState::Open && (a.owner_id == me || a.administrator_id == me)
    });
    let (action_input, action_errs) = forms.action.unwrap_or_else(|| {
        let input = ActionInput {
            owner: me.to_string(),
            ..Default::default()
        };
        (input, vec![])
    });
    let (result_input, result_errs) = forms.result.unwrap_or_default();
    let mut all_errs = errs;
    all_errs.extend(action_errs);
    all_errs.extend(result_errs);
    let owners = match can_plan {
        true => {
            let keep = action_input.owner.trim().parse().ok();
            crate::people::staff_choices(&cx.st, &forms.who, keep).await?
        }
        false => vec![],
    };
    let action_owner = match &v.action {
        Some(a) => user_name(&cx.st, a.owner_id).await,
        None => String::new(),
    };
    let (judged_by, judged_at) = match v.row.judged_by {
        Some(id) => (
            user_name(&cx.st, id).await,
            t.when(v.row.judged_at.unwrap_or(v.row.updated_at)),
        ),
        None => Default::default(),
    };
    Ok(DetailPage {
        cause: cause(t, &v.row),
        state: state(t, v.row.state.as_str()),
        previous_from: match v.previous_from {
            ops::PreviousFrom::Application => t.recheck_previous_application().to_string(),
            ops::PreviousFrom::Recheck => t.recheck_previous_recheck().to_string(),
        },
        items,
        version: v.row.version,
        judgement: input.judgement.clone(),
        reason: input.reason.clone(),
        errors: FieldErrors::from(t, &all_errs),
        stale,
        editable,
        judged_by,
        judged_at,
        action_state: v
            .action
            .as_ref()
            .map(|a| state(t, a.state.as_str()))
            .unwrap_or_default(),
        action: v.action,
        action_owner,
        can_plan,
        can_result,
        action_input,
        owners,
        who: forms.who,
        result_input,
        r: v.row,
        s: v.service,
        t,
        page,
    })
}

impl DetailPage {
    fn owner_selected(&self, id: &i64) -> bool {
        self.action_input.owner == id.to_string()
    }
}

/// The owner picker's search.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Who {
    who: String,
}

async fn detail(cx: Cx, Path(id): Path<i64>, Query(q): Query<Who>) -> AppResult<Response> {
    let forms = Forms {
        who: q.who,
        ..Default::default()
    };
    show(detail_page(&cx, id, forms).await?)
}

/// `answer.<item>` and `comment.<item>` fields into answers.
fn answers_from(form: &FormPairs) -> Answers {
    let mut out = Answers::new();
    for (k, v) in &form.0 {
        if let Some(item) = k.strip_prefix("answer.") {
            out.entry(item.to_string()).or_default().value = v.trim().to_string();
        } else if let Some(item) = k.strip_prefix("comment.") {
            out.entry(item.to_string()).or_default().comment = v.trim().to_string();
        }
    }
    out.retain(|_, a| !a.value.is_empty() || !a.comment.is_empty());
    out
}

async fn save(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input = RecheckInput {
        answers: answers_from(&form),
        judgement: form.get("judgement").to_string(),
        reason: form.get("reason").to_string(),
    };
    let result = ops::save(&cx.st, &cx.u, id, form.version()?, &input).await;
    answer(
        result,
        |_| format!("/rechecks/{id}"),
        async |why: Again| {
            let stale = why.is_stale();
            let errs = match why {
                Again::Invalid(e) => e,
                Again::Stale => vec![],
            };
            let forms = Forms {
                answers: Some((input, errs, stale)),
                ..Default::default()
            };
            detail_page(&cx, id, forms).await
        },
    )
    .await
}

async fn plan_action(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: ActionInput = form.to_input(&[])?;
    let result = ops::plan_action(&cx.st, &cx.u, id, &input).await;
    answer(
        result,
        |_| format!("/rechecks/{id}"),
        async |why: Again| {
            let forms = Forms {
                action: Some((input, why.invalid()?)),
                ..Default::default()
            };
            detail_page(&cx, id, forms).await
        },
    )
    .await
}

async fn record_result(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: ResultInput = ResultInput {
        result: form.get("result").to_string(),
        note: form.get("note").to_string(),
    };
    let a = ops::action(&cx.st, &cx.u, id).await?;
    let result = ops::record_result(&cx.st, &cx.u, id, form.version()?, &input).await;
    let rid = a.recheck_id;
    answer(
        result,
        |_| format!("/rechecks/{rid}"),
        async |why: Again| {
            let forms = Forms {
                result: Some((input, why.invalid()?)),
                ..Default::default()
            };
            detail_page(&cx, rid, forms).await
        },
    )
    .await
}

async fn report(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input = ReportInput {
        result: form.get("result").to_string(),
    };
    ops::report(&cx.st, &cx.u, id, form.version()?, &input).await?;
    Ok(Redirect::to("/rechecks").into_response())
}
