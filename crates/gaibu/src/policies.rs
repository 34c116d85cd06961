//! Policy versions as the shell sees them: shipped files, loading, the versions in force and
//! the CISO's approval (S1.3).

use crate::audit_denial::ruled;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::account::AccountRules;
use gaibu_domain::audit::Entity;
use gaibu_domain::classification::{Scheme, Track};
use gaibu_domain::policy::diff::{self, EntryChange};
use gaibu_domain::policy::{
    self, KIND_ACCOUNT_RULES, KIND_CLASSIFICATION, KIND_SERVICE_LIFE, PolicyDocument,
};
use gaibu_domain::service_life::ServiceLifePolicy;
use gaibu_domain::sheet::Sheet;
use gaibu_store::{PolicyRow, Who};
use std::sync::Arc;

use crate::cache::ParsedPolicy;
pub use crate::cache::PolicyMeta;

/// The policy files shipped in `policy/` and loaded (as pending) on every start. The
/// five-level scheme ships as an alternative: `gaibu policy load` loads it on demand.
pub const BUILTIN: [(&str, &str); 5] = [
    (
        "policy/classification/three-level.toml",
        include_str!("../../../policy/classification/three-level.toml"),
    ),
    (
        "policy/sheets/class1.toml",
        include_str!("../../../policy/sheets/class1.toml"),
    ),
    (
        "policy/sheets/class2plus.toml",
        include_str!("../../../policy/sheets/class2plus.toml"),
    ),
    (
        "policy/accounts/official-accounts.toml",
        include_str!("../../../policy/accounts/official-accounts.toml"),
    ),
    (
        "policy/lifecycle/service-life.toml",
        include_str!("../../../policy/lifecycle/service-life.toml"),
    ),
];

pub const FIVE_LEVEL: &str = include_str!("../../../policy/classification/five-level.toml");

/// A policy version with its parsed content. `row` holds what never changes of the version;
/// its status is read with `get` or `list`.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub row: PolicyMeta,
    pub doc: T,
}

fn parse_row(row: &PolicyRow) -> AppResult<PolicyDocument> {
    policy::parse(&row.content).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("stored policy {} unreadable: {e}", row.id))
    })
}

/// A version parsed, from this instance's cache (by id: a version's text never changes) or
/// read and parsed once.
async fn parsed(st: &AppState, id: i64) -> AppResult<Arc<ParsedPolicy>> {
    if let Some(p) = st.caches.policy(id) {
        return Ok(p);
    }
    let row = st.store.policy(id).await?.ok_or(AppError::NotFound)?;
    let doc = parse_row(&row)?;
    let p = Arc::new(ParsedPolicy {
        meta: PolicyMeta {
            id: row.id,
            kind: row.kind,
            version: row.version,
            title_ja: row.title_ja,
            title_en: row.title_en,
            content_sha256: row.content_sha256,
            loaded_at: row.loaded_at,
        },
        doc,
    });
    st.caches.keep_policy(p.clone());
    Ok(p)
}

fn not_a(p: &ParsedPolicy, what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("policy {} is not {what}", p.meta.id))
}

fn as_scheme(p: &ParsedPolicy) -> AppResult<Loaded<Scheme>> {
    match &p.doc {
        PolicyDocument::Classification { scheme, .. } => Ok(Loaded {
            row: p.meta.clone(),
            doc: scheme.clone(),
        }),
        _ => Err(not_a(p, "a scheme")),
    }
}

fn as_sheet(p: &ParsedPolicy) -> AppResult<Loaded<Sheet>> {
    match &p.doc {
        PolicyDocument::Sheet { sheet, .. } => Ok(Loaded {
            row: p.meta.clone(),
            doc: sheet.clone(),
        }),
        _ => Err(not_a(p, "a sheet")),
    }
}

fn as_account_rules(p: &ParsedPolicy) -> AppResult<Loaded<AccountRules>> {
    match &p.doc {
        PolicyDocument::AccountRules { rules, .. } => Ok(Loaded {
            row: p.meta.clone(),
            doc: rules.clone(),
        }),
        _ => Err(not_a(p, "account rules")),
    }
}

fn as_service_life(p: &ParsedPolicy) -> AppResult<Loaded<ServiceLifePolicy>> {
    match &p.doc {
        PolicyDocument::ServiceLife { policy, .. } => Ok(Loaded {
            row: p.meta.clone(),
            doc: policy.clone(),
        }),
        _ => Err(not_a(p, "a service-life policy")),
    }
}

async fn by_id(st: &AppState, id: i64) -> AppResult<PolicyRow> {
    st.store.policy(id).await?.ok_or(AppError::NotFound)
}

/// The scheme an application was judged under (never the newest one, S1.3).
pub async fn scheme(st: &AppState, id: i64) -> AppResult<Loaded<Scheme>> {
    as_scheme(&*parsed(st, id).await?)
}

