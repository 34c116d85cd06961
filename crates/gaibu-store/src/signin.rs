//! The counters of sign-in throttling (`gaibu_domain::signin`): a row per login and per client
//! address (`sign_in_attempts`), each change one statement, so that parallel attempts each get
//! a count of their own.

use crate::write::{Val, bind_all};
use crate::{Result, Store};
use gaibu_domain::signin::{AddressFailures, LoginAttempts};
use sqlx::Row;
use sqlx::any::AnyRow;

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

impl Store {
    /// Runs one statement of the throttle as a write of its own (on SQLite in the writer's
    /// turn, where SQLite's write lock is free).
    async fn throttle_write(&self, sql: &str, vals: Vec<Val>) -> Result<Option<AnyRow>> {
        let mut tx = self.write_tx().await?;
        let row = bind_all(sqlx::query(sql), vals)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Counts an attempt on a login (`key`) at `now_ms`, before its password is checked, and
    /// answers the attempts before it.
    pub async fn count_sign_in_attempt(&self, key: &str, now_ms: i64) -> Result<LoginAttempts> {
        let row = self
            .throttle_write(
                "INSERT INTO sign_in_attempts (key, attempts, previous_at, last_at, \
                 locked_until, window_start) VALUES ($1, 1, NULL, $2, NULL, $2) \
                 ON CONFLICT (key) DO UPDATE SET attempts = sign_in_attempts.attempts + 1, \
                 previous_at = sign_in_attempts.last_at, last_at = $2 \
                 RETURNING attempts, previous_at, locked_until",
                vec![key.into(), now_ms.into()],
            )
            .await?
            .ok_or_else(|| crate::StoreError::Corrupt("an upsert answered no row".into()))?;
        Ok(LoginAttempts {
            before: count(row.try_get::<i64, _>("attempts")? - 1),
            previous_at_ms: row.try_get("previous_at")?,
            locked_until_ms: row.try_get("locked_until")?,
        })
    }

    /// Locks a login until `until_ms`.
    pub async fn lock_sign_in(&self, key: &str, until_ms: i64) -> Result<()> {
        self.throttle_write(
            "UPDATE sign_in_attempts SET locked_until = $2 WHERE key = $1",
            vec![key.into(), until_ms.into()],
        )
        .await?;
        Ok(())
    }

    /// After a lock has ended: the count starts again with this attempt.
    pub async fn restart_sign_in_count(&self, key: &str) -> Result<()> {
        self.throttle_write(
            "UPDATE sign_in_attempts SET attempts = 1, previous_at = NULL, locked_until = NULL \
             WHERE key = $1",
            vec![key.into()],
        )
        .await?;
        Ok(())
    }

    /// Forgets a login's attempts (a success, or a System Administrator's unlock); answers
    /// whether there were any.
    pub async fn clear_sign_in(&self, key: &str) -> Result<bool> {
        let row = self
            .throttle_write(
                "DELETE FROM sign_in_attempts WHERE key = $1 RETURNING key",
                vec![key.into()],
            )
            .await?;
        Ok(row.is_some())
    }

    /// Whether a login is locked at `now_ms`, and until when.
    pub async fn sign_in_locked_until(&self, key: &str, now_ms: i64) -> Result<Option<i64>> {
        let until: Option<Option<i64>> =
            sqlx::query_scalar("SELECT locked_until FROM sign_in_attempts WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(until.flatten().filter(|u| *u > now_ms))
    }

    /// Of these login keys, those locked at `now_ms`.
    pub async fn locked_sign_ins(&self, keys: &[String], now_ms: i64) -> Result<Vec<String>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = crate::page::Query::new("");
        let params: Vec<String> = keys.iter().map(|k| q.bind(k.as_str())).collect();
        let now = q.bind(now_ms);
        let sql = format!(
            "SELECT key FROM sign_in_attempts WHERE key IN ({}) AND locked_until > {now}",
            params.join(", ")
        );
        let rows = bind_all(sqlx::query(&sql), q.into_vals())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("key"))
            .collect::<Result<_, _>>()?)
    }

    /// A client address's failures in its current window.
    pub async fn address_failures(&self, key: &str) -> Result<Option<AddressFailures>> {
        let row = sqlx::query("SELECT attempts, window_start FROM sign_in_attempts WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(AddressFailures {
                count: count(r.try_get("attempts")?),
                window_start_ms: r.try_get("window_start")?,
            }),
            None => None,
        })
    }

    /// Counts a failure from a client address at `now_ms`; a window that began at or before
    /// `window_over_ms` is over, and the count starts again.
    pub async fn count_address_failure(
        &self,
        key: &str,
        now_ms: i64,
        window_over_ms: i64,
    ) -> Result<()> {
        self.throttle_write(
            "INSERT INTO sign_in_attempts (key, attempts, previous_at, last_at, locked_until, \
             window_start) VALUES ($1, 1, NULL, $2, NULL, $2) \
             ON CONFLICT (key) DO UPDATE SET \
             attempts = CASE WHEN sign_in_attempts.window_start <= $3 THEN 1 \
             ELSE sign_in_attempts.attempts + 1 END, \
             window_start = CASE WHEN sign_in_attempts.window_start <= $3 THEN $2 \
             ELSE sign_in_attempts.window_start END, last_at = $2",
            vec![key.into(), now_ms.into(), window_over_ms.into()],
        )
        .await?;
        Ok(())
    }
}
