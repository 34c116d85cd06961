//! Re-checks (S6.1), corrective actions and the stop of use (S6.2), and checks ordered by the
//! ISM (S6.3). Each write is one transaction with its audit events, notifications and
//! deadlines.

use crate::codec::{decode_rows, reads};
use crate::write::{About, Change, Deadline, Expect, New, Table, Val, Write};
use crate::{Result, ServiceRow, Store, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::deadline::DeadlineKind;
use gaibu_domain::effects::Notice;
use gaibu_domain::ledger::LedgerStatus;
use gaibu_domain::recheck::{ActionState, RecheckState, Trigger};
use gaibu_domain::sheet::Answers;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

decode_rows! {
    RecheckRow {
        id: get, service_id: get, administrator_id: get, cause: named(Trigger::parse),
        description: get, occurred_on: date, tos_version: get, tos_url: get, evidence_id: get,
        due_on: date, state: named(RecheckState::parse), sheet_policy_id: get, answers: json,
        reason: get, judged_by: get, judged_at: opt_ts, opened_by: get, created_at: ts,
        updated_at: ts, version: get,
    }
    CorrectiveActionRow {
        id: get, recheck_id: get, service_id: get, administrator_id: get, owner_id: get,
        due_on: date, plan: get, state: named(ActionState::parse), note: get,
        resulted_by: get, resulted_at: opt_ts, created_at: ts, updated_at: ts, version: get,
    }
}

mod orders;
pub use orders::{CheckOrderRow, NewOrder, OrderProgressRow, OrderTargetRow, OrderTargetView};

/// A re-check (S6.1).
#[derive(Debug, Clone, Serialize)]
pub struct RecheckRow {
    pub id: i64,
    pub service_id: i64,
    pub administrator_id: i64,
    pub cause: Trigger,
    pub description: String,
    pub occurred_on: Date,
    pub tos_version: String,
    pub tos_url: String,
    /// The certificate whose expiry opened it.
    pub evidence_id: Option<i64>,
    pub due_on: Date,
    pub state: RecheckState,
    /// The sheet it was answered on (the track's sheet in force when answered).
    pub sheet_policy_id: Option<i64>,
    pub answers: Answers,
    /// The administrator's reason for the judgement.
    pub reason: String,
    pub judged_by: Option<i64>,
    pub judged_at: Option<Timestamp>,
    pub opened_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A corrective action (S6.2).
#[derive(Debug, Clone, Serialize)]
pub struct CorrectiveActionRow {
    pub id: i64,
    pub recheck_id: i64,
    pub service_id: i64,
    pub administrator_id: i64,
    pub owner_id: i64,
    pub due_on: Date,
    pub plan: String,
    pub state: ActionState,
    pub note: String,
    pub resulted_by: Option<i64>,
    pub resulted_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A re-check to open.
pub struct NewRecheck<'a> {
    pub cause: Trigger,
    pub description: &'a str,
    pub occurred_on: Date,
    pub tos_version: &'a str,
    pub tos_url: &'a str,
    /// The certificate (and its expiry) that opened it.
    pub evidence: Option<(i64, Date)>,
    pub due_on: Date,
    /// Who is told (the administrator, when someone else opened it).
    pub notify: &'a [Notice],
}

/// How a saved re-check was judged.
pub enum Judged<'a> {
    /// A draft: answered in part, or not judged yet.
    Draft,
    Compliant {
        reason: &'a str,
        /// The service to bring back into operation (S6.2), when it is suspended.
        resume: Option<&'a ServiceRow>,
    },
    NotCompliant {
        reason: &'a str,
    },
}

const IN_USE: &[&str] = &["in_operation", "suspended"];

pub(crate) async fn insert_recheck(
    w: &mut Write<'_>,
    service: &ServiceRow,
    r: &NewRecheck<'_>,
) -> Result<RecheckRow> {
    let cols: Vec<(&'static str, Val)> = vec![
        ("service_id", service.id.into()),
        ("administrator_id", service.administrator_id.into()),
        ("cause", r.cause.as_str().into()),
        ("description", r.description.into()),
        ("occurred_on", r.occurred_on.into()),
        ("tos_version", r.tos_version.into()),
        ("tos_url", r.tos_url.into()),
        ("evidence_id", r.evidence.map(|(id, _)| id).into()),
        ("due_on", r.due_on.into()),
        ("state", RecheckState::Open.as_str().into()),
        ("answers", "{}".into()),
        ("opened_by", w.who.user_id.into()),
        ("created_at", w.now.into()),
        ("updated_at", w.now.into()),
    ];
    let new = New {
        table: "rechecks",
        cols,
        action: Action::RecheckOpened,
        entity: Entity::Recheck,
        entity_id: None,
        service_id: Some(service.id),
    };
    let row: RecheckRow = w.create(new).await?;
    let admin = [service.administrator_id];
    w.deadline(&Deadline {
        kind: DeadlineKind::Recheck,
        subject_id: row.id,
        service_id: Some(service.id),
        due_on: r.due_on,
        recipients: &admin,
    })
    .await?;
    if let Some((evidence_id, expires_on)) = r.evidence {
        w.deadline(&Deadline {
            kind: DeadlineKind::CertificateExpiry,
            subject_id: evidence_id,
            service_id: Some(service.id),
            due_on: expires_on,
            recipients: &admin,
        })
        .await?;
    }
    let subject = format!("{}: {}", service.name, r.description);
    let about = About {
        application_id: None,
        service_id: Some(service.id),
        subject: &subject,
    };
    w.notify(r.notify, &about).await?;
    Ok(row)
}

impl Store {
    /// S6.1: an event on a service opens a re-check for its administrator, due on a day, with
    /// its deadline. A second re-check for the same certificate is `Duplicate`.
    pub async fn open_recheck(
        &self,
        who: &Who,
        service: &ServiceRow,
        r: &NewRecheck<'_>,
        now: Timestamp,
    ) -> Result<RecheckRow> {
        let mut w = self.begin(who, now).await?;
        let row = insert_recheck(&mut w, service, r).await?;
        w.commit().await?;
        Ok(row)
    }

    /// S6.1: the answers saved (a draft) or judged. A pass closes the deadline and brings a
    /// suspended service back into operation (S6.2).
    pub async fn save_recheck(
        &self,
        who: &Who,
        before: &RecheckRow,
        sheet_policy_id: i64,
        answers: &Answers,
        judged: Judged<'_>,
        now: Timestamp,
    ) -> Result<RecheckRow> {
        let mut set: Vec<(&'static str, Val)> = vec![
            ("answers", crate::to_json(answers).into()),
            ("sheet_policy_id", sheet_policy_id.into()),
        ];
        let (state, reason, action) = match &judged {
            Judged::Draft => (RecheckState::Open, None, Action::RecheckSaved),
            Judged::Compliant { reason, .. } => (
                RecheckState::Compliant,
                Some(*reason),
                Action::RecheckJudged,
            ),
            Judged::NotCompliant { reason } => (
                RecheckState::NotCompliant,
                Some(*reason),
                Action::RecheckJudged,
            ),
        };
        if let Some(reason) = reason {
            set.push(("state", state.as_str().into()));
            set.push(("reason", reason.into()));
            set.push(("judged_by", who.user_id.into()));
            set.push(("judged_at", now.into()));
        }
        let c = Change {
            table: Table::Rechecks,
            expect: Expect::at(before.id, before.version, &["open"]),
            set,
            before,
            action,
            service_id: Some(before.service_id),
        };
        let mut w = self.begin(who, now).await?;
        let after: RecheckRow = w.change(c).await?;
        if reason.is_some() {
            w.close_deadline(DeadlineKind::Recheck, after.id).await?;
        }
        if let Judged::Compliant {
            resume: Some(svc), ..
        } = judged
        {
            let c = Change {
                table: Table::Services,
                expect: Expect::any_version(svc.id, &["suspended"]),
                set: vec![
                    ("ledger_status", LedgerStatus::InOperation.as_str().into()),
                    ("suspended_on", Option::<String>::None.into()),
                    ("suspend_reason", Option::<String>::None.into()),
                ],
                before: svc,
                action: Action::ServiceResumed,
                service_id: Some(svc.id),
            };
            let _: ServiceRow = w.change(c).await?;
        }
        w.commit().await?;
        Ok(after)
    }

    /// S6.2: a corrective action for a re-check that was not compliant, with its deadline; its
    /// owner is told.
    #[allow(clippy::too_many_arguments)]
    pub async fn plan_corrective_action(
        &self,
        who: &Who,
        recheck: &RecheckRow,
        owner_id: i64,
        due_on: Date,
        plan: &str,
        notify: &[Notice],
        now: Timestamp,
    ) -> Result<CorrectiveActionRow> {
        let mut w = self.begin(who, now).await?;
        // The re-check first: it takes the write lock and proves it is still not compliant.
        w.update(
            Table::Rechecks,
            Expect::any_version(recheck.id, &["not_compliant"]),
            vec![],
        )
        .await?;
        let cols: Vec<(&'static str, Val)> = vec![
            ("recheck_id", recheck.id.into()),
            ("service_id", recheck.service_id.into()),
            ("administrator_id", recheck.administrator_id.into()),
            ("owner_id", owner_id.into()),
            ("due_on", due_on.into()),
            ("plan", plan.into()),
            ("state", ActionState::Open.as_str().into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ];
        let new = New {
            table: "corrective_actions",
            cols,
            action: Action::CorrectiveActionRecorded,
            entity: Entity::CorrectiveAction,
            entity_id: None,
            service_id: Some(recheck.service_id),
        };
        let row: CorrectiveActionRow = w.create(new).await?;
        let mut recipients = vec![owner_id];
        if recheck.administrator_id != owner_id {
            recipients.push(recheck.administrator_id);
        }
        w.deadline(&Deadline {
            kind: DeadlineKind::CorrectiveAction,
            subject_id: row.id,
            service_id: Some(row.service_id),
            due_on,
            recipients: &recipients,
        })
        .await?;
        let about = About {
            application_id: None,
            service_id: Some(row.service_id),
            subject: plan,
        };
        w.notify(notify, &about).await?;
        w.commit().await?;
        Ok(row)
    }

    /// S6.2: the result of a corrective action. Not corrected: the service's use is stopped
    /// (利用停止) with the reason. Either way a follow-up re-check is opened, whose pass brings
    /// the service back into operation.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_corrective_result(
        &self,
        who: &Who,
        before: &CorrectiveActionRow,
        state: ActionState,
        note: &str,
        service: &ServiceRow,
        follow_up: &NewRecheck<'_>,
        today: Date,
        notify: &[Notice],
        now: Timestamp,
    ) -> Result<CorrectiveActionRow> {
        let c = Change {
            table: Table::CorrectiveActions,
            expect: Expect::at(before.id, before.version, &["open"]),
            set: vec![
                ("state", state.as_str().into()),
                ("note", note.into()),
                ("resulted_by", who.user_id.into()),
                ("resulted_at", now.into()),
            ],
            before,
            action: Action::CorrectiveActionResulted,
            service_id: Some(before.service_id),
        };
        let mut w = self.begin(who, now).await?;
        let after: CorrectiveActionRow = w.change(c).await?;
        w.close_deadline(DeadlineKind::CorrectiveAction, after.id)
            .await?;
        if state == ActionState::NotCorrected {
            let c = Change {
                table: Table::Services,
                expect: Expect::any_version(service.id, IN_USE),
                set: vec![
                    ("ledger_status", LedgerStatus::Suspended.as_str().into()),
                    ("suspended_on", today.into()),
                    ("suspend_reason", note.into()),
                ],
                before: service,
                action: Action::ServiceSuspended,
                service_id: Some(service.id),
            };
            let _: ServiceRow = w.change(c).await?;
            let about = About {
                application_id: None,
                service_id: Some(service.id),
                subject: note,
            };
            w.notify(notify, &about).await?;
        }
        insert_recheck(&mut w, service, follow_up).await?;
        w.commit().await?;
        Ok(after)
    }
}

/// A certificate attached to an approved application whose service is in use.
#[derive(Debug, Clone, Serialize)]
pub struct ExpiringCertificate {
    pub id: i64,
    pub service_id: i64,
    pub filename: String,
    pub expires_on: Date,
}

/// A provider with one of its services.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderRow {
    pub id: i64,
    pub provider: String,
}

