//! The start page: what is waiting for the signed-in user.

use super::{Cx, PageCtx, show};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gaibu_domain::application::State;
use gaibu_domain::classification::Track;
use gaibu_domain::policy::PolicyStatus;
use gaibu_store::lists::applications::{ApplicationFilter, ApplicationSummary};
use gaibu_store::lists::services::{ServiceFilter, ServiceSummary};
use gaibu_store::page::{Page, PageAsk};

/// Rows of each list on the start page.
const HOME_ROWS: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    page: PageCtx,
    drafts: Page<ApplicationSummary>,
    my_services: Page<ServiceSummary>,
    /// The reader's user id, for the link to all the services they administer.
    me: i64,
    pending_policies: usize,
    missing_policies: Vec<String>,
    queue: Vec<super::work_queue::QueueGroup>,
}

impl HomePage {
    fn when(&self, t: &jiff::Timestamp) -> crate::dates::Stamp {
        self.t.when(t)
    }
}

async fn home(cx: Cx) -> AppResult<Response> {
    let (st, u) = (&cx.st, &cx.u);
    if u.user.contractor_id.is_some() {
        return Ok(axum::response::Redirect::to("/contractor").into_response());
    }
    let page = cx.page("/");
    // The first page of each; the heading links to the whole filtered list.
    let first = PageAsk {
        limit: HOME_ROWS,
        ..Default::default()
    };
    let drafts = st
        .store
        .application_page(
            &ApplicationFilter {
                reader_id: u.user.id,
                seen_units: u.actor.units_overseen(),
                state: Some(State::Draft),
                ..Default::default()
            },
            &first,
        )
        .await?;
    let my_services = st
        .store
        .service_page(
            &ServiceFilter {
                administrator: Some(u.user.id),
                ..Default::default()
            },
            &first,
        )
        .await?;
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
    let queue = if u.has_role(gaibu_domain::role::Role::SystemAdministrator) {
        Vec::new()
    } else {
        super::work_queue::queue(st, u, page.t).await?
    };
    show(HomePage {
        queue,
        t: page.t,
        page,
        drafts,
        my_services,
        me: u.user.id,
        pending_policies,
        missing_policies,
    })
}
