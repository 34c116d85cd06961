//! The credentials of gaibu's own users: browser sessions and API tokens.
//!
//! A session ends at its absolute expiry or after being idle; a token at its expiry or when
//! revoked. Both end at once with a password reset or change and with the user's deactivation
//! (`end_all`, in that change's transaction). Only hashes of their secrets are kept.

use crate::write::{Audit, New};
use crate::{ApiTokenRow, Result, Store, StoreError, Who};
use gaibu_domain::audit::{Action, Entity};
use sqlx::{AnyConnection, Row};

/// How many API tokens a user may hold at once (live: neither expired nor revoked). A
/// token's list is therefore short, and `tokens_of` reads at most `TOKENS_LISTED`.
pub const MAX_LIVE_TOKENS: i64 = 20;
/// The newest tokens of a user that are listed, live or not.
pub const TOKENS_LISTED: i64 = 50;

/// A session or token is marked as seen at most this often (a write), so that the idle
/// timeout and "last used" are right to the minute without a write per request.
pub const TOUCH_EVERY_MS: i64 = 60_000;

/// What a touch marks.
#[derive(Debug, Clone, Copy)]
pub enum Touched<'a> {
    Session(&'a str),
    ApiToken(&'a str),
}

/// Ends every session of a user and revokes their live API tokens, in the caller's transaction.
pub(crate) async fn end_all(
    conn: &mut AnyConnection,
    user_id: i64,
    now: jiff::Timestamp,
) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now.as_millisecond())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        now: jiff::Timestamp,
        expires: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(now.as_millisecond())
        .bind(expires.as_millisecond())
        .execute(&self.pool)
        .await?;
        // Ended sessions go as new ones come; no background sweeper is needed. A session idle
        // past any sensible timeout (a day) goes too.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
            .bind(now.as_millisecond())
            .bind(now.as_millisecond() - 86_400_000)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Marks a session or token as seen now (not audited: it changes no record of the
    /// standard's, and happens at most once a minute per credential).
    pub async fn touch_credential(&self, c: Touched<'_>, now: jiff::Timestamp) -> Result<()> {
        let sql = match c {
            Touched::Session(_) => "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
            Touched::ApiToken(_) => "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2",
        };
        let (Touched::Session(hash) | Touched::ApiToken(hash)) = c;
        sqlx::query(sql)
            .bind(now.as_millisecond())
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Creates an API token for `user_id` that lives until `expires`; refused with
    /// `WrongState("too_many_tokens")` when the user holds `MAX_LIVE_TOKENS` live ones.
    pub async fn create_api_token(
        &self,
        who: &Who,
        user_id: i64,
        name: &str,
        token_hash: &str,
        now: jiff::Timestamp,
        expires: jiff::Timestamp,
    ) -> Result<ApiTokenRow> {
        let mut w = self.begin(who, now).await?;
        let cols = vec![
            ("user_id", user_id.into()),
            ("name", name.into()),
            ("token_hash", token_hash.into()),
            ("created_at", now.into()),
            ("expires_at", expires.into()),
        ];
        let row = w
            .create(New {
                table: "api_tokens",
                cols,
                action: Action::ApiTokenCreated,
                entity: Entity::User,
                entity_id: Some(user_id),
                service_id: None,
            })
            .await?;
        // Counted after the insert: the write comes first, as in every write (`write`).
        let live: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(user_id)
        .bind(now.as_millisecond())
        .fetch_one(w.conn())
        .await?
        .try_get("n")?;
        if live > MAX_LIVE_TOKENS {
            // Dropped uncommitted: nothing of it stays.
            return Err(StoreError::WrongState("too_many_tokens".into()));
        }
        w.commit().await?;
        Ok(row)
    }

    /// The newest tokens of a user (at most `TOKENS_LISTED`), newest first.
    pub async fn tokens_of(&self, user_id: i64) -> Result<Vec<ApiTokenRow>> {
        let rows =
            sqlx::query("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY id DESC LIMIT $2")
                .bind(user_id)
                .bind(TOKENS_LISTED)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(<ApiTokenRow as sqlx::FromRow<'_, sqlx::any::AnyRow>>::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Revokes one token of `user_id` (audited). Answers false when it was revoked already;
    /// `NotFound` when the user holds no such token.
    pub async fn revoke_api_token(
        &self,
        who: &Who,
        user_id: i64,
        token_id: i64,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let mut w = self.begin(who, now).await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now.as_millisecond())
        .bind(token_id)
        .bind(user_id)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n == 0 {
            let held = sqlx::query("SELECT id FROM api_tokens WHERE id = $1 AND user_id = $2")
                .bind(token_id)
                .bind(user_id)
                .fetch_optional(w.conn())
                .await?;
            return match held {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound),
            };
        }
        let after = serde_json::json!({ "token_id": token_id }).to_string();
        w.audit(Audit {
            action: Action::ApiTokenRevoked,
            entity: Entity::User,
            entity_id: Some(user_id),
            service_id: None,
            before: None,
            after: Some(after),
        })
        .await?;
        w.commit().await?;
        Ok(true)
    }
}
