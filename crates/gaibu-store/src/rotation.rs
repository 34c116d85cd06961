//! The personnel rotation (人事異動, issue 11): what a list of moves touches, read for the people
//! it names; the moves applied — users moved, roles ended and begun, services left awaiting a
//! successor, a leaver's accounts listed — in one transaction with every change audited; moves
//! dated later kept for the scheduler. Nothing is decided here (`gaibu_domain::rotation`).

use crate::codec::{decode_rows, to_json};
use crate::page::{Key, Page, PageAsk, Query, SortBy, subtree_sql};
use crate::write::{Audit, Val, Write, bind_all};
use crate::{Result, Store, StoreError, UserRow, Who};
use gaibu_domain::application::State;
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::classification::Track;
use gaibu_domain::rotation::{AccountLink, ApplicationLink, Move, Planned, ServiceLink};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

mod successors;
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

/// `Store::apply_rotation` inside a write of the caller's: the directory's sync (issue 11)
/// applies its moves and leavers in the same transaction as its new users (agreed between
/// the rotation and the directory; the rotation's own apply is this in a write of its own).
pub(crate) async fn rotation_in(
    w: &mut Write<'_>,
    batch: &NewBatch<'_>,
    moves: &[MoveWrite<'_>],
) -> Result<RotationApplied> {
    let batch_id: i64 = sqlx::query(
        "INSERT INTO rotation_batches (source, file_name, sha256, move_count, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(batch.source)
    .bind(batch.file_name)
    .bind(batch.sha256)
    .bind(i64::try_from(moves.len()).unwrap_or(i64::MAX))
    .bind(w.who.user_id)
    .bind(w.now.as_millisecond())
    .fetch_one(w.conn())
    .await?
    .try_get("id")?;
    let mut done = RotationApplied {
        batch_id,
        ..Default::default()
    };
    for mw in moves.iter().filter(|mw| !mw.p.unchanged) {
        let state = if mw.p.scheduled { "pending" } else { "applied" };
        let id: i64 = sqlx::query(
            "INSERT INTO rotation_moves (batch_id, user_id, login, org_unit_code, position, \
             effective_on, leaves, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(batch_id)
        .bind(mw.p.user)
        .bind(mw.m.login.trim())
        .bind(mw.unit_code.as_str())
        .bind(mw.p.to_position.as_str())
        .bind(mw.m.effective_on.to_string())
        .bind(i64::from(mw.m.leaves))
        .bind(state)
        .bind(w.who.user_id)
        .bind(w.now.as_millisecond())
        .fetch_one(w.conn())
        .await?
        .try_get("id")?;
        if mw.p.scheduled {
            w.audit(Audit {
                action: Action::RotationScheduled,
                entity: Entity::RotationMove,
                entity_id: Some(id),
                service_id: None,
                before: None,
                after: Some(move_json(id, batch_id, mw)),
            })
            .await?;
            done.scheduled += 1;
        } else {
            apply_in(w, id, batch_id, mw).await?;
            done.applied += 1;
        }
    }
    Ok(done)
}

/// Takes a pending move for `state`, if nobody has since.
async fn claim(
    w: &mut Write<'_>,
    row: &RotationMoveRow,
    state: &str,
    failure: Option<&str>,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE rotation_moves SET state = $1, failure = $2, version = version + 1 \
         WHERE id = $3 AND state = 'pending' AND version = $4",
    )
    .bind(state)
    .bind(failure)
    .bind(row.id)
    .bind(row.version)
    .execute(w.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

fn move_json(id: i64, batch_id: i64, mw: &MoveWrite<'_>) -> String {
    json!({
        "rotation_move": id,
        "batch": batch_id,
        "login": mw.m.login.trim(),
        "org_unit_code": mw.unit_code,
        "position": mw.p.to_position,
        "effective_on": mw.m.effective_on.to_string(),
        "leaves": mw.m.leaves,
    })
    .to_string()
}

/// One move's changes inside the write, each audited: the user (moved, or deactivated with
/// their sessions and tokens ended), the roles of the post ended, the roles of the new one
/// begun, the services they administered left awaiting a successor, a leaver's accounts listed.
async fn apply_in(w: &mut Write<'_>, id: i64, batch_id: i64, mw: &MoveWrite<'_>) -> Result<()> {
    let (p, now) = (mw.p, w.now);
    let mut set = vec![
        ("org_unit_id", Val::from(p.to_unit.unwrap_or(p.from_unit))),
        ("position", p.to_position.as_str().into()),
    ];
    if p.leaves {
        set.push(("active", 0i64.into()));
        set.push(("deactivated_at", now.into()));
    }
    let mut sql = String::from("UPDATE users SET ");
    let mut vals = Vec::new();
    for (col, v) in set {
        vals.push(v);
        sql.push_str(&format!("{col} = ${}, ", vals.len()));
    }
    vals.extend([
        p.user.into(),
        p.from_unit.into(),
        p.from_position.as_str().into(),
    ]);
    let n = vals.len();
    sql.push_str(&format!(
        "version = version + 1 WHERE id = ${} AND org_unit_id = ${} AND position = ${} \
         AND active = 1",
        n - 2,
        n - 1,
        n
    ));
    // Someone moved or deactivated them since the plan was made: the plan is not this.
    if bind_all(sqlx::query(&sql), vals)
        .execute(w.conn())
        .await?
        .rows_affected()
        != 1
    {
        return Err(StoreError::Stale);
    }
    if p.leaves {
        crate::credentials::end_all(w.conn(), p.user, now).await?;
    }
    let awaiting: Vec<i64> = p
        .services
        .iter()
        .filter(|(_, c)| *c == gaibu_domain::rotation::Concern::Administrator)
        .map(|(s, _)| *s)
        .collect();
    let action = if p.leaves {
        Action::UserDeactivated
    } else {
        Action::UserMoved
    };
    w.audit(Audit {
        action,
        entity: Entity::User,
        entity_id: Some(p.user),
        service_id: None,
        before: Some(
            json!({ "org_unit_id": p.from_unit, "position": p.from_position }).to_string(),
        ),
        after: Some(
            json!({
                "org_unit_id": p.to_unit,
                "position": p.to_position,
                "leaves": p.leaves,
                "effective_on": p.effective_on.to_string(),
                "rotation_move": id,
                "batch": batch_id,
                "awaiting_successor": awaiting,
                "accounts": p.accounts,
            })
            .to_string(),
        ),
    })
    .await?;
    for r in &p.roles_ended {
        let gone = sqlx::query("DELETE FROM role_assignments WHERE id = $1 AND user_id = $2")
            .bind(r.id)
            .bind(p.user)
            .execute(w.conn())
            .await?
            .rows_affected();
        if gone != 1 {
            return Err(StoreError::Stale);
        }
        w.audit(role_event(
            Action::RoleEnded,
            p.user,
            id,
            r.role,
            r.org_unit,
        ))
        .await?;
    }
    for r in &p.roles_added {
        sqlx::query(
            "INSERT INTO role_assignments (user_id, role, org_unit_id, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(p.user)
        .bind(r.role.as_str())
        .bind(r.org_unit)
        .bind(now.as_millisecond())
        .execute(w.conn())
        .await
        .map_err(crate::map_unique)?;
        w.audit(role_event(
            Action::RoleAssigned,
            p.user,
            id,
            r.role,
            r.org_unit,
        ))
        .await?;
    }
    for s in awaiting {
        sqlx::query(
            "INSERT INTO successor_needed (service_id, move_id, previous_administrator_id, \
             opened_at) SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM successor_needed \
             WHERE service_id = $5 AND closed_at IS NULL)",
        )
        .bind(s)
        .bind(id)
        .bind(p.user)
        .bind(now.as_millisecond())
        .bind(s)
        .execute(w.conn())
        .await?;
    }
    for (account, service) in &mw.accounts {
        sqlx::query(
            "INSERT INTO leaver_accounts (move_id, account_id, service_id, opened_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(*account)
        .bind(*service)
        .bind(now.as_millisecond())
        .execute(w.conn())
        .await?;
    }
    sqlx::query(
        "UPDATE rotation_moves SET from_org_unit_id = $1, from_position = $2, \
         to_org_unit_id = $3, applied_at = $4 WHERE id = $5",
    )
    .bind(p.from_unit)
    .bind(p.from_position.as_str())
    .bind(p.to_unit)
    .bind(now.as_millisecond())
    .bind(id)
    .execute(w.conn())
    .await?;
    Ok(())
}

fn role_event(
    action: Action,
    user: i64,
    move_id: i64,
    role: gaibu_domain::role::Role,
    unit: i64,
) -> Audit {
    let role = json!({ "role": role.as_str(), "org_unit_id": unit, "rotation_move": move_id });
    let (before, after) = match action {
        Action::RoleEnded => (Some(role.to_string()), None),
        _ => (None, Some(role.to_string())),
    };
    Audit {
        action,
        entity: Entity::User,
        entity_id: Some(user),
        service_id: None,
        before,
        after,
    }
}
