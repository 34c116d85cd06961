//! The class-2+ track's storage: evaluation and procurement, submission rounds, the ISM's
//! decision with the approved service, the usage-register entry and the notifications — each
//! step in one transaction with its audit events.

use crate::applications::{fetch, insert_service, stale_or_missing};
use crate::audit::{Event, append};
use crate::notifications::{NewNotification, notify};
use crate::{ApplicationRow, Result, RoundRow, ServiceRow, Store, Who, ms, to_json};
use gaibu_domain::application::Approval;

const ROUND_COLUMNS: &str = "id, application_id, round, submitted_by, submitted_at, content, \
    decision, decided_by, decided_at, reason, comments";

/// The eight fields of the service usage register (S5.2.1-5a–h), as text.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegisterFields {
    pub service_name: String,
    pub provider_name: String,
    pub purpose: String,
    pub classification: String,
    pub period_of_use: String,
    pub applicant: String,
    pub user_scope: String,
    pub administrator: String,
}

/// The ISM's decision as stored.
pub enum Decided<'a> {
    Approved {
        approval: &'a Approval,
        snapshot: &'a str,
        register: &'a RegisterFields,
        citizen_facing: bool,
    },
    Rejected {
        reason: &'a str,
    },
    Returned {
        reason: &'a str,
    },
}

