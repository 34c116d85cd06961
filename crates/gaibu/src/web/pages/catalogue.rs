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
    /// The page after this cursor (the "next page" link's).
    pub cursor: String,
    /// Entries a page (default 50, at most 200).
    pub limit: Option<i64>,
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
    /// The link to the next page, if there is one.
    next: Option<String>,
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
    let ask = catalogue::Ask {
        q: &q.q,
        level: &q.level,
        scope,
        cursor: &q.cursor,
        limit: q.limit,
    };
    let found = catalogue::search(&cx.st, unit, &ask).await?;
    let next = found.next_cursor.map(|c| {
        let limit = q.limit.map(|l| l.to_string()).unwrap_or_default();
        let mut query = vec![
            ("q", q.q.as_str()),
            ("level", q.level.as_str()),
            ("in_scope", crate::scope::as_query(scope)),
            ("cursor", c.as_str()),
        ];
        if !limit.is_empty() {
            query.push(("limit", &limit));
        }
        let query = serde_urlencoded::to_string(query).unwrap_or_default();
        format!("/catalogue?{query}")
    });
    show(CataloguePage {
        t: page.t,
        page,
        searched: !q.q.trim().is_empty() || !q.level.is_empty() || scope.is_some(),
        scope: crate::scope::as_query(scope),
        q: q.q,
        level: q.level,
        levels,
        entries: found.items,
        next,
    })
}
