//! The class-2+ track (S3.2–S3.4, S5.1.1, S5.2.1): evaluation, procurement, submission to the
//! responsible Information Security Manager, and the ISM's decision. Shared by pages and API.

use crate::applications::{self as apps, check_version, load_for_change};
use crate::audit_denial::ruled;
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::audit::Entity;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::procurement::Procurement;
use gaibu_domain::review::{self, DecisionInput, Outcome};
use gaibu_domain::role::{OrgTree, Role};
use gaibu_store::{ApplicationRow, Approved, RegisterFields, RoundRow, ServiceRow};

/// S3.2a–g: saved item by item; completeness is checked at submission.
pub async fn save_evaluation(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    e: &Evaluation,
) -> AppResult<ApplicationRow> {
    let (row, _) = apps::editable(st, u, id, Some(version), "application.evaluation").await?;
    let errs = e.check_values();
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok(st
        .store
        .save_evaluation(
            &u.who(),
            &row,
            e,
            &row.reuse.reconfirmed(|i| i != "evaluation"),
            st.now(),
        )
        .await?)
}

/// S3.3: the procurement record.
pub async fn save_procurement(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    p: &Procurement,
) -> AppResult<ApplicationRow> {
    let (row, _) = apps::editable(st, u, id, Some(version), "application.procurement").await?;
    let errs = p.check_values();
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok(st
        .store
        .save_procurement(
            &u.who(),
            &row,
            p,
            &row.reuse.reconfirmed(|i| i != "procurement"),
            st.now(),
        )
        .await?)
}

/// The Information Security Managers responsible for `unit` (S3.4a): those holding the role
/// over it.
pub async fn responsible_isms(st: &AppState, unit: i64, tree: &OrgTree) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = st
        .store
        .assignments_of(Role::InformationSecurityManager.as_str())
        .await?
        .into_iter()
        .filter(|r| tree.is_within(unit, r.org_unit_id))
        .map(|r| r.user_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Exactly what is submitted or approved: the application, its answers, evaluation,
/// procurement record, the evidence (by hash) and the policy versions.
async fn content_snapshot(
    st: &AppState,
    row: &ApplicationRow,
    extra: serde_json::Value,
) -> AppResult<serde_json::Value> {
    let evidence: Vec<serde_json::Value> = st
        .store
        .evidence_of(row.id)
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "id": e.id, "filename": e.filename, "sha256": e.sha256,
                "item_key": e.item_key, "expires_on": e.expires_on,
            })
        })
        .collect();
    let mut v = serde_json::json!({
        "evidence": evidence,
        "application_id": row.id,
        "track": row.track,
        "fields": row.fields.clone(),
        "answers": row.answers.clone(),
        "evaluation": row.evaluation,
        "procurement": row.procurement,
        "classification_policy_id": row.classification_policy_id,
        "sheet_policy_id": row.sheet_policy_id,
    });
    if let (Some(obj), serde_json::Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    Ok(v)
}

/// S3.4a, S5.2.1-1: submit to the ISM with the sheet, the evaluation and the procurement record.
pub async fn submit(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
) -> AppResult<ApplicationRow> {
    let row = load_for_change(st, id).await?;
    let tree = org_tree(st).await?;
    let app = apps::domain_with_evidence(st, &row).await?;
    let sheet = policies::sheet_in_force(st, app.track).await?;
    let (e, p) = (&row.evaluation, &row.procurement);
    ruled(
        st,
        u,
        review::submit(&app, &u.actor, &tree, &sheet.doc, e, p),
        "application.submit",
        Entity::Application,
        Some(id),
    )
    .await?;
    check_version(&row, version)?;
    if row.sheet_policy_id != Some(sheet.row.id) {
        return Err(AppError::Refused(crate::error::ErrorCode::SheetSuperseded));
    }
    // The applicant never reviews their own application: with no other responsible ISM, the
    // submission is refused rather than left waiting for nobody.
    let reviewers = responsible_isms(st, row.org_unit_id, &tree).await?;
    let effects = review::submission_effects(&app, &reviewers);
    if effects.notify.is_empty() {
        return Err(AppError::Refused(crate::error::ErrorCode::NoResponsibleIsm));
    }
    let content = content_snapshot(
        st,
        &row,
        serde_json::json!({ "sheet_version": sheet.row.version }),
    )
    .await?;
    Ok(st
        .store
        .submit_application(&u.who(), &row, &content, &effects, st.now())
        .await?)
}

