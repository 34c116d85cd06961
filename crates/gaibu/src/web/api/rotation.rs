//! The personnel rotation through the API (issue 11): a list of moves previewed and applied by
//! the System Administrator; the services awaiting a successor administrator and their
//! designation in bulk (S3.4c, S5.2.1-5h); the leavers' official accounts (S3.5.1a).

use super::extract::{Caller, OnRecord, Sent, routes_of};
use super::model::{Paged, Track};
use super::{Forbidden, Refusals};
use crate::error::AppResult;
use crate::people::require_system_administrator;
use crate::rotation::successors::{self, SuccessorsInput};
use crate::rotation::view::{MoveView, views};
use crate::state::AppState;
use axum::Json;
use gaibu_domain::rotation::Move;
use gaibu_store::NewBatch;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(preview; apply; awaiting, designate; leaver_accounts; hand_over)
}

/// A list of moves: each a login, the new unit's code (or name) and position, the date, and
/// whether the person leaves the city.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct MovesInput {
    pub moves: Vec<Move>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewAnswer {
    /// Whether the list may be applied (every move is good).
    pub clean: bool,
    pub moves: Vec<MoveView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedAnswer {
    pub batch_id: i64,
    /// Moves made now (dated today or before).
    pub applied: usize,
    /// Moves dated later, applied by the scheduler on their date.
    pub scheduled: usize,
}

/// What a list of moves would change: per move the post now and after, the roles that end and
/// begin, the services and applications whose administrator, applicant or approver it is, and
/// the official accounts of the post; or its errors. Nothing is written.
#[utoipa::path(post, path = "/api/v1/rotation/moves/preview", tag = "rotation",
    request_body = MovesInput, responses((status = 200, body = PreviewAnswer), Refusals))]
async fn preview(c: Sent<MovesInput>) -> AppResult<Json<PreviewAnswer>> {
    require_system_administrator(&c.st, &c.u, "rotation.preview").await?;
    let p = crate::rotation::preview(&c.st, &c.body.moves, c.st.today()).await?;
    let units = crate::auth::org_units(&c.st).await?;
    let t = crate::i18n::Tr::new(crate::i18n::Lang::parse(&c.u.user.lang).unwrap_or_default());
    Ok(Json(PreviewAnswer {
        clean: p.is_clean(),
        moves: views(t, &units, &p, None),
    }))
}

/// Applies the list in one transaction, every change audited; a list with any error applies
/// nothing (422, each error named `moves[i].field`).
#[utoipa::path(post, path = "/api/v1/rotation/moves/apply", tag = "rotation",
    request_body = MovesInput, responses((status = 200, body = AppliedAnswer), Refusals))]
async fn apply(c: Sent<MovesInput>) -> AppResult<Json<AppliedAnswer>> {
    require_system_administrator(&c.st, &c.u, "rotation.apply").await?;
    let batch = NewBatch {
        source: "api",
        ..Default::default()
    };
    let done =
        crate::rotation::apply_batch(&c.st, &c.u.who(), &c.body.moves, &batch, c.st.now()).await?;
    Ok(Json(AppliedAnswer {
        batch_id: done.batch_id,
        applied: done.applied,
        scheduled: done.scheduled,
    }))
}

/// A service awaiting a successor administrator.
#[derive(Debug, Serialize, ToSchema)]
pub struct Awaiting {
    pub id: i64,
    pub name: String,
    pub org_unit_id: i64,
    pub track: Track,
    pub version: i64,
    pub administrator_id: i64,
    pub administrator_name: String,
    /// False: the administrator left, the service has none.
    pub administrator_active: bool,
}

/// The services awaiting a successor that the caller designates (the ISM: class 2+ of their
/// units; the Information Managers etc.: class 1 of theirs; the CISO and the System
/// Administrator see all).
#[utoipa::path(get, path = "/api/v1/rotation/successors", tag = "rotation",
    params(crate::lists::PageOnly), responses((status = 200, body = Paged<Awaiting>)))]
async fn awaiting(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::PageOnly>,
) -> AppResult<Json<Paged<Awaiting>>> {
    let page = successors::awaiting(&c.st, &c.u, &q.ask()?).await?;
    Ok(Json(Paged {
        next_cursor: page.next_cursor(),
        items: page
            .items
            .into_iter()
            .map(|r| Awaiting {
                id: r.id,
                name: r.name,
                org_unit_id: r.org_unit_id,
                track: match r.track {
                    gaibu_domain::classification::Track::Class1 => Track::Class1,
                    gaibu_domain::classification::Track::Class2Plus => Track::Class2Plus,
                },
                version: r.version,
                administrator_id: r.administrator_id,
                administrator_name: r.administrator_name,
                administrator_active: r.administrator_active,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Designated {
    pub designated: usize,
}

/// Designates several successors at once (all or none), each with the usage register's ク.
/// Choosing the current administrator keeps them in their new post.
#[utoipa::path(post, path = "/api/v1/rotation/successors", tag = "rotation",
    request_body = SuccessorsInput, responses((status = 200, body = Designated), Refusals))]
async fn designate(c: Sent<SuccessorsInput>) -> AppResult<Json<Designated>> {
    let designated = successors::designate(&c.st, &c.u, &c.body).await?;
    Ok(Json(Designated { designated }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeaverAccount {
    /// The listing's id (to hand the account over).
    pub id: i64,
    pub account_id: i64,
    pub account_code: String,
    pub service_id: i64,
    pub service_name: String,
    pub holder_org_unit_id: i64,
    pub holder_position: String,
    pub leaver_name: String,
}

/// Leavers' official accounts still to close (on the service's accounts) or hand over.
#[utoipa::path(get, path = "/api/v1/rotation/leaver-accounts", tag = "rotation",
    params(crate::lists::PageOnly), responses((status = 200, body = Paged<LeaverAccount>)))]
async fn leaver_accounts(
    c: Caller,
    super::extract::ApiQuery(q): super::extract::ApiQuery<crate::lists::PageOnly>,
) -> AppResult<Json<Paged<LeaverAccount>>> {
    let page = successors::leaver_accounts(&c.st, &c.u, &q.ask()?).await?;
    Ok(Json(Paged {
        next_cursor: page.next_cursor(),
        items: page
            .items
            .into_iter()
            .map(|r| LeaverAccount {
                id: r.id,
                account_id: r.account_id,
                account_code: r.account_code,
                service_id: r.service_id,
                service_name: r.service_name,
                holder_org_unit_id: r.holder_org_unit_id,
                holder_position: r.holder_position,
                leaver_name: r.leaver_name,
            })
            .collect(),
    }))
}

/// Records that a leaver's account passed to the post's successor (its service's administrator
/// or the ISM over it); it is no longer listed.
#[utoipa::path(post, path = "/api/v1/rotation/leaver-accounts/{id}/hand-over", tag = "rotation",
    params(("id" = i64, Path)), responses((status = 204), Forbidden))]
async fn hand_over(c: OnRecord) -> AppResult<axum::http::StatusCode> {
    successors::hand_over(&c.st, &c.u, c.id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
