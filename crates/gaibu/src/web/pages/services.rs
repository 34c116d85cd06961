//! The information-system ledger and each service's page: ledger entry, official accounts,
//! retirement and history.

use super::{
    Again, Cx, FieldErrors, FormPairs, HistoryRow, PageCtx, answer, history_rows, org_name,
    org_options, show,
};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::lists::{AccountListQuery, ServiceListQuery};
use crate::services as ops;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_domain::FieldError;
use gaibu_domain::account::{AccountInput, AccountStatus};
use gaibu_domain::capability::ServiceCapabilities;
use gaibu_domain::ledger::{LedgerInput, RetireInput};
use gaibu_domain::role::Role;
use gaibu_store::lists::services::ServiceSummary;
use gaibu_store::{AccountRow, ServiceRow};
use std::sync::Arc;

mod accounts;
use accounts::{
    AccountsAsk, AccountsPartial, accounts_page, accounts_partial, add_account, close_account,
};

#[derive(Template, WebTemplate)]
#[template(path = "services.html")]
struct ListPage {
    t: Tr,
    page: PageCtx,
    /// Each service with its unit's name in the reader's language.
    rows: Vec<(ServiceSummary, String)>,
    f: ServiceListQuery,
    lists: super::lists::ListCtx,
    status_options: [(&'static str, &'static str); 5],
    sort_options: [(&'static str, &'static str); 5],
    /// The findings of the ISMAP cross-check that flag a service.
    ismap_options: Vec<(&'static str, &'static str)>,
}

async fn list(
    cx: Cx,
    axum::extract::Query(f): axum::extract::Query<ServiceListQuery>,
) -> AppResult<Response> {
    let page = cx.page("/services");
    let t = page.t;
    let lists = super::lists::ListCtx::new(&cx).await?;
    let (rows, lists) = match f.parse(&cx.st, cx.st.today()).await? {
        Ok((filter, ask)) => {
            let p = cx.st.store.service_page(&filter, &ask).await?;
            let next = p.next_cursor().map(|c| f.url_from("/services", &c));
            let rows = p
                .items
                .into_iter()
                .map(|s| {
                    let org = t.pick(&s.org_name_ja, &s.org_name_en).to_string();
                    (s, org)
                })
                .collect();
            (
                rows,
                lists.paged(next, !f.cursor.is_empty(), f.url("/services")),
            )
        }
        Err(e) => (Vec::new(), lists.refused(t, e)?),
    };
    show(ListPage {
        t,
        page,
        rows,
        f,
        lists,
        status_options: [
            ("unregistered", t.ledger_unregistered()),
            ("building", t.ledger_building()),
            ("in_operation", t.ledger_in_operation()),
            ("suspended", t.ledger_suspended()),
            ("retired", t.ledger_retired()),
        ],
        sort_options: [
            ("id", t.list_sort_id()),
            ("name", t.list_sort_name()),
            ("provider", t.list_sort_provider()),
            ("approved_at", t.list_sort_approved_at()),
            ("next_check_due", t.list_sort_next_check_due()),
        ],
        ismap_options: gaibu_domain::ismap::Finding::FLAGS
            .iter()
            .map(|f| (f.as_str(), crate::ismap::finding_label(t, *f)))
            .collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "service.html")]
struct DetailPage {
    t: Tr,
    page: PageCtx,
    acc: AccountsPartial,
    s: ServiceRow,
    org: String,
    administrator: String,
    approved_at: crate::dates::Stamp,
    ledger_input: LedgerInput,
    ledger_errors: FieldErrors,
    business_system_manager: String,
    infrastructure_manager: String,
    /// (user id, name) of those who may be named, for the ledger form.
    bsm_options: Vec<(i64, String)>,
    im_options: Vec<(i64, String)>,
    retire_input: RetireInput,
    retire_errors: FieldErrors,
    timeline: TimelinePartial,
    /// The open flag of the ISMAP cross-check (issue 11).
    ismap: Option<super::ismap::Notice>,
}

/// A page of the service's timeline: the whole section on the service's page, or (for htmx's
/// "more") only the next rows and the next "more" link.
#[derive(Template, WebTemplate)]
#[template(path = "service_timeline.html")]
struct TimelinePartial {
    t: Tr,
    service_id: i64,
    /// The section with its table, not only rows.
    whole: bool,
    /// An older page than the newest: the section links back to the newest.
    paged: bool,
    rows: Vec<HistoryRow>,
    /// The `before` of the next (older) page.
    next: Option<i64>,
}

/// `?before=` of the service page and its timeline fragment: a `seq`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TimelineQuery {
    before: String,
}

