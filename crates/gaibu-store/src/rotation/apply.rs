//! Applying moves of the personnel rotation (issue 11): users moved or deactivated, their
//! role assignments ended and begun, the services that need a successor marked, the post's
//! accounts listed for a leaver — each audited, in the caller's write.

use super::{MoveWrite, NewBatch, RotationApplied, RotationMoveRow};
use crate::write::{Audit, Val, Write, bind_all};
use crate::{Result, StoreError};
use gaibu_domain::audit::{Action, Entity};
use serde_json::json;
use sqlx::Row;

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
pub(super) async fn claim(
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
pub(super) async fn apply_in(
    w: &mut Write<'_>,
    id: i64,
    batch_id: i64,
    mw: &MoveWrite<'_>,
) -> Result<()> {
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
