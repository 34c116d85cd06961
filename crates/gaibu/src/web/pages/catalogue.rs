//! The catalogue page: search approved services, see whether one may be used for the work at
//! hand, and start an application — or a reuse — when it may not.

use super::PageCtx;
use crate::auth::CurrentUser;
use crate::catalogue::{self, Entry};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policies;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
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
}

impl CataloguePage {
    fn level_name(&self, e: &Entry) -> String {
        self.t
            .pick(&e.approved_level_ja, &e.approved_level_en)
            .to_string()
    }
}

async fn page(
    State(st): State<AppState>,
    u: CurrentUser,
    jar: CookieJar,
    Query(q): Query<CatalogueQuery>,
) -> AppResult<Response> {
    crate::error::check_text(&q.q)?;
    let page = PageCtx::new(&u, &jar, "/catalogue");
    let levels = policies::scheme_in_force(&st).await?.doc.confidentiality;
    let entries = catalogue::search(&st, u.user.org_unit_id, &q.q, &q.level).await?;
    Ok(CataloguePage {
        t: page.t,
        page,
        searched: !q.q.trim().is_empty() || !q.level.is_empty(),
        q: q.q,
        level: q.level,
        levels,
        entries,
    }
    .into_response())
}
