//! The information-system ledger and each service's page: ledger entry, official accounts,
//! retirement and history.

use super::{
    FieldErrors, FormPairs, HistoryRow, PageCtx, fmt_ms, history_rows, org_name, org_options,
    user_name,
};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::services as ops;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use gaibu_domain::FieldError;
use gaibu_domain::account::AccountInput;
use gaibu_domain::ledger::{LedgerInput, RetireInput};
use gaibu_store::{AccountRow, ServiceRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(list))
        .route("/services/{id}", get(detail))
        .route("/services/{id}/ledger", post(register))
        .route("/services/{id}/retire", post(retire))
        .route("/services/{id}/accounts", post(add_account))
        .route("/accounts/{id}/close", post(close_account))
}

#[derive(Template, WebTemplate)]
#[template(path = "services.html")]
struct ListPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<(ServiceRow, String, String)>,
}

async fn list(State(st): State<AppState>, u: CurrentUser, jar: CookieJar) -> AppResult<Response> {
    let page = PageCtx::new(&u, &jar, "/services");
    let units = st.store.org_units().await?;
    let users = st.store.users().await?;
    let rows = ops::list(&st)
        .await?
        .into_iter()
        .map(|s| {
            let org = org_name(page.t, &units, s.org_unit_id);
            let admin = users
                .iter()
                .find(|x| x.id == s.administrator_id)
                .map(|x| x.display_name.clone())
                .unwrap_or_default();
            (s, org, admin)
        })
        .collect();
    Ok(ListPage {
        t: page.t,
        page,
        rows,
    }
    .into_response())
}

struct AccountView {
    row: AccountRow,
    holder_org: String,
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
    approved_at: String,
    ledger_input: LedgerInput,
    ledger_errors: FieldErrors,
    retire_input: RetireInput,
    retire_errors: FieldErrors,
    history: Vec<HistoryRow>,
}

/// The account register as its own fragment, so that htmx can swap it in place.
#[derive(Template, WebTemplate)]
#[template(path = "service_accounts.html")]
struct AccountsPartial {
    t: Tr,
    csrf: String,
    service_id: i64,
    is_admin: bool,
    retired: bool,
    accounts: Option<Vec<AccountView>>,
    input: AccountInput,
    errors: FieldErrors,
    org_units: Vec<(i64, String)>,
    added: bool,
}

impl AccountsPartial {
    fn org_selected(&self, id: &i64) -> bool {
        self.input.holder_org_unit == id.to_string()
    }
}

async fn accounts_partial(
    st: &AppState,
    u: &CurrentUser,
    t: Tr,
    s: &ServiceRow,
    input: AccountInput,
    errors: FieldErrors,
    added: bool,
) -> AppResult<AccountsPartial> {
    let units = st.store.org_units().await?;
    let accounts = ops::accounts(st, u, s).await?.map(|rows| {
        rows.into_iter()
            .map(|row| AccountView {
                holder_org: org_name(t, &units, row.holder_org_unit_id),
                row,
            })
            .collect()
    });
    Ok(AccountsPartial {
        t,
        csrf: u.csrf().to_string(),
        service_id: s.id,
        is_admin: s.administrator_id == u.user.id,
        retired: s.ledger_status == Some(gaibu_domain::ledger::LedgerStatus::Retired),
        accounts,
        input,
        errors,
        org_units: org_options(t, &units),
        added,
    })
}

#[derive(Default)]
struct Forms {
    ledger: Option<(LedgerInput, Vec<FieldError>)>,
    retire: Option<(RetireInput, Vec<FieldError>)>,
    account: Option<(AccountInput, Vec<FieldError>)>,
}

