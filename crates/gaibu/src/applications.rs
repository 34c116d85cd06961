//! Applications to use a service: the operations that the HTML forms, the JSON API and the
//! CLI share. Each loads the state, asks the domain, and stores the outcome with its audit event.

use crate::audit_denial::{refuse, ruled};
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::application::{
    self, Application, ApplicationFields, ApplicationInput, Reuse, State,
};
use gaibu_domain::audit::Entity;
use gaibu_domain::capability::{self, ApplicationMove};
use gaibu_domain::classification::Track;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::ledger::LedgerStatus;
use gaibu_domain::procurement::Procurement;
use gaibu_domain::role::OrgTree;
use gaibu_domain::sheet::Answers;
use gaibu_store::ApplicationContent;
use gaibu_store::{ApplicationRow, ServiceRow};

pub fn domain(row: &ApplicationRow) -> Application {
    Application {
        id: row.id,
        applicant: row.applicant_id,
        state: row.state,
        track: row.track,
        fields: row.fields.clone(),
        answers: row.answers.clone(),
        unconfirmed: row.reuse.unconfirmed.clone(),
        evidenced: vec![],
    }
}

/// [`domain`] with the sheet items that have evidence attached, for the checks before
/// submission and self-approval (S3.2c).
pub async fn domain_with_evidence(st: &AppState, row: &ApplicationRow) -> AppResult<Application> {
    let mut app = domain(row);
    app.evidenced = evidenced_items(&st.store.evidence_of(row.id).await?);
    Ok(app)
}

