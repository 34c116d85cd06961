//! The start page: what is waiting for the signed-in user.

use super::{Cx, PageCtx, fmt_ms, show};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::{applications, policies};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gaibu_domain::application::State;
use gaibu_domain::classification::Track;
use gaibu_domain::policy::PolicyStatus;
use gaibu_store::{ApplicationRow, ServiceRow};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    page: PageCtx,
    drafts: Vec<ApplicationRow>,
    my_services: Vec<ServiceRow>,
    pending_policies: usize,
    missing_policies: Vec<String>,
}

impl HomePage {
    fn when(&self, t: &jiff::Timestamp) -> String {
        fmt_ms(*t)
    }
}

async fn home(cx: Cx) -> AppResult<Response> {
    let (st, u) = (&cx.st, &cx.u);
    if u.user.contractor_id.is_some() {
        return Ok(axum::response::Redirect::to("/contractor").into_response());
    }
    let page = cx.page("/");
    let drafts = applications::list(st, u)
        .await?
        .into_iter()
        .filter(|a| a.state == State::Draft)
        .collect();
    let my_services = st
        .store
        .services()
        .await?
        .into_iter()
        .filter(|s| s.administrator_id == u.user.id)
        .collect();
    let all = policies::list(st).await?;
    let pending_policies = all
        .iter()
        .filter(|p| p.status == PolicyStatus::Pending)
        .count();
    let mut missing_policies = Vec::new();
    for kind in [
        gaibu_domain::policy::KIND_CLASSIFICATION.to_string(),
        gaibu_domain::policy::sheet_kind(Track::Class1),
        gaibu_domain::policy::KIND_ACCOUNT_RULES.to_string(),
    ] {
        if !all
            .iter()
            .any(|p| p.kind == kind && p.status == PolicyStatus::Approved)
        {
            missing_policies.push(page.t.of("policy.kind", &kind));
        }
    }
    show(HomePage {
        t: page.t,
        page,
        drafts,
        my_services,
        pending_policies,
        missing_policies,
    })
}
