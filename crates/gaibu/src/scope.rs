//! S1.2: whether a service falls within the scope of the city's security policy — shown in the
//! ledger, the usage register and the catalogue, and a filter of each (`in_scope=yes|no`).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_store::ServiceRow;

/// The filter: `None` for all; `yes` / `no` for those in / out of scope.
pub fn parse(v: &str) -> AppResult<Option<bool>> {
    match v.trim() {
        "" | "all" => Ok(None),
        "yes" | "true" => Ok(Some(true)),
        "no" | "false" => Ok(Some(false)),
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "in_scope",
            "invalid_choice",
        )])),
    }
}

/// The filter as a query value.
pub fn as_query(scope: Option<bool>) -> &'static str {
    match scope {
        None => "",
        Some(true) => "yes",
        Some(false) => "no",
    }
}

/// The ledger's services, filtered by scope in the database.
pub async fn services(st: &AppState, scope: Option<bool>) -> AppResult<Vec<ServiceRow>> {
    Ok(match scope {
        None => st.store.services().await?,
        Some(s) => st.store.services_by_scope(i64::from(s)).await?,
    })
}

/// The query of a list filtered by scope.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ScopeQuery {
    /// `yes`: in the scope of the security policy only; `no`: outside it only; empty: all.
    pub in_scope: String,
}