pub async fn sheet(st: &AppState, id: i64) -> AppResult<Loaded<Sheet>> {
    as_sheet(&*parsed(st, id).await?)
}

/// The version in force for a kind: its id is read every time (an approval made through
/// another instance counts at once), its parse comes from the cache.
async fn in_force(st: &AppState, kind: &str) -> AppResult<Arc<ParsedPolicy>> {
    let id = st
        .store
        .effective_policy_id(kind)
        .await?
        .ok_or(AppError::Refused(crate::error::ErrorCode::PolicyNotInForce))?;
    parsed(st, id).await
}

pub async fn scheme_in_force(st: &AppState) -> AppResult<Loaded<Scheme>> {
    as_scheme(&*in_force(st, KIND_CLASSIFICATION).await?)
}

pub async fn sheet_in_force(st: &AppState, track: Track) -> AppResult<Loaded<Sheet>> {
    as_sheet(&*in_force(st, &policy::sheet_kind(track)).await?)
}

pub async fn account_rules_in_force(st: &AppState) -> AppResult<Loaded<AccountRules>> {
    as_account_rules(&*in_force(st, KIND_ACCOUNT_RULES).await?)
}

/// S3.5–S3.7: the measures, check intervals and reminder lead times in force.
pub async fn service_life_in_force(st: &AppState) -> AppResult<Loaded<ServiceLifePolicy>> {
    as_service_life(&*in_force(st, KIND_SERVICE_LIFE).await?)
}

/// The service-life policy a record was made under (never the newest one, S1.3).
pub async fn service_life(st: &AppState, id: i64) -> AppResult<Loaded<ServiceLifePolicy>> {
    as_service_life(&*parsed(st, id).await?)
}

/// Loads a policy text as a pending version. A text that does not parse is refused whole.
pub async fn load_text(st: &AppState, who: &Who, text: &str) -> AppResult<(PolicyRow, bool)> {
    let doc = policy::parse(text).map_err(|e| {
        tracing::info!(error = %e, "policy refused");
        AppError::Invalid(vec![FieldError::new("content", "policy_invalid")])
    })?;
    Ok(st.store.load_policy(who, &doc, text, st.now()).await?)
}

/// Loads the shipped policy files (a no-op for texts already stored).
pub async fn load_builtin(st: &AppState) -> AppResult<()> {
    for (name, text) in BUILTIN {
        let (row, new) = load_text(st, &Who::system(), text).await?;
        if new {
            tracing::info!(
                file = name,
                id = row.id,
                "policy loaded, pending CISO approval"
            );
        }
    }
    Ok(())
}

pub async fn list(st: &AppState) -> AppResult<Vec<PolicyRow>> {
    Ok(st.store.policies().await?)
}

pub async fn get(st: &AppState, id: i64) -> AppResult<(PolicyRow, PolicyDocument)> {
    let row = by_id(st, id).await?;
    let doc = parse_row(&row)?;
    Ok((row, doc))
}

/// What a pending version would change: the version of its kind in force it is compared with
/// (`None`: nothing of its kind is in force, this is the first) and the entries it adds,
/// removes and changes (S1.3).
#[derive(Debug, Clone)]
pub struct Changes {
    pub against: Option<PolicyMeta>,
    pub entries: Vec<EntryChange>,
}

/// The changes of a pending version against the version in force; `None` for a version
/// already approved or superseded.
pub async fn changes(
    st: &AppState,
    row: &PolicyRow,
    doc: &PolicyDocument,
) -> AppResult<Option<Changes>> {
    if row.status != policy::PolicyStatus::Pending {
        return Ok(None);
    }
    let Some(id) = st.store.effective_policy_id(&row.kind).await? else {
        return Ok(Some(Changes {
            against: None,
            entries: Vec::new(),
        }));
    };
    let current = parsed(st, id).await?;
    Ok(Some(Changes {
        against: Some(current.meta.clone()),
        entries: diff::compare(&current.doc, doc),
    }))
}

/// S1.3: the CISO approves a pending version; the previous one of its kind is superseded.
pub async fn approve(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<PolicyRow> {
    let row = by_id(st, id).await?;
    let status = row.status;
    ruled(
        st,
        u,
        policy::approve(status, &u.actor),
        "policy.approve",
        Entity::Policy,
        Some(id),
    )
    .await?;
    Ok(st.store.approve_policy(&u.who(), &row, st.now()).await?)
}

/// Answers of the wrong form for their items are refused at save, item by item (S5.2.2-1);
/// incomplete ones may be saved.
pub fn check_answers(
    sheet: &gaibu_domain::sheet::Sheet,
    answers: &gaibu_domain::sheet::Answers,
) -> AppResult<()> {
    let problems = sheet.check_values(answers);
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::Invalid(
        problems
            .into_iter()
            .map(|p| gaibu_domain::FieldError::new(format!("answers.{}", p.item), p.code))
            .collect(),
    ))
}