impl TimelineQuery {
    fn before(&self) -> AppResult<Option<i64>> {
        match self.before.trim() {
            "" => Ok(None),
            s => s
                .parse()
                .map(Some)
                .map_err(|_| AppError::Refused(crate::error::ErrorCode::MalformedQuery)),
        }
    }
}

async fn timeline_partial(
    cx: &Cx,
    s: &ServiceRow,
    before: Option<i64>,
    whole: bool,
) -> AppResult<TimelinePartial> {
    let t = cx.t();
    let (events, next) = ops::timeline(&cx.st, s, before, None).await?;
    Ok(TimelinePartial {
        t,
        service_id: s.id,
        whole,
        paged: before.is_some(),
        rows: history_rows(t, &events),
        next,
    })
}

/// The service and the org units (from the request's org tree), each read once for the page.
async fn load(cx: &Cx, id: i64) -> AppResult<(ServiceRow, Arc<Vec<gaibu_store::OrgUnitRow>>)> {
    Ok((
        ops::get(&cx.st, id).await?,
        crate::auth::org_units(&cx.st).await?,
    ))
}

/// The forms of a service's page that come back with what went wrong; the others are fresh.
#[derive(Default)]
struct Forms {
    ledger: Option<(LedgerInput, Vec<FieldError>)>,
    retire: Option<(RetireInput, Vec<FieldError>)>,
    account: Option<(AccountInput, Vec<FieldError>)>,
}

impl Forms {
    fn ledger(input: LedgerInput, errs: Vec<FieldError>) -> Self {
        let ledger = Some((input, errs));
        Forms {
            ledger,
            ..Default::default()
        }
    }
    fn retire(input: RetireInput, errs: Vec<FieldError>) -> Self {
        let retire = Some((input, errs));
        Forms {
            retire,
            ..Default::default()
        }
    }
    fn account(input: AccountInput, errs: Vec<FieldError>) -> Self {
        let account = Some((input, errs));
        Forms {
            account,
            ..Default::default()
        }
    }
}

