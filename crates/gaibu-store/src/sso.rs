//! Sign-in through the city's OpenID provider: the requests between gaibu and the provider,
//! and whether a password signs a user in at all (`gaibu::sso` holds the protocol).

use crate::write::Audit;
use crate::{Result, Store, StoreError, Who};
use gaibu_domain::audit::{Action, Entity};
use sqlx::Row;

/// A sign-in sent to the provider, as kept until it comes back.
#[derive(Debug, Clone)]
pub struct SsoRequest {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
}

impl Store {
    /// Keeps a request under its token's hash until `expires` (and drops the expired ones).
    pub async fn create_sso_request(
        &self,
        token_hash: &str,
        r: &SsoRequest,
        expires: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query("DELETE FROM sso_requests WHERE expires_at < $1")
            .bind(now.as_millisecond())
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sso_requests (token_hash, state, nonce, pkce_verifier, next_path, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(&r.state)
        .bind(&r.nonce)
        .bind(&r.pkce_verifier)
        .bind(&r.next_path)
        .bind(expires.as_millisecond())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes a request (it is used once) while it lasts.
    pub async fn take_sso_request(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<SsoRequest>> {
        let row = sqlx::query(
            "SELECT state, nonce, pkce_verifier, next_path, expires_at FROM sso_requests \
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let n = sqlx::query("DELETE FROM sso_requests WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let expires: i64 = r.try_get("expires_at")?;
        if n == 0 || expires <= now.as_millisecond() {
            return Ok(None);
        }
        Ok(Some(SsoRequest {
            state: r.try_get("state")?,
            nonce: r.try_get("nonce")?,
            pkce_verifier: r.try_get("pkce_verifier")?,
            next_path: r.try_get("next_path")?,
        }))
    }

    /// Whether a password signs the user in (`false`: the city's provider only).
    pub async fn password_login(&self, user_id: i64) -> Result<bool> {
        let row = sqlx::query("SELECT password_login FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get::<i64, _>("password_login")? != 0)
    }

    /// Switches password sign-in on or off for a user (audited); switching it off ends their
    /// sessions, which may have begun with a password.
    pub async fn set_password_login(
        &self,
        who: &Who,
        user_id: i64,
        on: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        let n = sqlx::query(
            "UPDATE users SET password_login = $1, version = version + 1 WHERE id = $2",
        )
        .bind(i64::from(on))
        .bind(user_id)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        if !on {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(w.conn())
                .await?;
        }
        w.audit(Audit {
            action: Action::UserPasswordLoginChanged,
            entity: Entity::User,
            entity_id: Some(user_id),
            service_id: None,
            before: None,
            after: Some(serde_json::json!({ "password_login": on }).to_string()),
        })
        .await?;
        w.commit().await
    }
}
