//! Refusals leave a trace: a 403 is written to the audit chain before it is answered.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use gaibu_domain::Refusal;
use gaibu_domain::audit::{Action, Entity};

/// Turns a refusal into an error, auditing it when it is a denial of access.
pub async fn refuse(
    st: &AppState,
    u: &CurrentUser,
    r: Refusal,
    action: &str,
    entity: Entity,
    id: Option<i64>,
) -> AppError {
    if let Refusal::Forbidden(code) = r {
        let detail = serde_json::json!({ "attempted": action, "code": code }).to_string();
        if let Err(e) = st
            .store
            .audit_alone(
                &u.who(),
                st.now(),
                Action::AccessDenied,
                entity,
                id,
                Some(detail),
            )
            .await
        {
            return AppError::from(e);
        }
    }
    r.into()
}

/// The rules' answer to a move: its value, or the refusal as an error (audited when it is a
/// denial of access). `attempted` names the move in the audit trail.
pub async fn ruled<T>(
    st: &AppState,
    u: &CurrentUser,
    answer: Result<T, Refusal>,
    attempted: &str,
    entity: Entity,
    id: Option<i64>,
) -> Result<T, AppError> {
    match answer {
        Ok(v) => Ok(v),
        Err(r) => Err(refuse(st, u, r, attempted, entity, id).await),
    }
}
