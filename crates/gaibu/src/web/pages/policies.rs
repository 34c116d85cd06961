//! Policy versions: what is in force, what waits for the CISO, and the approval (S1.3).

use super::{Cx, FieldErrors, FormPairs, PageCtx, answer, fmt_ms, show, user_name};
use crate::audit_denial::refuse;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies as ops;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_domain::Refusal;
use gaibu_domain::policy::{self, PolicyDocument, PolicyStatus};
use gaibu_domain::role::Role;
use gaibu_domain::service_life::{Measure, ServiceLifePolicy};
use gaibu_store::PolicyRow;

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

async fn list_page(cx: &Cx, content: String, errors: FieldErrors) -> AppResult<ListPage> {
    let page = cx.page("/policies");
    Ok(ListPage {
        t: page.t,
        page,
        rows: ops::list(&cx.st).await?,
        content,
        errors,
    })
}

async fn list(cx: Cx) -> AppResult<Response> {
    show(list_page(&cx, String::new(), FieldErrors::default()).await?)
}

/// A CISO loads the city's own version; it waits, pending, for approval like any other.
async fn load(cx: Cx, form: FormPairs) -> AppResult<Response> {
    if !cx.u.has_role(Role::Ciso) {
        let r = Refusal::Forbidden(crate::error::ErrorCode::CisoRequired.as_str());
        let entity = gaibu_domain::audit::Entity::Policy;
        return Err(refuse(&cx.st, &cx.u, r, "policy.load", entity, None).await);
    }
    let content = form.get("content").replace("\r\n", "\n");
    let result = ops::load_text(&cx.st, &cx.u.who(), &content).await;
    answer(
        result,
        |(row, _)| format!("/policies/{}", row.id),
        async |why| list_page(&cx, content, cx.errors(&why.invalid()?)).await,
    )
    .await
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
    /// The approve button is shown exactly when the approval would be allowed.
    may_approve: bool,
}

impl DetailPage {
    /// The three checklists of a service-life policy, each with its heading.
    fn measure_lists<'a>(&self, p: &'a ServiceLifePolicy) -> [(String, &'a [Measure]); 3] {
        let t = self.t;
        [
            (t.policies_build_measures().to_string(), &p.build),
            (t.policies_operation_measures().to_string(), &p.operation),
            (t.policies_end_of_use_measures().to_string(), &p.end_of_use),
        ]
    }
}

async fn detail(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    let (p, doc) = ops::get(&cx.st, id).await?;
    let page = cx.page(&format!("/policies/{id}"));
    let approver = match p.approved_by {
        Some(a) => user_name(&cx.st, a).await,
        None => String::new(),
    };
    show(DetailPage {
        t: page.t,
        page,
        approved_at: p.approved_at.map(fmt_ms).unwrap_or_default(),
        loaded_at: fmt_ms(p.loaded_at),
        approver,
        may_approve: policy::approve(p.status, &cx.u.actor).is_ok(),
        p,
        doc,
    })
}

async fn approve(cx: Cx, Path(id): Path<i64>) -> AppResult<Response> {
    ops::approve(&cx.st, &cx.u, id).await?;
    Ok(Redirect::to(&format!("/policies/{id}")).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list).post(load))
        .route("/policies/{id}", get(detail))
        .route("/policies/{id}/approve", post(approve))
}
