//! The class-2+ track's storage: submission rounds and the ISM's decision with the approved
//! service and its usage-register entry — each in one write with the effects the domain decided.

use crate::applications::{EDITABLE, approval_columns, insert_service, service_approved};
use crate::codec::reads;
use crate::codec::to_json;
use crate::register::RegisterFields;
use crate::write::{About, Audit, Change, Expect, Table, Val};
use crate::{ApplicationRow, RegisterRow, Result, RoundRow, ServiceRow, Store, StoreError, Who};
use gaibu_domain::application::State;
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::effects::Effects;
use gaibu_domain::review::Outcome;
use std::collections::BTreeMap;

const SUBMITTED: &[&str] = &[State::Submitted.as_str()];

/// What an approval by the ISM records besides the decision.
pub struct Approved<'a> {
    /// Exactly what was approved.
    pub snapshot: &'a str,
    pub register: &'a RegisterFields,
    pub citizen_facing: bool,
}

impl Store {
    /// S3.4a, S5.2.1-1: the application goes to the ISM as a new round; `content` is exactly
    /// what was submitted; `effects` says whom to tell.
    pub async fn submit_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        content: &serde_json::Value,
        effects: &Effects,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let mut w = self.begin(who, now).await?;
        let round = before.round + 1;
        let set = vec![
            ("state", State::Submitted.as_str().into()),
            ("round", round.into()),
            ("submitted_at", now.into()),
        ];
        let after = w
            .change(Change {
                table: Table::Applications,
                expect: Expect::at(before.id, before.version, EDITABLE),
                set,
                before,
                action: Action::ApplicationSubmitted,
                service_id: None,
            })
            .await?;
        sqlx::query(
            "INSERT INTO application_rounds (application_id, round, submitted_by, submitted_at, content) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(before.id)
        .bind(round)
        .bind(who.user_id)
        .bind(now.as_millisecond())
        .bind(to_json(content))
        .execute(w.conn())
        .await?;
        let about = About {
            application_id: Some(before.id),
            service_id: None,
            subject: &before.service_name,
        };
        w.notify(&effects.notify, &about).await?;
        w.commit().await?;
        Ok(after)
    }

    /// S3.4b–c, S5.2.1-2..5: the decision on the current round. On approval, in the same
    /// transaction: the approved service with its administrator and the usage-register entry.
    /// The audit events and notifications are those the domain decided.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        outcome: &Outcome,
        effects: &Effects,
        approved: Option<&Approved<'_>>,
        comments: &BTreeMap<String, String>,
        now: jiff::Timestamp,
    ) -> Result<(ApplicationRow, Option<ServiceRow>)> {
        let mut w = self.begin(who, now).await?;
        let reason = outcome.reason();
        let mut set: Vec<(&'static str, Val)> = match (outcome, approved) {
            (Outcome::Approved(a), Some(ap)) => approval_columns(a, ap.snapshot),
            (Outcome::Approved(_), None) => {
                return Err(StoreError::Corrupt("approval without its record".into()));
            }
            _ => vec![("state", outcome.state().as_str().into())],
        };
        set.push(("decision_reason", reason.into()));
        let e = Expect::at(before.id, before.version, SUBMITTED);
        w.update(Table::Applications, e, set).await?;
        sqlx::query(
            "UPDATE application_rounds SET decision = $1, decided_by = $2, decided_at = $3, \
             reason = $4, comments = $5 WHERE application_id = $6 AND round = $7",
        )
        .bind(outcome.decision().as_str())
        .bind(who.user_id)
        .bind(now.as_millisecond())
        .bind(reason)
        .bind(to_json(comments))
        .bind(before.id)
        .bind(before.round)
        .execute(w.conn())
        .await?;
        let after: ApplicationRow = w.fetch(Table::Applications, before.id).await?;
        let created = match (outcome, approved) {
            (Outcome::Approved(a), Some(ap)) => {
                let service = insert_service(&mut w, before, a).await?;
                let entry = crate::register::insert(
                    w.conn(),
                    service.id,
                    before.org_unit_id,
                    ap.register,
                    ap.citizen_facing,
                    now,
                )
                .await?;
                w.touch(Table::UsageRegister, entry.id);
                Some((service, entry))
            }
            _ => None,
        };
        let service_id = created.as_ref().map(|(s, _)| s.id);
        // The decision's per-item comments belong to the record of it.
        let mut after_json =
            serde_json::to_value(&after).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if let Some(obj) = after_json.as_object_mut() {
            obj.insert("decision_comments".into(), serde_json::json!(comments));
        }
        w.audit(Audit {
            action: outcome.action(),
            entity: Entity::Application,
            entity_id: Some(before.id),
            service_id,
            before: Some(to_json(before)),
            after: Some(after_json.to_string()),
        })
        .await?;
        for action in &effects.audit {
            w.audit(created_record(*action, created.as_ref())?).await?;
        }
        let about = About {
            application_id: Some(before.id),
            service_id,
            subject: &before.service_name,
        };
        w.notify(&effects.notify, &about).await?;
        w.commit().await?;
        Ok((after, created.map(|(s, _)| s)))
    }
}

/// The audit event of a record that an approval created, for an action the domain named.
fn created_record(action: Action, created: Option<&(ServiceRow, RegisterRow)>) -> Result<Audit> {
    match (action, created) {
        (Action::ServiceApproved, Some((s, _))) => Ok(service_approved(s)),
        (Action::RegisterCreated, Some((s, entry))) => Ok(Audit::created(
            Action::RegisterCreated,
            Entity::Register,
            entry.id,
            Some(s.id),
            entry,
        )),
        (other, _) => Err(StoreError::Corrupt(format!(
            "no record for the effect {}",
            other.as_str()
        ))),
    }
}

reads! {
    rounds(application_id: i64) -> list RoundRow = "SELECT * FROM application_rounds WHERE application_id = $1 ORDER BY round";
}