impl Store {
    #[allow(clippy::too_many_arguments)]
    async fn update_json_column(
        &self,
        who: &Who,
        before: &ApplicationRow,
        column: &'static str,
        json: &str,
        reuse: &str,
        action: &str,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(&format!(
            "UPDATE applications SET {column} = $1, updated_at = $2, reuse = $5, version = version + 1 \
             WHERE id = $3 AND version = $4 AND state IN ('draft', 'returned')"
        ))
        .bind(json)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .bind(reuse)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        let after = fetch(&mut tx, before.id).await?;
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action,
                entity: "application",
                entity_id: Some(before.id),
                service_id: None,
                before: Some(to_json(before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// S3.2a–g, item by item.
    pub async fn save_evaluation(
        &self,
        who: &Who,
        before: &ApplicationRow,
        json: &str,
        reuse: &str,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        self.update_json_column(
            who,
            before,
            "evaluation",
            json,
            reuse,
            "application.evaluation_saved",
            now,
        )
        .await
    }

    /// S3.3: the procurement record.
    pub async fn save_procurement(
        &self,
        who: &Who,
        before: &ApplicationRow,
        json: &str,
        reuse: &str,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        self.update_json_column(
            who,
            before,
            "procurement",
            json,
            reuse,
            "application.procurement_saved",
            now,
        )
        .await
    }

    /// S3.4a, S5.2.1-1: the application goes to the ISM as a new round; `content` is exactly
    /// what was submitted; `reviewers` are told.
    pub async fn submit_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        content: &str,
        reviewers: &[i64],
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE applications SET state = 'submitted', round = round + 1, submitted_at = $1, \
             updated_at = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND state IN ('draft', 'returned')",
        )
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        let after = fetch(&mut tx, before.id).await?;
        sqlx::query(
            "INSERT INTO application_rounds (application_id, round, submitted_by, submitted_at, content) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(before.id)
        .bind(after.round)
        .bind(who.user_id)
        .bind(ms(now))
        .bind(content)
        .execute(&mut *tx)
        .await?;
        for r in reviewers {
            notify(
                &mut tx,
                &NewNotification {
                    user_id: *r,
                    kind: "submitted",
                    application_id: Some(before.id),
                    service_id: None,
                    subject: &before.service_name,
                },
                now,
            )
            .await?;
        }
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: "application.submitted",
                entity: "application",
                entity_id: Some(before.id),
                service_id: None,
                before: Some(to_json(before)),
                after: Some(to_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// S3.4b–c, S5.2.1-2..5: the decision on the current round. On approval, in the same
    /// transaction: the approved service with the applicant as administrator, the usage-register
    /// entry, and the notifications of the result and the designation.
    pub async fn decide_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        decided: &Decided<'_>,
        comments: &str,
        now: jiff::Timestamp,
    ) -> Result<(ApplicationRow, Option<ServiceRow>)> {
        let (state, reason, decision) = match decided {
            Decided::Approved { .. } => ("approved", None, "approve"),
            Decided::Rejected { reason } => ("rejected", Some(*reason), "reject"),
            Decided::Returned { reason } => ("returned", Some(*reason), "return"),
        };
        let mut tx = self.pool.begin().await?;
        let (approved_by, approved_at, snapshot, sha) = match decided {
            Decided::Approved {
                approval, snapshot, ..
            } => {
                use sha2::{Digest, Sha256};
                (
                    Some(approval.approver),
                    Some(ms(approval.approved_at)),
                    Some(snapshot.to_string()),
                    Some(hex::encode(Sha256::digest(snapshot.as_bytes()))),
                )
            }
            _ => (None, None, None, None),
        };
        let n = sqlx::query(
            "UPDATE applications SET state = $1, decision_reason = $2, approved_by = $3, \
             approved_at = $4, approval_snapshot = $5, snapshot_sha256 = $6, updated_at = $7, \
             version = version + 1 WHERE id = $8 AND version = $9 AND state = 'submitted'",
        )
        .bind(state)
        .bind(reason)
        .bind(approved_by)
        .bind(approved_at)
        .bind(&snapshot)
        .bind(&sha)
        .bind(ms(now))
        .bind(before.id)
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stale_or_missing(n)?;
        sqlx::query(
            "UPDATE application_rounds SET decision = $1, decided_by = $2, decided_at = $3, \
             reason = $4, comments = $5 WHERE application_id = $6 AND round = $7",
        )
        .bind(decision)
        .bind(who.user_id)
        .bind(ms(now))
        .bind(reason)
        .bind(comments)
        .bind(before.id)
        .bind(before.round)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, before.id).await?;
        let service = match decided {
            Decided::Approved {
                approval,
                register,
                citizen_facing,
                ..
            } => {
                let service = insert_service(&mut tx, before, approval, now).await?;
                let entry = crate::register::insert(
                    &mut tx,
                    service.id,
                    before.org_unit_id,
                    register,
                    *citizen_facing,
                    now,
                )
                .await?;
                for (kind, user) in [
                    ("approved", before.applicant_id),
                    ("designated", approval.administrator),
                ] {
                    notify(
                        &mut tx,
                        &NewNotification {
                            user_id: user,
                            kind,
                            application_id: Some(before.id),
                            service_id: Some(service.id),
                            subject: &before.service_name,
                        },
                        now,
                    )
                    .await?;
                }
                append(
                    &mut tx,
                    who,
                    ms(now),
                    Event {
                        action: "service.approved",
                        entity: "service",
                        entity_id: Some(service.id),
                        service_id: Some(service.id),
                        before: None,
                        after: Some(to_json(&service)),
                    },
                )
                .await?;
                append(
                    &mut tx,
                    who,
                    ms(now),
                    Event {
                        action: "register.created",
                        entity: "register",
                        entity_id: Some(entry.id),
                        service_id: Some(service.id),
                        before: None,
                        after: Some(to_json(&entry)),
                    },
                )
                .await?;
                Some(service)
            }
            _ => {
                notify(
                    &mut tx,
                    &NewNotification {
                        user_id: before.applicant_id,
                        kind: decision_kind(decision),
                        application_id: Some(before.id),
                        service_id: None,
                        subject: &before.service_name,
                    },
                    now,
                )
                .await?;
                None
            }
        };
        // The decision's reasons and per-item comments belong to the record of it.
        let mut after_json: serde_json::Value =
            serde_json::from_str(&to_json(&after)).unwrap_or_default();
        if let Some(obj) = after_json.as_object_mut() {
            obj.insert(
                "decision_comments".into(),
                serde_json::from_str(comments).unwrap_or_default(),
            );
        }
        append(
            &mut tx,
            who,
            ms(now),
            Event {
                action: match decision {
                    "approve" => "application.approved",
                    "reject" => "application.rejected",
                    _ => "application.returned",
                },
                entity: "application",
                entity_id: Some(before.id),
                service_id: service.as_ref().map(|s| s.id),
                before: Some(to_json(before)),
                after: Some(after_json.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((after, service))
    }

    pub async fn rounds(&self, application_id: i64) -> Result<Vec<RoundRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM application_rounds WHERE application_id = $1 ORDER BY round"
        ))
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

fn decision_kind(decision: &str) -> &'static str {
    match decision {
        "reject" => "rejected",
        _ => "returned",
    }
}