/// The item keys that have at least one evidence file.
pub fn evidenced_items(files: &[gaibu_store::EvidenceRow]) -> Vec<String> {
    let mut keys: Vec<String> = files
        .iter()
        .filter(|e| !e.item_key.is_empty())
        .map(|e| e.item_key.clone())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Who may read an application: its applicant, the Information Managers etc. and the ISM over
/// its unit, and the CISO.
pub fn may_view(u: &CurrentUser, row: &ApplicationRow, tree: &OrgTree) -> bool {
    capability::permits_application(&domain(row), &u.actor, tree, ApplicationMove::View).is_ok()
}

/// Routing by class (S2.1, S2.2), and the requirement sheet in force for that track, if any.
async fn route(
    st: &AppState,
    scheme: &gaibu_domain::classification::Scheme,
    fields: &ApplicationFields,
) -> AppResult<(Track, Option<i64>)> {
    let track = scheme.route(&fields.classification).ok_or_else(|| {
        AppError::Invalid(vec![FieldError::new("confidentiality", "unknown_level")])
    })?;
    let sheet_policy_id = match policies::sheet_in_force(st, track).await {
        Ok(s) => Some(s.row.id),
        Err(AppError::Refused(crate::error::ErrorCode::PolicyNotInForce)) => None,
        Err(e) => return Err(e),
    };
    Ok((track, sheet_policy_id))
}

pub async fn list(st: &AppState, u: &CurrentUser) -> AppResult<Vec<ApplicationRow>> {
    let tree = org_tree(st).await?;
    Ok(st
        .store
        .applications()
        .await?
        .into_iter()
        .filter(|a| may_view(u, a, &tree))
        .collect())
}

/// An application the user may see; any other id is "not found", so ids reveal nothing.
pub async fn get(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<ApplicationRow> {
    get_in(st, u, id, &org_tree(st).await?).await
}

/// [`get`] with the org tree the caller has already read.
pub async fn get_in(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    tree: &OrgTree,
) -> AppResult<ApplicationRow> {
    let row = st.store.application(id).await?.ok_or(AppError::NotFound)?;
    if !may_view(u, &row, tree) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

pub async fn create(
    st: &AppState,
    u: &CurrentUser,
    input: &ApplicationInput,
) -> AppResult<ApplicationRow> {
    let scheme = policies::scheme_in_force(st).await?;
    let tree = org_tree(st).await?;
    let fields = input
        .parse(&scheme.doc, u.user.org_unit_id, |id| tree.contains(id))
        .map_err(AppError::Invalid)?;
    ruled(
        st,
        u,
        application::may_create(&fields, &u.actor, &tree),
        "application.create",
        Entity::Application,
        None,
    )
    .await?;
    let (track, sheet_policy_id) = route(st, &scheme.doc, &fields).await?;
    Ok(st
        .store
        .create_application(
            &u.who(),
            u.user.id,
            &ApplicationContent {
                fields: &fields,
                track,
                classification_policy_id: scheme.row.id,
                sheet_policy_id,
            },
            st.now(),
        )
        .await?)
}

/// For changes: any signed-in user reaches the rules, so that an attempt without the right
/// role is answered 403 and audited rather than hidden as 404.
pub async fn load_for_change(st: &AppState, id: i64) -> AppResult<ApplicationRow> {
    st.store.application(id).await?.ok_or(AppError::NotFound)
}

/// An application for a change of its content (S5.2.2-1, S5.2.1-1): the rules first, so that
/// a refusal is a 403 and audited whatever version was sent; then the version (`None` for a
/// change that does not depend on what the user saw, such as a new evidence file).
pub async fn editable(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: Option<i64>,
    attempted: &str,
) -> AppResult<(ApplicationRow, OrgTree)> {
    let row = load_for_change(st, id).await?;
    let tree = org_tree(st).await?;
    let edit = ApplicationMove::Edit;
    let answer = capability::permits_application(&domain(&row), &u.actor, &tree, edit);
    ruled(st, u, answer, attempted, Entity::Application, Some(id)).await?;
    if let Some(v) = version {
        check_version(&row, v)?;
    }
    Ok((row, tree))
}

pub fn check_version(row: &ApplicationRow, version: i64) -> AppResult<()> {
    if row.version != version {
        return Err(AppError::Stale);
    }
    Ok(())
}

pub async fn update(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    input: &ApplicationInput,
) -> AppResult<ApplicationRow> {
    let (row, tree) = editable(st, u, id, Some(version), "application.update").await?;
    let scheme = policies::scheme_in_force(st).await?;
    let fields = input
        .parse(&scheme.doc, row.org_unit_id, |id| tree.contains(id))
        .map_err(AppError::Invalid)?;
    if fields.org_unit != row.org_unit_id
        && let Err(r) = application::may_create(&fields, &u.actor, &tree)
    {
        return Err(refuse(
            st,
            u,
            r,
            "application.update",
            Entity::Application,
            Some(id),
        )
        .await);
    }
    let (track, sheet_policy_id) = route(st, &scheme.doc, &fields).await?;
    Ok(st
        .store
        .update_application(
            &u.who(),
            &row,
            &ApplicationContent {
                fields: &fields,
                track,
                classification_policy_id: scheme.row.id,
                sheet_policy_id,
            },
            st.now(),
        )
        .await?)
}

/// S5.2.2-1: the self-check against the class-1 sheet. Incomplete answers may be saved; values
/// of the wrong form may not.
pub async fn save_self_check(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    answers: &Answers,
) -> AppResult<ApplicationRow> {
    let (row, _) = editable(st, u, id, Some(version), "application.self_check").await?;
    let sheet = policies::sheet_in_force(st, row.track).await?;
    policies::check_answers(&sheet.doc, answers)?;
    Ok(st
        .store
        .save_answers(
            &u.who(),
            &row,
            answers,
            sheet.row.id,
            // Saving the sheet re-confirms every copied answer shown on it.
            &row.reuse
                .reconfirmed(|i| i == "evaluation" || i == "procurement"),
            st.now(),
        )
        .await?)
}

/// S5.1.2, S5.2.2-2: self-approval of a class-1 application. The approver becomes the
/// service's External Service Administrator; the approval keeps a snapshot of what was approved.
pub async fn approve(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
) -> AppResult<(ApplicationRow, ServiceRow)> {
    let row = load_for_change(st, id).await?;
    let app = domain_with_evidence(st, &row).await?;
    let sheet = policies::sheet_in_force(st, Track::Class1).await?;
    let tree = org_tree(st).await?;
    let now = st.now();
    // The rules first (so a refusal is a 403, audited, whatever version was sent), then the
    // version, then whether the answers were given to the sheet now in force (S1.3).
    let approval = ruled(
        st,
        u,
        application::approve_class1(&app, &sheet.doc, &row.procurement, &u.actor, &tree, now),
        "application.approve",
        Entity::Application,
        Some(id),
    )
    .await?;
    check_version(&row, version)?;
    if row.sheet_policy_id != Some(sheet.row.id) {
        return Err(AppError::Refused(crate::error::ErrorCode::SheetSuperseded));
    }
    let classification = policies::scheme(st, row.classification_policy_id).await?;
    let snapshot = serde_json::json!({
        "application_id": row.id,
        "track": row.track,
        "fields": app.fields,
        "answers": app.answers,
        "classification_policy": {
            "id": classification.row.id,
            "version": classification.row.version,
            "sha256": classification.row.content_sha256,
        },
        "sheet_policy": {
            "id": sheet.row.id,
            "version": sheet.row.version,
            "sha256": sheet.row.content_sha256,
        },
        "approver_id": approval.approver,
        "administrator_id": approval.administrator,
        "approved_at": approval.approved_at.to_string(),
    })
    .to_string();
    Ok(st
        .store
        .approve_application(&u.who(), &row, &approval, &snapshot, now)
        .await?)
}

/// Starts a new application from the latest approved evaluation of a service: fields, answers,
/// evaluation, procurement record and evidence copied, each to be re-confirmed, with the source
/// linked. Departments need not assess the same service again from nothing.
pub async fn reuse(st: &AppState, u: &CurrentUser, service_id: i64) -> AppResult<ApplicationRow> {
    let named = st
        .store
        .service(service_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The latest approval of the same service from the same provider that is still in use.
    let service = st
        .store
        .services()
        .await?
        .into_iter()
        .filter(|s| s.name == named.name && s.provider == named.provider)
        .filter(|s| s.ledger_status != Some(LedgerStatus::Retired))
        .max_by_key(|s| s.approved_at)
        .ok_or(AppError::Refused(crate::error::ErrorCode::ServiceRetired))?;
    let source = st
        .store
        .application(service.application_id)
        .await?
        .filter(|a| a.state == State::Approved)
        .ok_or(AppError::NotFound)?;
    let mut fields = source.fields.clone();
    fields.org_unit = u.user.org_unit_id;
    fields.period_from = st.today();
    fields.period_to = None;
    let tree = org_tree(st).await?;
    ruled(
        st,
        u,
        application::may_create(&fields, &u.actor, &tree),
        "application.reuse",
        Entity::Application,
        None,
    )
    .await?;
    let scheme = policies::scheme_in_force(st).await?;
    let errs = scheme.doc.validate(&fields.classification);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (track, sheet_policy_id) = route(st, &scheme.doc, &fields).await?;
    let answers = source.answers.clone();
    let mut unconfirmed: Vec<String> = answers.keys().cloned().collect();
    let evaluation = source.evaluation.clone();
    let procurement = source.procurement.clone();
    if evaluation != Evaluation::default() {
        unconfirmed.push("evaluation".into());
    }
    if procurement != Procurement::default() {
        unconfirmed.push("procurement".into());
    }
    let reuse = Reuse {
        source_application_id: Some(source.id),
        unconfirmed,
    };
    Ok(st
        .store
        .create_reused_application(
            &u.who(),
            u.user.id,
            &ApplicationContent {
                fields: &fields,
                track,
                classification_policy_id: scheme.row.id,
                sheet_policy_id,
            },
            &gaibu_store::Reused {
                answers: &answers,
                evaluation: &evaluation,
                procurement: &procurement,
                reuse: &reuse,
            },
            st.now(),
        )
        .await?)
}
