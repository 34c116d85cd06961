//! The service usage register (サービス利用状況, S5.2.1-5) and the notifications page.

use super::{Cx, FieldErrors, FormPairs, HistoryRow, PageCtx, answer, history_named, show};
use crate::auth::org_tree;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::lists::RegisterListQuery;
use crate::register as ops;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gaibu_domain::audit::Action;
use gaibu_domain::effects::NoticeKind;
use gaibu_store::lists::register::RegisterSummary;
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
    /// Each entry with its service's scope (S1.2) and suspension (S6.2) joined in.
    rows: Vec<RegisterSummary>,
    f: RegisterListQuery,
    lists: super::lists::ListCtx,
}

async fn list(
    cx: Cx,
    axum::extract::Query(f): axum::extract::Query<RegisterListQuery>,
) -> AppResult<Response> {
    let page = cx.page("/register");
    let t = page.t;
    let lists = super::lists::ListCtx::new(&cx).await?;
    let (rows, lists) = match f.parse(&cx.st, &cx.u).await? {
        Ok((filter, ask)) => {
            let p = cx.st.store.register_page(&filter, &ask).await?;
            let next = p.next_cursor().map(|c| f.url_from("/register", &c));
            (
                p.items,
                lists.paged(next, !f.cursor.is_empty(), f.url("/register")),
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
    })
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
    let Some(created) = events
        .iter()
        .find(|ev| ev.action == Action::RegisterCreated.as_str())
    else {
        return vec![];
    };
    // The audit trail holds what was approved; an event that does not read is no evidence of
    // drift, and is logged rather than guessed at.
    let approved: serde_json::Value =
        match serde_json::from_str(created.after.as_deref().unwrap_or("{}")) {
            Ok(v) => v,
            Err(err) => {
                tracing::warn!(seq = created.seq, %err, "register.created event does not read");
                return vec![];
            }
        };
    let Ok(now) = serde_json::to_value(e) else {
        return vec![];
    };
    ["service_name", "provider_name", "purpose", "classification"]
        .iter()
        .filter(|f| approved.get(**f) != now.get(**f))
        .map(|f| t.of("register", f))
        .collect()
}

async fn entry_page(
    cx: &Cx,
    id: i64,
    input: Option<(RegisterFields, i64, Vec<gaibu_domain::FieldError>)>,
) -> AppResult<EntryPage> {
    let st = &cx.st;
    let tree = org_tree(st).await?;
    let e = ops::get_in(st, &cx.u, id, &tree).await?;
    let page = cx.page(&format!("/register/{id}"));
    let t = page.t;
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
        can_edit: ops::may_edit(&cx.u, &e, &tree),
        has_errors: !errs.is_empty(),
        history: history_named(&cx.st, t, &events).await?,
        drift: drift(t, &e, &events),
        t,
        page,
        version,
        e,
    })
}

async fn entry(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    show(entry_page(&cx, id, None).await?)
}

async fn update(cx: Cx, Path(id): Path<i64>, form: FormPairs) -> AppResult<Response> {
    let f: RegisterFields = form.to_input(&[])?;
    let result = ops::update(&cx.st, &cx.u, id, form.version()?, &f).await;
    answer(
        result,
        |_| format!("/register/{id}"),
        async |why| entry_page(&cx, id, Some((f, form.version()?, why.invalid()?))).await,
    )
    .await
}

struct NotificationView {
    n: NotificationRow,
    text: String,
    at: crate::dates::Stamp,
    link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    t: Tr,
    page: PageCtx,
    items: Vec<NotificationView>,
    next_url: Option<String>,
}

/// Lists the user's notifications, newest first, a page at a time.
async fn notifications(
    cx: Cx,
    axum::extract::Query(q): axum::extract::Query<crate::lists::PageOnly>,
) -> AppResult<Response> {
    let page = cx.page("/notifications");
    let t = page.t;
    let found = cx
        .st
        .store
        .notification_page(cx.u.user.id, false, &q.ask()?)
        .await?;
    let next_url = found
        .next_cursor()
        .map(|c| q.url_from("/notifications", &c));
    let items = found
        .items
        .into_iter()
        .map(|n| NotificationView {
            text: format!("{}: {}", t.of("notification", n.kind.as_str()), n.subject),
            at: t.when(n.created_at),
            link: match (n.service_id, n.application_id) {
                (Some(s), _)
                    if matches!(
                        n.kind,
                        NoticeKind::Designated | NoticeKind::AdministratorChanged
                    ) =>
                {
                    format!("/services/{s}")
                }
                (Some(s), _) if n.kind.as_str().starts_with("termination_") => {
                    format!("/services/{s}/termination")
                }
                (_, Some(a)) => format!("/applications/{a}"),
                (Some(s), None) => format!("/services/{s}"),
                _ => "/".into(),
            },
            n,
        })
        .collect();
    show(NotificationsPage {
        t,
        page,
        items,
        next_url,
    })
}

/// Marks everything read: a POST with the CSRF token, never a side effect of a page view.
async fn mark_all_read(cx: Cx) -> AppResult<Response> {
    cx.st
        .store
        .mark_read(cx.u.user.id, None, cx.st.now())
        .await?;
    Ok(Redirect::to("/notifications").into_response())
}