async fn detail_page(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    id: i64,
    forms: Forms,
) -> AppResult<DetailPage> {
    let s = ops::get(st, id).await?;
    let page = PageCtx::new(u, jar, &format!("/services/{id}"));
    let t = page.t;
    let units = st.store.org_units().await?;
    let today = st.today().to_string();
    let (ledger_input, ledger_errs) = forms.ledger.unwrap_or_else(|| {
        (
            LedgerInput {
                system_name: s.name.clone(),
                registered_on: today.clone(),
                note: String::new(),
            },
            vec![],
        )
    });
    let (retire_input, retire_errs) = forms.retire.unwrap_or_else(|| {
        (
            RetireInput {
                retired_on: today.clone(),
                reason: String::new(),
            },
            vec![],
        )
    });
    let (account_input, account_errs) = forms.account.unwrap_or_else(|| {
        (
            AccountInput {
                kind: "user".into(),
                holder_org_unit: s.org_unit_id.to_string(),
                created_on: today.clone(),
                ..Default::default()
            },
            vec![],
        )
    });
    let acc = accounts_partial(
        st,
        u,
        t,
        &s,
        account_input,
        FieldErrors::from(t, &account_errs),
        false,
    )
    .await?;
    let history = history_rows(t, &st.store.service_history(s.id, s.application_id).await?);
    Ok(DetailPage {
        t,
        acc,
        org: org_name(t, &units, s.org_unit_id),
        administrator: user_name(st, s.administrator_id).await,
        approved_at: fmt_ms(s.approved_at),
        ledger_input,
        ledger_errors: FieldErrors::from(t, &ledger_errs),
        retire_input,
        retire_errors: FieldErrors::from(t, &retire_errs),
        history,
        s,
        page,
    })
}

async fn detail(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(detail_page(&st, &u, &jar, id, Forms::default())
        .await?
        .into_response())
}

async fn register(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input: LedgerInput = form.to_input(&[])?;
    match ops::register_in_ledger(&st, &u, id, form.version(), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/services/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let forms = Forms {
                ledger: Some((input, errs)),
                ..Default::default()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                detail_page(&st, &u, &jar, id, forms).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

async fn retire(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input: RetireInput = form.to_input(&[])?;
    match ops::retire(&st, &u, id, form.version(), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/services/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let forms = Forms {
                retire: Some((input, errs)),
                ..Default::default()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                detail_page(&st, &u, &jar, id, forms).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

fn is_htmx(h: &HeaderMap) -> bool {
    h.get("hx-request").is_some_and(|v| v == "true")
}

async fn add_account(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input: AccountInput = form.to_input(&[])?;
    let htmx = is_htmx(&headers);
    let t = PageCtx::new(&u, &jar, "").t;
    match ops::add_account(&st, &u, id, &input).await {
        Ok(_) if htmx => {
            let s = ops::get(&st, id).await?;
            let fresh = AccountInput {
                kind: input.kind.clone(),
                holder_org_unit: input.holder_org_unit.clone(),
                created_on: input.created_on.clone(),
                ..Default::default()
            };
            Ok(
                accounts_partial(&st, &u, t, &s, fresh, FieldErrors::default(), true)
                    .await?
                    .into_response(),
            )
        }
        Ok(_) => Ok(Redirect::to(&format!("/services/{id}#accounts")).into_response()),
        Err(AppError::Invalid(errs)) if htmx => {
            // htmx swaps only 2xx answers by default: the errors come back as a 200 fragment.
            let s = ops::get(&st, id).await?;
            let errors = FieldErrors::from(t, &errs);
            Ok(accounts_partial(&st, &u, t, &s, input, errors, false)
                .await?
                .into_response())
        }
        Err(AppError::Invalid(errs)) => {
            let forms = Forms {
                account: Some((input, errs)),
                ..Default::default()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                detail_page(&st, &u, &jar, id, forms).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

async fn close_account(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let input: ops::CloseAccountInput = ops::CloseAccountInput {
        version: form.version(),
        closed_on: form.get("closed_on").to_string(),
    };
    let acc = ops::close_account(&st, &u, id, &input).await?;
    Ok(Redirect::to(&format!("/services/{}#accounts", acc.service_id)).into_response())
}
