//! Policy versions: what is in force, what waits for the CISO, and the approval (S1.3).

use super::{FieldErrors, FormPairs, PageCtx, fmt_ms, user_name};
use crate::audit_denial::refuse;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policies as ops;
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
use gaibu_domain::Refusal;
use gaibu_domain::policy::PolicyDocument;
use gaibu_domain::role::Role;
use gaibu_store::PolicyRow;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list).post(load))
        .route("/policies/{id}", get(detail))
        .route("/policies/{id}/approve", post(approve))
}

#[derive(Template, WebTemplate)]
#[template(path = "policies.html")]
struct ListPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<PolicyRow>,
    content: String,
    errors: FieldErrors,
}

impl ListPage {
    fn when(&self, t: &jiff::Timestamp) -> String {
        fmt_ms(*t)
    }
}

async fn list_page(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    content: String,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let page = PageCtx::new(u, jar, "/policies");
    Ok(ListPage {
        t: page.t,
        page,
        rows: ops::list(st).await?,
        content,
        errors,
    })
}

async fn list(State(st): State<AppState>, u: CurrentUser, jar: CookieJar) -> AppResult<Response> {
    Ok(
        list_page(&st, &u, &jar, String::new(), FieldErrors::default())
            .await?
            .into_response(),
    )
}

/// A CISO loads the city's own version; it waits, pending, for approval like any other.
async fn load(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    form: FormPairs,
) -> AppResult<Response> {
    if !u.has_role(Role::Ciso) {
        return Err(refuse(
            &st,
            &u,
            Refusal::Forbidden(crate::error::ErrorCode::CisoRequired.as_str()),
            "policy.load",
            gaibu_domain::audit::Entity::Policy,
            None,
        )
        .await);
    }
    let content = form.get("content").replace("\r\n", "\n");
    match ops::load_text(&st, &u.who(), &content).await {
        Ok((row, _)) => Ok(Redirect::to(&format!("/policies/{}", row.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let errors = FieldErrors::from(PageCtx::new(&u, &jar, "").t, &errs);
            let p = list_page(&st, &u, &jar, content, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "policy.html")]
struct DetailPage {
    t: Tr,
    page: PageCtx,
    p: PolicyRow,
    doc: PolicyDocument,
    approver: String,
    approved_at: String,
    loaded_at: String,
}

async fn detail(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (p, doc) = ops::get(&st, id).await?;
    let page = PageCtx::new(&u, &jar, &format!("/policies/{id}"));
    let approver = match p.approved_by {
        Some(a) => user_name(&st, a).await,
        None => String::new(),
    };
    Ok(DetailPage {
        t: page.t,
        page,
        approved_at: p.approved_at.map(fmt_ms).unwrap_or_default(),
        loaded_at: fmt_ms(p.loaded_at),
        approver,
        p,
        doc,
    }
    .into_response())
}

async fn approve(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    ops::approve(&st, &u, id).await?;
    Ok(Redirect::to(&format!("/policies/{id}")).into_response())
}