decode_rows! {
    ProviderRow { id: get, provider: get }
    ExpiringCertificate { id: get, service_id: get, filename: get, expires_on: date }
}

reads! {
    recheck(id: i64) -> one RecheckRow = "SELECT * FROM rechecks WHERE id = $1";
    /// The providers of services in the ledger and not retired, for the ISM's order form.
    providers_in_use() -> list ProviderRow = "SELECT MIN(id) AS id, provider FROM services WHERE ledger_status IN ('building', 'in_operation', 'suspended') GROUP BY provider ORDER BY provider";
    /// The last re-check that passed: its answers are the previous ones of the next.
    last_passed_recheck(service_id: i64) -> one RecheckRow = "SELECT * FROM rechecks WHERE service_id = $1 AND state = 'compliant' ORDER BY judged_at DESC, id DESC LIMIT 1";
    corrective_action(id: i64) -> one CorrectiveActionRow = "SELECT * FROM corrective_actions WHERE id = $1";
    corrective_action_of_recheck(recheck_id: i64) -> one CorrectiveActionRow = "SELECT * FROM corrective_actions WHERE recheck_id = $1";
    check_order(id: i64) -> one CheckOrderRow = "SELECT * FROM check_orders WHERE id = $1";
    order_target(id: i64) -> one OrderTargetRow = "SELECT * FROM check_order_targets WHERE id = $1";
    check_order_progress(today: String, id: i64) -> one OrderProgressRow = "SELECT o.*, \
        (SELECT COUNT(*) FROM check_order_targets t WHERE t.order_id = o.id) AS total, \
        (SELECT COUNT(*) FROM check_order_targets t WHERE t.order_id = o.id AND t.state = 'reported') AS reported, \
        (SELECT COUNT(*) FROM check_order_targets t WHERE t.order_id = o.id AND t.state = 'pending' AND t.due_on >= $1) AS pending, \
        (SELECT COUNT(*) FROM check_order_targets t WHERE t.order_id = o.id AND t.state = 'pending' AND t.due_on < $1) AS overdue \
        FROM check_orders o WHERE o.id = $2";
    /// S6.3: the services in use of one provider.
    services_in_use_of_provider(provider: String) -> list ServiceRow = "SELECT * FROM services WHERE provider = $1 AND ledger_status IN ('building', 'in_operation', 'suspended') ORDER BY id";
    /// S6.1: certificates expiring by `until` of services in use that have no re-check yet.
    certificates_expiring_by(until: String) -> list ExpiringCertificate = "SELECT e.id, s.id AS service_id, e.filename, e.expires_on \
        FROM evidence e JOIN services s ON s.application_id = e.application_id \
        WHERE e.removed_at IS NULL AND e.expires_on IS NOT NULL AND e.expires_on <= $1 \
        AND s.ledger_status IN ('in_operation', 'suspended') \
        AND NOT EXISTS (SELECT 1 FROM rechecks r WHERE r.evidence_id = e.id) ORDER BY e.id";
}
