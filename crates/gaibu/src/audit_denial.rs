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
