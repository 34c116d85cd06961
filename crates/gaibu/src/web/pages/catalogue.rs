//! The catalogue page: search approved services, see whether one may be used for the work at
//! hand, and start an application — or a reuse — when it may not.

use super::{Cx, PageCtx, show};
use crate::catalogue::{self, Entry};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use gaibu_domain::classification::Level;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/catalogue", get(page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CatalogueQuery {
    pub q: String,
    pub level: String,
    /// S1.2: `yes` / `no`, or empty for all.
    pub in_scope: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    t: Tr,
    page: PageCtx,
    q: String,
    level: String,
    levels: Vec<Level>,
    entries: Vec<Entry>,
    searched: bool,
    scope: &'static str,
}

impl CataloguePage {
    fn level_name(&self, e: &Entry) -> String {
        self.t
            .pick(&e.approved_level_ja, &e.approved_level_en)
            .to_string()
    }
}

async fn page(cx: Cx, Query(q): Query<CatalogueQuery>) -> AppResult<Response> {
    crate::error::check_text(&q.q)?;
    let page = cx.page("/catalogue");
    let levels = policies::scheme_in_force(&cx.st).await?.doc.confidentiality;
    let scope = crate::scope::parse(&q.in_scope)?;
    let unit = cx.u.user.org_unit_id;
    let entries = catalogue::search(&cx.st, unit, &q.q, &q.level, scope).await?;
    show(CataloguePage {
        t: page.t,
        page,
        searched: !q.q.trim().is_empty() || !q.level.is_empty() || scope.is_some(),
        scope: crate::scope::as_query(scope),
        q: q.q,
        level: q.level,
        levels,
        entries,
    })
}