async fn detail_page(cx: &Cx, id: i64, forms: Forms, before: Option<i64>) -> AppResult<DetailPage> {
    let (s, units) = load(cx, id).await?;
    let page = cx.page(&format!("/services/{id}"));
    let t = page.t;
    let today = cx.st.today().to_string();
    let (ledger_input, ledger_errs) = forms.ledger.unwrap_or_else(|| {
        let system_name = s.name.clone();
        let registered_on = today.clone();
        let input = LedgerInput {
            system_name,
            registered_on,
            ..Default::default()
        };
        (input, vec![])
    });
    let (retire_input, retire_errs) = forms.retire.unwrap_or_else(|| {
        let retired_on = today.clone();
        let input = RetireInput {
            retired_on,
            reason: String::new(),
        };
        (input, vec![])
    });
    let (account_input, account_errs) = forms.account.unwrap_or_else(|| {
        let input = AccountInput {
            kind: "user".into(),
            holder_org_unit: s.org_unit_id.to_string(),
            created_on: today.clone(),
            ..Default::default()
        };
        (input, vec![])
    });
    let errors = FieldErrors::from(t, &account_errs);
    let form = (account_input, errors, false);
    let acc = accounts_partial(cx, (&s, &units), form, AccountsAsk::on_service_page()).await?;
    let mut timeline = timeline_partial(cx, &s, before, true).await?;
    let (bsm_options, im_options) = match acc.caps.register_in_ledger {
        true => (
            ops::holders_of(&cx.st, Role::BusinessSystemManager).await?,
            ops::holders_of(&cx.st, Role::InfrastructureManager).await?,
        ),
        false => Default::default(),
    };
    // The people the page names, in one query.
    let named = [
        Some(s.administrator_id),
        s.business_system_manager_id,
        s.infrastructure_manager_id,
    ];
    let mut ids: Vec<i64> = named.iter().flatten().copied().collect();
    // The timeline's people too, in the same query.
    ids.extend(super::actors(&timeline.rows));
    let names = cx.st.store.user_names(&ids).await?;
    super::named(&mut timeline.rows, &names);
    let name_of = |id: Option<i64>| match id {
        Some(id) => names
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| format!("#{id}")),
        None => String::new(),
    };
    Ok(DetailPage {
        business_system_manager: name_of(s.business_system_manager_id),
        infrastructure_manager: name_of(s.infrastructure_manager_id),
        bsm_options,
        im_options,
        t,
        acc,
        org: org_name(t, &units, s.org_unit_id),
        administrator: name_of(Some(s.administrator_id)),
        approved_at: t.when(s.approved_at),
        ledger_input,
        ledger_errors: FieldErrors::from(t, &ledger_errs),
        retire_input,
        retire_errors: FieldErrors::from(t, &retire_errs),
        timeline,
        ismap: super::ismap::notice(cx, &s).await?,
        s,
        page,
    })
}

async fn detail(
    mut cx: Cx,
    Path(id): Path<i64>,
    Query(q): Query<TimelineQuery>,
) -> AppResult<Response> {
    let before = q.before()?;
    // The page is made first (it refuses a service the user may not see); only then are its
    // notices read, and the menu's count on this page says so.
    let mut page = detail_page(&cx, id, Forms::default(), before).await?;
    let unread = cx.u.unread;
    cx.read_about(gaibu_store::About::Service(id)).await?;
    page.page.unread -= unread - cx.u.unread;
    show(page)
}

/// The next page of the timeline as rows, for htmx's "more" (the link works without it).
async fn timeline(
    cx: Cx,
    Path(id): Path<i64>,
    Query(q): Query<TimelineQuery>,
) -> AppResult<Response> {
    let s = ops::get(&cx.st, id).await?;
    let mut partial = timeline_partial(&cx, &s, q.before()?, false).await?;
    let names = cx
        .st
        .store
        .user_names(&super::actors(&partial.rows))
        .await?;
    super::named(&mut partial.rows, &names);
    show(partial)
}

/// A form of the service's page: on success back to the page, on refused input the page with
/// the form as `forms` says.
async fn on_page<T>(
    cx: &Cx,
    id: i64,
    result: AppResult<T>,
    forms: impl FnOnce(Vec<FieldError>) -> Forms,
) -> AppResult<Response> {
    answer(
        result,
        |_| format!("/services/{id}"),
        async |why: Again| detail_page(cx, id, forms(why.invalid()?), None).await,
    )
    .await
}

async fn register(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: LedgerInput = form.to_input(&[])?;
    let result = ops::register_in_ledger(&cx.st, &cx.u, id, form.version()?, &input).await;
    on_page(&cx, id, result, |e| Forms::ledger(input, e)).await
}

async fn retire(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let input: RetireInput = form.to_input(&[])?;
    let result = ops::retire(&cx.st, &cx.u, id, form.version()?, &input).await;
    on_page(&cx, id, result, |e| Forms::retire(input, e)).await
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(list))
        .route("/services/{id}", get(detail))
        .route("/services/{id}/timeline", get(timeline))
        .route("/services/{id}/ledger", post(register))
        .route("/services/{id}/retire", post(retire))
        .route(
            "/services/{id}/accounts",
            get(accounts_page).post(add_account),
        )
        .route("/accounts/{id}/close", post(close_account))
}
