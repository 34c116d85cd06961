//! The personnel rotation (人事異動, issue 11): what a list of moves touches, read for the people
//! it names; the moves applied — users moved, roles ended and begun, services left awaiting a
//! successor, a leaver's accounts listed — in one transaction with every change audited; moves
//! dated later kept for the scheduler. Nothing is decided here (`gaibu_domain::rotation`).

use crate::codec::{decode_rows, to_json};
use crate::page::{Key, Page, PageAsk, Query, SortBy, subtree_sql};
use crate::write::{Audit, bind_all};
use crate::{Result, Store, UserRow, Who};
use gaibu_domain::application::State;
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::classification::Track;
use gaibu_domain::rotation::{AccountLink, ApplicationLink, Move, Planned, ServiceLink};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

mod apply;
mod successors;
pub(crate) use apply::rotation_in;
use apply::{apply_in, claim};
pub use successors::{AwaitingRow, LeaverAccountRow, SuccessorFilter, SuccessorStep};

/// A move as kept: waiting for its day (`pending`), done (`applied`) or not possible when its
/// day came (`failed`, with the reason's code).
#[derive(Debug, Clone, Serialize)]
pub struct RotationMoveRow {
    pub id: i64,
    pub batch_id: i64,
    pub user_id: i64,
    pub login: String,
    pub org_unit_code: String,
    pub position: String,
    pub effective_on: Date,
    pub leaves: bool,
    pub state: String,
    pub from_org_unit_id: Option<i64>,
    pub from_position: Option<String>,
    pub to_org_unit_id: Option<i64>,
    pub applied_at: Option<Timestamp>,
    pub failure: Option<String>,
    pub created_at: Timestamp,
    pub version: i64,
}

decode_rows! {
    RotationMoveRow {
        id: get, batch_id: get, user_id: get, login: get, org_unit_code: get, position: get,
        effective_on: date, leaves: flag, state: get, from_org_unit_id: get, from_position: get,
        to_org_unit_id: get, applied_at: opt_ts, failure: get, created_at: ts, version: get,
    }
}

impl RotationMoveRow {
    /// The move as the plan reads it again on its day.
    pub fn as_move(&self) -> Move {
        Move {
            login: self.login.clone(),
            org_unit: self.org_unit_code.clone(),
            position: self.position.clone(),
            effective_on: self.effective_on,
            leaves: self.leaves,
        }
    }
}

/// Where a list of moves came from: `file`, `directory` or `api`, and the file's name and hash.
#[derive(Debug, Clone, Default)]
pub struct NewBatch<'a> {
    pub source: &'a str,
    pub file_name: Option<&'a str>,
    pub sha256: Option<&'a str>,
}

/// A good move with its plan, and for a leaver the accounts of their post with their services.
#[derive(Debug, Clone)]
pub struct MoveWrite<'a> {
    pub m: &'a Move,
    /// The unit's code as the move is kept (empty for a leaver).
    pub unit_code: String,
    pub p: &'a Planned,
    pub accounts: Vec<(i64, i64)>,
}

/// What an apply did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RotationApplied {
    pub batch_id: i64,
    pub applied: usize,
    pub scheduled: usize,
}

const CHUNK: usize = 500;

impl Store {
    /// Users by login (those a list names), in chunks the databases' parameter limits allow.
    pub async fn users_by_logins(&self, logins: &[String]) -> Result<Vec<UserRow>> {
        let mut out = Vec::new();
        for chunk in logins.chunks(CHUNK) {
            let mut q = Query::new("");
            let ps: Vec<String> = chunk.iter().map(|l| q.bind(l.as_str())).collect();
            let sql = format!("SELECT * FROM users WHERE login IN ({})", ps.join(", "));
            out.extend(self.list::<UserRow>(&sql, q.into_vals()).await?);
        }
        Ok(out)
    }

