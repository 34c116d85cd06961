//! The city's LDAP directory (issue 11): its settings (a named value, each change audited),
//! gaibu's users as a sync compares them, and a sync's changes written in one transaction.

use crate::write::{Audit, New, Write};
use crate::{MoveWrite, NewBatch, Result, RotationApplied, Store, StoreError, UserRow, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::directory::{DirectorySettings, KnownUser, Plan};
use sqlx::Row;
use std::collections::HashMap;

const SETTING: &str = "directory";

impl Store {
    /// The directory's settings (`None`: never set).
    pub async fn directory_settings(&self) -> Result<Option<DirectorySettings>> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(SETTING)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some(crate::codec::json(&r, "value")?)),
            None => Ok(None),
        }
    }

    /// Saves the directory's settings, with the settings before and after in the audit trail.
    pub async fn set_directory_settings(
        &self,
        who: &Who,
        s: &DirectorySettings,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        let before: Option<String> = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(SETTING)
            .fetch_optional(w.conn())
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
        let value = crate::codec::to_json(s);
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(SETTING)
        .bind(&value)
        .bind(now.as_millisecond())
        .execute(w.conn())
        .await?;
        w.audit(Audit {
            action: Action::DirectorySettingsChanged,
            entity: Entity::Setting,
            entity_id: None,
            service_id: None,
            before,
            after: Some(value),
        })
        .await?;
        w.commit().await
    }

    /// Every user as a sync compares them, with their org unit's code. A sync compares the
    /// whole city, so this reads every user (a few thousand in a city).
    pub async fn directory_known_users(&self) -> Result<Vec<KnownUser>> {
        let rows = sqlx::query(
            "SELECT u.id, u.login, u.display_name, u.email, o.code, u.position, u.active, \
             u.directory_linked, u.contractor_id \
             FROM users u JOIN org_units o ON o.id = u.org_unit_id ORDER BY u.login",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KnownUser {
                    id: r.try_get("id")?,
                    login: r.try_get("login")?,
                    display_name: r.try_get("display_name")?,
                    email: r.try_get("email")?,
                    unit_code: r.try_get("code")?,
                    position: r.try_get("position")?,
                    active: crate::codec::flag(r, "active")?,
                    linked: crate::codec::flag(r, "directory_linked")?,
                    contractor: r.try_get::<Option<i64>, _>("contractor_id")?.is_some(),
                })
            })
            .collect()
    }

    /// Writes what a sync's dry run showed, in one transaction: the moves and leavers as a
    /// personnel rotation (`rotation`: its batch and writes, as `apply_rotation` takes them;
    /// a leaver is deactivated with their roles ended), the new users (linked, with no
    /// password: they sign in through the city's identity provider) and names and mail, then
    /// one `directory.synced` event with `summary` (and the rotation's batch). `units` gives
    /// the id of each org unit code. A user moved or deactivated meanwhile makes it `Stale`,
    /// and nothing is written.
    pub async fn apply_directory_plan(
        &self,
        who: &Who,
        now: jiff::Timestamp,
        plan: &Plan,
        units: &HashMap<String, i64>,
        rotation: Option<(&NewBatch<'_>, &[MoveWrite<'_>])>,
        mut summary: serde_json::Value,
    ) -> Result<(Vec<UserRow>, Option<RotationApplied>)> {
        let mut w = self.begin(who, now).await?;
        let rotated = match rotation {
            Some((batch, moves)) => Some(crate::rotation::rotation_in(&mut w, batch, moves).await?),
            None => None,
        };
        if let (Some(r), Some(o)) = (&rotated, summary.as_object_mut()) {
            o.insert("rotation_batch".into(), r.batch_id.into());
        }
        let created = write_plan(&mut w, plan, units).await?;
        w.audit(Audit {
            action: Action::DirectorySynced,
            entity: Entity::Setting,
            entity_id: None,
            service_id: None,
            before: None,
            after: Some(summary.to_string()),
        })
        .await?;
        w.commit().await?;
        Ok((created, rotated))
    }
}

async fn write_plan(
    w: &mut Write<'_>,
    plan: &Plan,
    units: &HashMap<String, i64>,
) -> Result<Vec<UserRow>> {
    let now = w.now;
    let mut created = Vec::with_capacity(plan.creates.len());
    for p in &plan.creates {
        let unit = *units.get(&p.unit_code).ok_or(StoreError::NotFound)?;
        let cols = vec![
            ("login", (&p.login).into()),
            ("display_name", (&p.display_name).into()),
            ("email", (&p.email).into()),
            ("org_unit_id", unit.into()),
            ("position", (&p.position).into()),
            ("lang", "ja".into()),
            ("password_hash", crate::write::Val::Text(None)),
            ("created_at", now.into()),
            ("directory_linked", 1i64.into()),
        ];
        let new = New {
            table: "users",
            cols,
            action: Action::UserCreated,
            entity: Entity::User,
            entity_id: None,
            service_id: None,
        };
        created.push(w.create(new).await?);
    }
    for u in &plan.updates {
        let mut sql = String::from("UPDATE users SET directory_linked = 1, ");
        let mut vals: Vec<crate::write::Val> = Vec::new();
        let (mut before, mut after) = (serde_json::Map::new(), serde_json::Map::new());
        for (col, change) in [("display_name", &u.display_name), ("email", &u.email)] {
            if let Some((old, new)) = change {
                vals.push(new.into());
                sql.push_str(&format!("{col} = ${}, ", vals.len()));
                before.insert(col.into(), old.clone().into());
                after.insert(col.into(), new.clone().into());
            }
        }
        if u.link {
            before.insert("directory_linked".into(), false.into());
            after.insert("directory_linked".into(), true.into());
        }
        vals.push(u.user_id.into());
        sql.push_str(&format!(
            "version = version + 1 WHERE id = ${} AND active = 1",
            vals.len()
        ));
        changed_one(w, &sql, vals).await?;
        w.audit(user_event(
            Action::UserDirectoryUpdated,
            u.user_id,
            Some(serde_json::Value::Object(before).to_string()),
            serde_json::Value::Object(after).to_string(),
        ))
        .await?;
    }
    Ok(created)
}

/// Runs an update that must change exactly one user (still active, as the dry run saw them).
async fn changed_one(w: &mut Write<'_>, sql: &str, vals: Vec<crate::write::Val>) -> Result<()> {
    let n = crate::write::bind_all(sqlx::query(sql), vals)
        .execute(w.conn())
        .await?
        .rows_affected();
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

fn user_event(action: Action, user_id: i64, before: Option<String>, after: String) -> Audit {
    Audit {
        action,
        entity: Entity::User,
        entity_id: Some(user_id),
        service_id: None,
        before,
        after: Some(after),
    }
}
