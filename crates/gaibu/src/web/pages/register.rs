//! The service usage register (サービス利用状況, S5.2.1-5) and the notifications page.

use super::{FieldErrors, FormPairs, HistoryRow, PageCtx, fmt_ms, history_rows};
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::register as ops;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use gaibu_domain::effects::NoticeKind;
use gaibu_domain::role::Role;
use gaibu_store::{NotificationRow, RegisterFields, RegisterRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register", get(list))
        .route("/register/{id}", get(entry).post(update))
        .route("/notifications", get(notifications))
        .route("/notifications/read", axum::routing::post(mark_all_read))
}

#[derive(Template, WebTemplate)]
#[template(path = "register.html")]
struct ListPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<RegisterRow>,
}

async fn list(State(st): State<AppState>, u: CurrentUser, jar: CookieJar) -> AppResult<Response> {
    let page = PageCtx::new(&u, &jar, "/register");
    Ok(ListPage {
        t: page.t,
        page,
        rows: ops::list(&st, &u).await?,
    }
    .into_response())
}

struct FieldView {
    name: &'static str,
    label: String,
    value: String,
    error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_entry.html")]
struct EntryPage {
    t: Tr,
    page: PageCtx,
    e: RegisterRow,
    version: i64,
    fields: Vec<FieldView>,
    can_edit: bool,
    has_errors: bool,
    history: Vec<HistoryRow>,
    /// Material fields that now differ from what was approved: a change of use needs a new
    /// approval, which the page offers to start.
    drift: Vec<String>,
}

/// The material fields of the entry as approved, from the event that created it.
fn drift(t: Tr, e: &RegisterRow, events: &[gaibu_domain::audit::AuditEvent]) -> Vec<String> {
    let Some(created) = events.iter().find(|ev| ev.action == "register.created") else {
        return vec![];
    };
    let approved: serde_json::Value =
        serde_json::from_str(created.after.as_deref().unwrap_or("{}")).unwrap_or_default();
    let now = serde_json::to_value(e).unwrap_or_default();
    ["service_name", "provider_name", "purpose", "classification"]
        .iter()
        .filter(|f| approved.get(**f) != now.get(**f))
        .map(|f| t.of("register", f))
        .collect()
}

async fn entry_page(
    st: &AppState,
    u: &CurrentUser,
    jar: &CookieJar,
    id: i64,
    input: Option<(RegisterFields, i64, Vec<gaibu_domain::FieldError>)>,
) -> AppResult<EntryPage> {
    let e = ops::get(st, u, id).await?;
    let page = PageCtx::new(u, jar, &format!("/register/{id}"));
    let t = page.t;
    let tree = org_tree(st).await?;
    let (f, version, errs) = input.unwrap_or_else(|| (ops::fields_of(&e), e.version, vec![]));
    let events = st.store.entity_history("register", e.id).await?;
    let errors = FieldErrors::from(t, &errs);
    let value = |n: &str| -> String {
        serde_json::to_value(&f)
            .ok()
            .and_then(|v| v.get(n).and_then(|x| x.as_str()).map(str::to_string))
            .unwrap_or_default()
    };
    Ok(EntryPage {
        fields: ops::FIELDS
            .iter()
            .map(|n| FieldView {
                name: n,
                label: t.of("register", n),
                value: value(n),
                error: errors.get(n).to_string(),
            })
            .collect(),
        can_edit: u
            .actor
            .has_role_over(Role::InformationSecurityManager, e.org_unit_id, &tree),
        has_errors: !errs.is_empty(),
        history: history_rows(t, &events),
        drift: drift(t, &e, &events),
        t,
        page,
        version,
        e,
    })
}

async fn entry(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(entry_page(&st, &u, &jar, id, None).await?.into_response())
}

async fn update(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    form: FormPairs,
) -> AppResult<Response> {
    let f: RegisterFields = form.to_input(&[])?;
    match ops::update(&st, &u, id, form.version(), &f).await {
        Ok(_) => Ok(Redirect::to(&format!("/register/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let p = entry_page(&st, &u, &jar, id, Some((f, form.version(), errs))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e),
    }
}

struct NotificationView {
    n: NotificationRow,
    text: String,
    at: String,
    link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    t: Tr,
    page: PageCtx,
    items: Vec<NotificationView>,
}

/// Lists the user's notifications, newest first.
async fn notifications(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
) -> AppResult<Response> {
    let page = PageCtx::new(&u, &jar, "/notifications");
    let t = page.t;
    let items = st
        .store
        .notifications(u.user.id, 200)
        .await?
        .into_iter()
        .map(|n| NotificationView {
            text: format!("{}: {}", t.of("notification", n.kind.as_str()), n.subject),
            at: fmt_ms(n.created_at),
            link: match (n.service_id, n.application_id) {
                (Some(s), _) if n.kind == NoticeKind::Designated => format!("/services/{s}"),
                (_, Some(a)) => format!("/applications/{a}"),
                (Some(s), None) => format!("/services/{s}"),
                _ => "/".into(),
            },
            n,
        })
        .collect();
    Ok(NotificationsPage { t, page, items }.into_response())
}

/// Marks everything read: a POST with the CSRF token, never a side effect of a page view.
async fn mark_all_read(State(st): State<AppState>, u: CurrentUser) -> AppResult<Response> {
    st.store.mark_read(u.user.id, None, st.now()).await?;
    Ok(Redirect::to("/notifications").into_response())
}