    /// The services in use (not retired) that some users administer, applied for or approved.
    pub async fn services_of_people(&self, ids: &[i64]) -> Result<Vec<ServiceLink>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK / 3) {
            let mut q = Query::new("");
            let a = q.ids(chunk);
            let b = q.ids(chunk);
            let c = q.ids(chunk);
            let sql = format!(
                "SELECT s.id, s.org_unit_id, s.track, s.administrator_id, a.applicant_id, \
                 a.approved_by FROM services s JOIN applications a ON a.id = s.application_id \
                 WHERE COALESCE(s.ledger_status, '') <> 'retired' AND (s.administrator_id IN {a} \
                 OR a.applicant_id IN {b} OR a.approved_by IN {c}) ORDER BY s.id"
            );
            let rows = bind_all(sqlx::query(&sql), q.into_vals())
                .fetch_all(&self.pool)
                .await?;
            for r in rows {
                let id: i64 = r.try_get("id")?;
                if out.iter().any(|s: &ServiceLink| s.id == id) {
                    continue;
                }
                out.push(ServiceLink {
                    id,
                    org_unit: r.try_get("org_unit_id")?,
                    track: crate::codec::named(&r, "track", Track::parse)?,
                    administrator: r.try_get("administrator_id")?,
                    applicant: r.try_get("applicant_id")?,
                    approver: r.try_get("approved_by")?,
                });
            }
        }
        Ok(out)
    }

    /// Applications not yet decided that some users made, or that are for some units (and
    /// the units below them), whose deciders a move may take away.
    pub async fn open_applications_for(
        &self,
        applicants: &[i64],
        units: &[i64],
    ) -> Result<Vec<ApplicationLink>> {
        let mut q = Query::new("");
        let people = q.ids(applicants);
        let roots = q.ids(units);
        let sql = format!(
            "SELECT id, org_unit_id, track, state, applicant_id FROM applications \
             WHERE state IN ('draft', 'submitted', 'returned') AND (applicant_id IN {people} \
             OR org_unit_id IN ({})) ORDER BY id",
            subtree_sql(&roots)
        );
        let rows = bind_all(sqlx::query(&sql), q.into_vals())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ApplicationLink {
                    id: r.try_get("id")?,
                    org_unit: r.try_get("org_unit_id")?,
                    track: crate::codec::named(r, "track", Track::parse)?,
                    state: crate::codec::named(r, "state", State::parse)?,
                    applicant: r.try_get("applicant_id")?,
                })
            })
            .collect()
    }

    /// The active official accounts held by posts of some units.
    pub async fn active_accounts_of_units(&self, units: &[i64]) -> Result<Vec<AccountLink>> {
        let mut q = Query::new("");
        let list = q.ids(units);
        let sql = format!(
            "SELECT id, service_id, holder_org_unit_id, holder_position FROM accounts \
             WHERE status = 'active' AND holder_org_unit_id IN {list} ORDER BY id"
        );
        let rows = bind_all(sqlx::query(&sql), q.into_vals())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountLink {
                    id: r.try_get("id")?,
                    service_id: r.try_get("service_id")?,
                    holder_org_unit: r.try_get("holder_org_unit_id")?,
                    holder_position: r.try_get("holder_position")?,
                })
            })
            .collect()
    }

    /// The names and tracks of some services.
    pub async fn service_names(&self, ids: &[i64]) -> Result<Vec<(i64, String, Track)>> {
        let rows = self
            .by_ids("SELECT id, name, track FROM services", ids)
            .await?;
        rows.iter()
            .map(|r| {
                let track = crate::codec::named(r, "track", Track::parse)?;
                Ok((r.try_get("id")?, r.try_get("name")?, track))
            })
            .collect()
    }

    /// The service names of some applications.
    pub async fn application_names(&self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        let sql = "SELECT id, service_name AS name FROM applications";
        let rows = self.by_ids(sql, ids).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect()
    }

    /// The ids at the provider of some official accounts.
    pub async fn account_codes(&self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        let sql = "SELECT id, account_id AS name FROM accounts";
        let rows = self.by_ids(sql, ids).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect()
    }

    async fn by_ids(&self, select: &str, ids: &[i64]) -> Result<Vec<sqlx::any::AnyRow>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let mut q = Query::new("");
            let list = q.ids(chunk);
            let sql = format!("{select} WHERE id IN {list} ORDER BY id");
            out.extend(
                bind_all(sqlx::query(&sql), q.into_vals())
                    .fetch_all(&self.pool)
                    .await?,
            );
        }
        Ok(out)
    }

    /// The logins among `ids` with a move waiting for its day.
    pub async fn pending_move_logins(&self, ids: &[i64]) -> Result<Vec<String>> {
        let mut q = Query::new("");
        let list = q.ids(ids);
        let sql = format!(
            "SELECT login FROM rotation_moves WHERE state = 'pending' AND user_id IN {list}"
        );
        let rows = bind_all(sqlx::query(&sql), q.into_vals())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("login")?)).collect()
    }

    /// Applies a list of good moves in one transaction: those of today (or before) at once,
    /// those dated later kept for their day.
    pub async fn apply_rotation(
        &self,
        who: &Who,
        batch: &NewBatch<'_>,
        moves: &[MoveWrite<'_>],
        now: Timestamp,
    ) -> Result<RotationApplied> {
        let mut w = self.begin(who, now).await?;
        let done = rotation_in(&mut w, batch, moves).await?;
        w.commit().await?;
        Ok(done)
    }

    /// The moves waiting for a day on or before `today`, oldest day first.
    pub async fn due_moves(&self, today: Date) -> Result<Vec<RotationMoveRow>> {
        self.list(
            "SELECT * FROM rotation_moves WHERE state = 'pending' AND effective_on <= $1 \
             ORDER BY effective_on, id",
            vec![today.into()],
        )
        .await
    }

    /// Applies scheduled moves on their day, in one transaction: each good one as a move of
    /// today, each that can no longer be made marked failed with why. A move another instance
    /// took first is left alone.
    pub async fn apply_scheduled(
        &self,
        who: &Who,
        good: &[(&RotationMoveRow, MoveWrite<'_>)],
        failed: &[(&RotationMoveRow, String)],
        now: Timestamp,
    ) -> Result<usize> {
        let mut w = self.begin(who, now).await?;
        let mut n = 0;
        for (row, code) in failed {
            if claim(&mut w, row, "failed", Some(code)).await? {
                w.audit(Audit {
                    action: Action::RotationFailed,
                    entity: Entity::RotationMove,
                    entity_id: Some(row.id),
                    service_id: None,
                    before: Some(to_json(row)),
                    after: Some(json!({ "failure": code }).to_string()),
                })
                .await?;
            }
        }
        for (row, mw) in good {
            if claim(&mut w, row, "applied", None).await? {
                apply_in(&mut w, row.id, row.batch_id, mw).await?;
                n += 1;
            }
        }
        w.commit().await?;
        Ok(n)
    }

    /// The moves of the rotation, newest first, a page at a time (`state` filters).
    pub async fn rotation_move_page(
        &self,
        state: Option<&str>,
        ask: &PageAsk,
    ) -> Result<Page<RotationMoveRow>> {
        let mut q = Query::new("SELECT * FROM rotation_moves");
        if let Some(s) = state {
            let p = q.bind(s);
            q.and(format!("state = {p}"));
        }
        self.page(q, "id", MOVE_SORTS, ask).await
    }
}

pub const MOVE_SORTS: &[SortBy<RotationMoveRow>] = &[
    SortBy {
        name: "id",
        expr: "id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "effective_on",
        expr: "effective_on",
        key: |r| Key::Text(r.effective_on.to_string()),
    },
];
