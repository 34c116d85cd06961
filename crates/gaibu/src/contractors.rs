//! Contractors and designated managers (S5.3): registered by an Information Manager with the
//! work they carry out; their people sign in with a restricted view of their own submissions;
//! the Information Managers etc. over the commissioning unit verify each sheet.

use crate::audit_denial::{refuse, ruled};
use crate::auth::{CurrentUser, hash_password, org_tree, random_token};
use crate::error::{AppError, AppResult};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::audit::Entity;
use gaibu_domain::contractor::{self, Submission};
use gaibu_domain::role::Role;
use gaibu_domain::sheet::{Answers, Context};
use gaibu_domain::{FieldError, Refusal};
use gaibu_store::lists::people::ContractorScope;
use gaibu_store::page::{Page, PageAsk};
use gaibu_store::{ContractorRow, NewSubmission, NewUser, SubmissionRow, UserRow};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContractorInput {
    pub name: String,
    /// contractor or designated_manager
    pub kind: String,
    pub work: String,
    /// The commissioning org unit (id); the user's own when empty.
    #[serde(deserialize_with = "gaibu_domain::application::string_or_number")]
    pub org_unit: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PersonInput {
    pub login: String,
    pub display_name: String,
    pub email: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SubmissionInput {
    pub service_name: String,
    pub provider: String,
    /// The confidentiality level of the city's information in the service; it decides the sheet.
    pub confidentiality: String,
}

fn require(errs: &mut Vec<FieldError>, field: &'static str, v: &str) {
    if v.trim().is_empty() {
        errs.push(FieldError::new(field, "required"));
    }
}

/// May `u` manage contractors of `unit`: the Information Managers etc. over it.
fn manages(u: &CurrentUser, unit: i64, tree: &gaibu_domain::role::OrgTree) -> bool {
    u.actor.is_information_manager_etc_over(unit, tree)
}

/// Who may see a contractor and its submissions on the city's side.
fn oversees(u: &CurrentUser, unit: i64, tree: &gaibu_domain::role::OrgTree) -> bool {
    manages(u, unit, tree)
        || u.actor
            .has_role_over(Role::InformationSecurityManager, unit, tree)
        || u.has_role(Role::Ciso)
}

pub async fn register(
    st: &AppState,
    u: &CurrentUser,
    input: &ContractorInput,
) -> AppResult<ContractorRow> {
    let tree = org_tree(st).await?;
    let unit =
        if input.org_unit.trim().is_empty() {
            u.user.org_unit_id
        } else {
            input.org_unit.trim().parse().map_err(|_| {
                AppError::Invalid(vec![FieldError::new("org_unit", "unknown_org_unit")])
            })?
        };
    if !tree.contains(unit) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "org_unit",
            "unknown_org_unit",
        )]));
    }
    if !manages(u, unit, &tree) {
        let r = Refusal::Forbidden("information_manager_required");
        return Err(refuse(st, u, r, "contractor.register", Entity::Contractor, None).await);
    }
    let mut errs = Vec::new();
    require(&mut errs, "name", &input.name);
    require(&mut errs, "work", &input.work);
    let kind = input.kind.trim();
    if !matches!(kind, "contractor" | "designated_manager") {
        errs.push(FieldError::new("kind", "invalid_choice"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok(st
        .store
        .create_contractor(
            &u.who(),
            input.name.trim(),
            kind,
            input.work.trim(),
            unit,
            st.now(),
        )
        .await?)
}

/// Creates a sign-in for a contractor's person; the password is generated and shown once.
pub async fn add_person(
    st: &AppState,
    u: &CurrentUser,
    contractor_id: i64,
    input: &PersonInput,
) -> AppResult<(UserRow, String)> {
    let c = st
        .store
        .contractor(contractor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tree = org_tree(st).await?;
    if !manages(u, c.org_unit_id, &tree) {
        let r = Refusal::Forbidden("information_manager_required");
        return Err(refuse(
            st,
            u,
            r,
            "contractor.add_person",
            Entity::Contractor,
            Some(c.id),
        )
        .await);
    }
    let mut errs = Vec::new();
    let login = input.login.trim().to_string();
    if login.is_empty() {
        errs.push(FieldError::new("login", "required"));
    } else if !(2..=64).contains(&login.len())
        || !login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        errs.push(FieldError::new("login", "invalid_login"));
    }
    require(&mut errs, "display_name", &input.display_name);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let password = random_token()[..16].to_string();
    let hash = hash_password(password.clone()).await?;
    let user = st
        .store
        .create_user(
            &u.who(),
            &NewUser {
                login,
                display_name: input.display_name.trim().into(),
                email: input.email.trim().into(),
                org_unit_id: c.org_unit_id,
                position: c.name.clone(),
                lang: "ja".into(),
                password_hash: Some(hash),
                contractor_id: Some(c.id),
            },
            st.now(),
        )
        .await?;
    Ok((user, password))
}

/// The contractors the user oversees.
/// Who sees which contractors and submissions, as the database filters them: a contractor's
/// person their own; city staff those of the units they oversee (the same rule as `oversees`).
fn scope_of(u: &CurrentUser) -> ContractorScope {
    ContractorScope {
        own_contractor: u.user.contractor_id,
        seen_units: u.actor.units_overseen(),
    }
}

pub async fn list(st: &AppState, u: &CurrentUser, ask: &PageAsk) -> AppResult<Page<ContractorRow>> {
    Ok(st.store.contractor_page(&scope_of(u), ask).await?)
}

/// What the rules need to know of a submission.
pub fn domain(s: &SubmissionRow, c: &ContractorRow) -> Submission {
    Submission {
        contractor_id: s.contractor_id,
        org_unit: c.org_unit_id,
        state: s.state,
    }
}

/// A submission the user may see: a contractor's person their own contractor's only; on the
/// city's side those who oversee the contractor. Anything else does not exist for them.
pub async fn get(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
) -> AppResult<(SubmissionRow, ContractorRow)> {
    let s = st.store.submission(id).await?.ok_or(AppError::NotFound)?;
    let c = st
        .store
        .contractor(s.contractor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let visible = match u.user.contractor_id {
        Some(own) => own == c.id,
        None => oversees(u, c.org_unit_id, &org_tree(st).await?),
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    Ok((s, c))
}

pub async fn submissions(
    st: &AppState,
    u: &CurrentUser,
    ask: &PageAsk,
) -> AppResult<Page<SubmissionRow>> {
    Ok(st.store.submission_page(&scope_of(u), ask).await?)
}

/// A contractor's person starts a sheet for a service they use; the classification decides
/// which sheet (class 2+ or class 1).
pub async fn create(
    st: &AppState,
    u: &CurrentUser,
    input: &SubmissionInput,
) -> AppResult<SubmissionRow> {
    let Some(contractor_id) = u.user.contractor_id else {
        return Err(AppError::Refused(crate::error::ErrorCode::ContractorOnly));
    };
    let scheme = policies::scheme_in_force(st).await?;
    let mut errs = Vec::new();
    require(&mut errs, "service_name", &input.service_name);
    require(&mut errs, "provider", &input.provider);
    let level = scheme
        .doc
        .confidentiality_level(input.confidentiality.trim());
    let track = level.and_then(|l| l.track);
    if track.is_none() {
        errs.push(FieldError::new(
            "confidentiality",
            if input.confidentiality.trim().is_empty() {
                "required"
            } else {
                "unknown_level"
            },
        ));
    }
    let Some(track) = track.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let sheet = policies::sheet_in_force(st, track).await?;
    Ok(st
        .store
        .create_submission(
            &u.who(),
            &NewSubmission {
                contractor_id,
                service_name: input.service_name.trim(),
                provider: input.provider.trim(),
                confidentiality: input.confidentiality.trim(),
                track,
                classification_policy_id: scheme.row.id,
                sheet_policy_id: sheet.row.id,
            },
            st.now(),
        )
        .await?)
}

/// What a submission's sheet conditions are judged against: its confidentiality.
pub fn context(s: &SubmissionRow) -> Context {
    Context {
        classification: gaibu_domain::classification::Classification {
            confidentiality: s.confidentiality.clone(),
            ..Default::default()
        },
        citizen_facing: false,
    }
}

pub async fn save_answers(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    answers: &Answers,
) -> AppResult<SubmissionRow> {
    let (s, c) = get(st, u, id).await?;
    ruled(
        st,
        u,
        contractor::may_edit(&domain(&s, &c), u.user.contractor_id),
        "submission.answers",
        Entity::Submission,
        Some(id),
    )
    .await?;
    if s.version != version {
        return Err(AppError::Stale);
    }
    let sheet = policies::sheet(st, s.sheet_policy_id).await?;
    policies::check_answers(&sheet.doc, answers)?;
    Ok(st
        .store
        .save_submission_answers(&u.who(), &s, answers, st.now())
        .await?)
}

/// S5.3: the contractor submits the completed sheet.
pub async fn submit(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
) -> AppResult<SubmissionRow> {
    let (s, c) = get(st, u, id).await?;
    let sheet = policies::sheet(st, s.sheet_policy_id).await?;
    match contractor::submit(
        &domain(&s, &c),
        u.user.contractor_id,
        &sheet.doc,
        &s.answers,
        &context(&s),
    ) {
        Ok(()) => {}
        Err(r) => {
            return Err(refuse(st, u, r, "submission.submit", Entity::Submission, Some(id)).await);
        }
    }
    if s.version != version {
        return Err(AppError::Stale);
    }
    Ok(st.store.submit_submission(&u.who(), &s, st.now()).await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VerifyInput {
    pub version: i64,
    /// true: compliant (verified); false: returned with the note.
    pub compliant: bool,
    pub note: String,
}

/// S5.3: the Information Manager etc. over the commissioning unit verifies compliance.
pub async fn verify(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    input: &VerifyInput,
) -> AppResult<SubmissionRow> {
    let (s, c) = get(st, u, id).await?;
    let state = ruled(
        st,
        u,
        contractor::verify(
            &domain(&s, &c),
            &u.actor,
            &org_tree(st).await?,
            input.compliant,
            &input.note,
        ),
        "submission.verify",
        Entity::Submission,
        Some(id),
    )
    .await?;
    if s.version != input.version {
        return Err(AppError::Stale);
    }
    Ok(st
        .store
        .verify_submission(&u.who(), &s, state, input.note.trim(), st.now())
        .await?)
}

/// S5.3 with S3.2c: the contractor attaches evidence to its sheet while it can change.
pub async fn add_evidence(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    up: crate::evidence::Upload,
) -> AppResult<gaibu_store::SubmissionEvidenceRow> {
    let (s, c) = get(st, u, id).await?;
    ruled(
        st,
        u,
        contractor::may_edit(&domain(&s, &c), u.user.contractor_id),
        "submission.evidence",
        Entity::Submission,
        Some(id),
    )
    .await?;
    let mut errs = Vec::new();
    let expires_on = crate::evidence::check_upload(st, &up, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let kept = crate::evidence::store_upload(st, &up).await?;
    Ok(st
        .store
        .add_submission_evidence(
            &u.who(),
            id,
            &crate::evidence::record_of(&up, &kept, expires_on),
            st.now(),
        )
        .await?)
}

/// A contractor's evidence file, for whoever may see its submission.
pub async fn download_evidence(
    st: &AppState,
    u: &CurrentUser,
    evidence_id: i64,
) -> AppResult<(gaibu_store::SubmissionEvidenceRow, crate::evidence::Content)> {
    let e = st
        .store
        .submission_evidence(evidence_id)
        .await?
        .ok_or(AppError::NotFound)?;
    get(st, u, e.submission_id).await?;
    let content = crate::evidence::read_checked(st, &e.sha256).await?;
    Ok((e, content))
}