/// The register entry as the application states it (S5.2.1-5a–h), in the register's language
/// (its period in the city's way of writing dates).
async fn register_fields(
    st: &AppState,
    row: &ApplicationRow,
    dates: gaibu_domain::calendar::DateStyle,
) -> AppResult<RegisterFields> {
    let f = row.fields.clone();
    let t = Tr::new(Lang::Ja).with_dates(dates);
    let scheme = policies::scheme(st, row.classification_policy_id)
        .await?
        .doc;
    let label = |levels: &[gaibu_domain::classification::Level], code: &str| {
        levels
            .iter()
            .find(|l| l.code == code)
            .map(|l| l.label_ja.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let mut classification = format!(
        "{} / {} / {}",
        label(&scheme.confidentiality, &f.classification.confidentiality),
        label(&scheme.integrity, &f.classification.integrity),
        label(&scheme.availability, &f.classification.availability)
    );
    let handling = crate::catalogue::handling_labels(&scheme, &f.classification.handling, |r| {
        r.label_ja.clone()
    });
    if !handling.is_empty() {
        classification.push_str(&format!(
            "（{}: {}）",
            t.label_handling(),
            handling.join("、")
        ));
    }
    let units = crate::auth::org_units(st).await?;
    let applicant = st
        .store
        .user(row.applicant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // カ is the applicant's own section and name (S5.2.1-5f), whatever unit the application
    // is for.
    let applicant_unit = crate::i18n::org_name(t, &units, applicant.org_unit_id);
    // ク: the applicant is designated administrator (S3.4c); their section and position are
    // required (S5.2.1-5h).
    let administrator = crate::administrator::register_text(st, &applicant).await?;
    Ok(RegisterFields {
        service_name: f.service_name.clone(),
        provider_name: f.provider.clone(),
        purpose: f.purpose.clone(),
        classification,
        period_of_use: t.range(f.period_from, f.period_to).text().to_string(),
        applicant: format!("{applicant_unit} {}", applicant.display_name),
        user_scope: f.user_scope.clone(),
        administrator,
    })
}

/// S3.4b–c, S5.2.1-2..5: the responsible ISM approves, rejects or returns.
pub async fn decide(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    input: &DecisionInput,
) -> AppResult<(ApplicationRow, Option<ServiceRow>)> {
    let row = load_for_change(st, id).await?;
    let tree = org_tree(st).await?;
    let app = apps::domain(&row);
    let now = st.now();
    let outcome = ruled(
        st,
        u,
        review::decide(&app, &u.actor, &tree, input, now),
        "application.decide",
        Entity::Application,
        Some(id),
    )
    .await?;
    check_version(&row, version)?;
    if input.comments.values().any(|c| c.chars().count() > 4000) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "comments", "too_long",
        )]));
    }
    let comments: std::collections::BTreeMap<String, String> = input
        .comments
        .iter()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let effects = outcome.effects(&app);
    let approved = match &outcome {
        Outcome::Approved(approval) => {
            let register = register_fields(st, &row, u.city_date_style).await?;
            let snapshot = content_snapshot(
                st,
                &row,
                serde_json::json!({
                    "round": row.round,
                    "approver_id": approval.approver,
                    "administrator_id": approval.administrator,
                    "approved_at": approval.approved_at.to_string(),
                }),
            )
            .await?
            .to_string();
            Some((snapshot, register))
        }
        _ => None,
    };
    let approved = approved.as_ref().map(|(snapshot, register)| Approved {
        snapshot,
        register,
        citizen_facing: app.fields.citizen_facing,
    });
    let result = st
        .store
        .decide_application(
            &u.who(),
            &row,
            &outcome,
            &effects,
            approved.as_ref(),
            &comments,
            now,
        )
        .await?;
    Ok(result)
}

pub async fn rounds(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<Vec<RoundRow>> {
    apps::get(st, u, id).await?;
    Ok(st.store.rounds(id).await?)
}
