//! Policy versions: what is in force, what waits for the CISO, and the approval (S1.3). A
//! CISO loads a version from a file (or pasted text); its page shows what it changes against
//! the version in force before it is approved.

mod changes;
mod upload;

use super::{Cx, FieldErrors, PageCtx, answer, show, user_name};
use crate::audit_denial::refuse;
use crate::dates::Stamp;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policies as ops;
use crate::state::AppState;
use crate::web::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use changes::ChangesView;
use gaibu_domain::policy::{self, PolicyDocument, PolicyStatus};
use gaibu_domain::role::Role;
use gaibu_domain::service_life::{Measure, ServiceLifePolicy};
use gaibu_domain::{FieldError, Refusal};
use gaibu_store::PolicyRow;
use upload::LoadInput;

#[derive(Template, WebTemplate)]
#[template(path = "policies.html")]
struct ListPage {
    t: Tr,
    page: PageCtx,
    rows: Vec<PolicyRow>,
    /// The pasted text, given back after a refusal.
    content: String,
    /// The name of the file that was refused (a file input cannot be filled again).
    file_name: String,
    /// Why the text did not read as a policy (the parser's words, with line and column).
    detail: String,
    errors: FieldErrors,
}

impl ListPage {
    fn when(&self, t: &jiff::Timestamp) -> Stamp {
        self.t.when(t)
    }
    /// "The file chosen: …", naming a refused file.
    fn chosen_file(&self) -> String {
        self.t
            .policies_chosen_file()
            .replace("{name}", &self.file_name)
    }
}

/// What a refused load gives back to the form.
#[derive(Default)]
struct Refused {
    content: String,
    file_name: String,
    detail: String,
    errors: FieldErrors,
}

async fn list_page(cx: &Cx, again: Refused) -> AppResult<ListPage> {
    let page = cx.page("/policies");
    Ok(ListPage {
        t: page.t,
        page,
        rows: ops::list(&cx.st).await?,
        content: again.content,
        file_name: again.file_name,
        detail: again.detail,
        errors: again.errors,
    })
}

async fn list(cx: Cx) -> AppResult<Response> {
    show(list_page(&cx, Refused::default()).await?)
}

/// A CISO loads the city's own version from a file or pasted text; it waits, pending, for
/// approval like any other. A file that is not UTF-8 text or not a policy comes back to the
/// form with the reason at the field.
async fn load(cx: Cx, input: LoadInput) -> AppResult<Response> {
    if !cx.u.has_role(Role::Ciso) {
        let r = Refusal::Forbidden(crate::error::ErrorCode::CisoRequired.as_str());
        let entity = gaibu_domain::audit::Entity::Policy;
        return Err(refuse(&cx.st, &cx.u, r, "policy.load", entity, None).await);
    }
    let (result, field, detail) = match input.source() {
        Ok(src) => {
            let result = ops::load_text(&cx.st, &cx.u.who(), &src.text).await;
            let detail = match &result {
                Err(_) => policy::parse(&src.text).err().map(|e| e.to_string()),
                Ok(_) => None,
            };
            (result, src.field, detail.unwrap_or_default())
        }
        Err(e) => (Err(AppError::Invalid(vec![e])), "", String::new()),
    };
    answer(
        result,
        |(row, _)| format!("/policies/{}", row.id),
        async |why| {
            // The policy's refusal names `content`: it belongs to the field the text came from.
            let errs: Vec<FieldError> = why
                .invalid()?
                .into_iter()
                .map(|mut e| {
                    if e.field == "content" && !field.is_empty() {
                        e.field = field.to_string();
                    }
                    e
                })
                .collect();
            let again = Refused {
                file_name: input.file_name().to_string(),
                content: input.pasted.replace("\r\n", "\n"),
                detail,
                errors: cx.errors(&errs),
            };
            list_page(&cx, again).await
        },
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
    approved_at: Stamp,
    loaded_at: Stamp,
    /// The approve button is shown exactly when the approval would be allowed.
    may_approve: bool,
    /// For a pending version, what it changes against the version in force.
    changes: Option<ChangesView>,
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
    let changes = ops::changes(&cx.st, &p, &doc)
        .await?
        .map(|c| changes::view(page.t, c, &doc));
    let approver = match p.approved_by {
        Some(a) => user_name(&cx.st, a).await,
        None => String::new(),
    };
    show(DetailPage {
        t: page.t,
        page,
        approved_at: cx.t().when(p.approved_at),
        loaded_at: cx.t().when(p.loaded_at),
        approver,
        may_approve: policy::approve(p.status, &cx.u.actor).is_ok(),
        changes,
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
        .route(
            "/policies",
            get(list)
                .post(load)
                .layer(axum::extract::DefaultBodyLimit::max(upload::BODY_LIMIT)),
        )
        .route("/policies/{id}", get(detail))
        .route("/policies/{id}/approve", post(approve))
}
