//! The end of use of class-2+ services (S7.1, S3.7-2, S3.7-3) and of class-1 ones (S7.2).

use crate::codec::{decode_rows, reads, to_json};
use crate::evidence::StoredFile;
use crate::write::{About, Change, Deadline, Expect, New, Table, Write};
use crate::{AccountRow, RegisterRow, Result, ServiceRow, Store, StoreError, Who};
use gaibu_domain::account::AccountStatus;
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::deadline::DeadlineKind;
use gaibu_domain::effects::{Notice, NoticeKind};
use gaibu_domain::ledger::LedgerStatus;
use gaibu_domain::termination::{Decision, Disposal, MeasureRecord, Request, TerminationState};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// A service's termination as stored.
#[derive(Debug, Clone, Serialize)]
pub struct TerminationRow {
    pub id: i64,
    pub service_id: i64,
    pub org_unit_id: i64,
    pub state: TerminationState,
    pub reason: String,
    pub planned_end_on: Date,
    /// The service-life policy whose end-of-use measures apply (S1.3: the one in force when it
    /// was applied for).
    pub service_life_policy_id: Option<i64>,
    /// S3.7-3: the service handles highly confidential information (住民情報等).
    pub highly_confidential: bool,
    pub requested_by: i64,
    pub requested_at: Timestamp,
    pub decided_by: Option<i64>,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: Option<String>,
    pub ledger_retired_on: Option<Date>,
    pub register_ended_on: Option<Date>,
    pub register_ended_by: Option<i64>,
    pub disposal: Option<Disposal>,
    pub disposal_recorded_by: Option<i64>,
    pub disposal_recorded_at: Option<Timestamp>,
    pub proof_filename: Option<String>,
    pub proof_content_type: Option<String>,
    pub proof_size_bytes: Option<i64>,
    pub proof_sha256: Option<String>,
    /// S3.7-2: the end-of-use measures' statuses by measure id.
    pub end_of_use: BTreeMap<String, MeasureRecord>,
    pub completed_by: Option<i64>,
    pub completed_at: Option<Timestamp>,
    pub completion_note: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

decode_rows! {
    TerminationRow {
        id: get, service_id: get, org_unit_id: get, state: named(TerminationState::parse),
        reason: get, planned_end_on: date, service_life_policy_id: get,
        highly_confidential: flag, requested_by: get, requested_at: ts, decided_by: get,
        decided_at: opt_ts, decision_reason: get, ledger_retired_on: opt_date,
        register_ended_on: opt_date, register_ended_by: get, disposal: json,
        disposal_recorded_by: get, disposal_recorded_at: opt_ts, proof_filename: get,
        proof_content_type: get, proof_size_bytes: get, proof_sha256: get, end_of_use: json,
        completed_by: get, completed_at: opt_ts, completion_note: get, created_at: ts,
        updated_at: ts, version: get,
    }
}

/// What the administrator applied for, and what the shell found out for it.
pub struct NewTermination<'a> {
    pub request: &'a Request,
    pub service_life_policy_id: Option<i64>,
    pub highly_confidential: bool,
    /// The ISMs over the service's unit, told that it waits for them.
    pub isms: &'a [i64],
}

const REQUESTED: &[&str] = &[TerminationState::Requested.as_str()];
const ACCEPTED: &[&str] = &[TerminationState::Accepted.as_str()];
const RETURNED: &[&str] = &[TerminationState::Returned.as_str()];
/// The ledger statuses before 廃止済み.
const BEFORE_RETIRED: &[&str] = &[
    LedgerStatus::Building.as_str(),
    LedgerStatus::InOperation.as_str(),
    LedgerStatus::Suspended.as_str(),
];

fn about(s: &ServiceRow) -> About<'_> {
    About {
        application_id: None,
        service_id: Some(s.id),
        subject: &s.name,
    }
}

impl Store {
    /// S7.1-1: the administrator applies (again, after a return) to the ISM.
    pub async fn request_termination(
        &self,
        who: &Who,
        s: &ServiceRow,
        returned: Option<&TerminationRow>,
        n: &NewTermination<'_>,
        now: Timestamp,
    ) -> Result<TerminationRow> {
        let requested = TerminationState::Requested.as_str();
        let mut w = self.begin(who, now).await?;
        let row: TerminationRow = match returned {
            Some(before) => {
                let c = Change {
                    table: Table::Terminations,
                    expect: Expect::at(before.id, before.version, RETURNED),
                    set: vec![
                        ("state", requested.into()),
                        ("reason", (&n.request.reason).into()),
                        ("planned_end_on", n.request.planned_end_on.into()),
                        ("requested_at", now.into()),
                        ("decision_reason", None::<String>.into()),
                    ],
                    before,
                    action: Action::TerminationRequested,
                    service_id: Some(s.id),
                };
                w.change(c).await?
            }
            None => {
                let cols = vec![
                    ("service_id", s.id.into()),
                    ("org_unit_id", s.org_unit_id.into()),
                    ("state", requested.into()),
                    ("reason", (&n.request.reason).into()),
                    ("planned_end_on", n.request.planned_end_on.into()),
                    ("service_life_policy_id", n.service_life_policy_id.into()),
                    ("highly_confidential", n.highly_confidential.into()),
                    ("requested_by", who.user_id.into()),
                    ("requested_at", now.into()),
                    ("created_at", now.into()),
                    ("updated_at", now.into()),
                ];
                let new = New {
                    table: "terminations",
                    cols,
                    action: Action::TerminationRequested,
                    entity: Entity::Termination,
                    entity_id: None,
                    service_id: Some(s.id),
                };
                w.create(new).await?
            }
        };
        let notices: Vec<Notice> = n
            .isms
            .iter()
            .map(|&user_id| Notice {
                user_id,
                kind: NoticeKind::TerminationRequested,
            })
            .collect();
        w.notify(&notices, &about(s)).await?;
        w.commit().await?;
        Ok(row)
    }

    /// The ISM accepts or returns the request; the administrator is told. On acceptance the
    /// planned end of use becomes a deadline for the administrator.
    pub async fn decide_termination(
        &self,
        who: &Who,
        s: &ServiceRow,
        before: &TerminationRow,
        d: &Decision,
        now: Timestamp,
    ) -> Result<TerminationRow> {
        let (state, action, kind) = match d.accept {
            true => (
                TerminationState::Accepted,
                Action::TerminationAccepted,
                NoticeKind::TerminationAccepted,
            ),
            false => (
                TerminationState::Returned,
                Action::TerminationReturned,
                NoticeKind::TerminationReturned,
            ),
        };
        let reason = (!d.reason.is_empty()).then(|| d.reason.clone());
        let c = Change {
            table: Table::Terminations,
            expect: Expect::at(before.id, before.version, REQUESTED),
            set: vec![
                ("state", state.as_str().into()),
                ("decided_by", who.user_id.into()),
                ("decided_at", now.into()),
                ("decision_reason", reason.into()),
            ],
            before,
            action,
            service_id: Some(s.id),
        };
        let mut w = self.begin(who, now).await?;
        let after: TerminationRow = w.change(c).await?;
        let notice = Notice {
            user_id: s.administrator_id,
            kind,
        };
        w.notify(&[notice], &about(s)).await?;
        if d.accept {
            planned_end(&mut w, &after, s).await?;
        }
        w.commit().await?;
        Ok(after)
    }

    /// S7.1-2: the ledger entry goes to 廃止済み through the accepted termination.
    pub async fn termination_retire_ledger(
        &self,
        who: &Who,
        s: &ServiceRow,
        before: &TerminationRow,
        on: Date,
        now: Timestamp,
    ) -> Result<TerminationRow> {
        let mut w = self.begin(who, now).await?;
        let c = Change {
            table: Table::Terminations,
            expect: Expect::at(before.id, before.version, ACCEPTED),
            set: vec![("ledger_retired_on", on.into())],
            before,
            action: Action::LedgerRetired,
            service_id: Some(s.id),
        };
        let after: TerminationRow = w.change(c).await?;
        let c = Change {
            table: Table::Services,
            expect: Expect::at(s.id, s.version, BEFORE_RETIRED),
            set: vec![
                ("ledger_status", LedgerStatus::Retired.as_str().into()),
                ("retired_on", on.into()),
                ("retire_reason", (&before.reason).into()),
            ],
            before: s,
            action: Action::LedgerRetired,
            service_id: Some(s.id),
        };
        let _: ServiceRow = w.change(c).await?;
        // Nothing else falls due on an ended service; the termination's own end still does.
        w.close_deadlines_of_service(s.id).await?;
        planned_end(&mut w, &after, s).await?;
        w.commit().await?;
        Ok(after)
    }

    /// S7.1-3: the ISM marks the usage-register entry ended, with the date.
    pub async fn termination_end_register(
        &self,
        who: &Who,
        s: &ServiceRow,
        before: &TerminationRow,
        entry: Option<&RegisterRow>,
        on: Date,
        now: Timestamp,
    ) -> Result<TerminationRow> {
        let mut w = self.begin(who, now).await?;
        let c = Change {
            table: Table::Terminations,
            expect: Expect::at(before.id, before.version, ACCEPTED),
            set: vec![
                ("register_ended_on", on.into()),
                ("register_ended_by", who.user_id.into()),
            ],
            before,
            action: Action::RegisterEnded,
            service_id: Some(s.id),
        };
        let after: TerminationRow = w.change(c).await?;
        if let Some(e) = entry {
            let c = Change {
                table: Table::UsageRegister,
                expect: Expect::any_version(e.id, &[]),
                set: vec![("ended_on", on.into())],
                before: e,
                action: Action::RegisterEnded,
                service_id: Some(s.id),
            };
            let _: RegisterRow = w.change(c).await?;
        }
        w.commit().await?;
        Ok(after)
    }

    /// S7.1-4, S3.7-3: the disposal of the information and its proof (a file, when given; a
    /// record made again replaces the earlier one, which stays in the history).
    pub async fn record_disposal(
        &self,
        who: &Who,
        s: &ServiceRow,
        before: &TerminationRow,
        d: &Disposal,
        proof: Option<&StoredFile<'_>>,
        now: Timestamp,
    ) -> Result<TerminationRow> {
        let set = vec![
            ("disposal", to_json(d).into()),
            ("disposal_recorded_by", who.user_id.into()),
            ("disposal_recorded_at", now.into()),
            ("proof_filename", proof.map(|p| p.filename).into()),
            ("proof_content_type", proof.map(|p| p.content_type).into()),
            ("proof_size_bytes", proof.map(|p| p.size_bytes).into()),
            ("proof_sha256", proof.map(|p| p.sha256).into()),
        ];
        let c = Change {
            table: Table::Terminations,
            expect: Expect::at(before.id, before.version, ACCEPTED),
            set,
            before,
            action: Action::DisposalRecorded,
            service_id: Some(s.id),
        };
        self.change(who, now, c).await
    }

    /// S3.7-2: the end-of-use measures' statuses (all of them, as merged by the shell).
    pub async fn record_end_of_use(
        &self,
        who: &Who,
        s: &ServiceRow,
        before: &TerminationRow,
        measures: &BTreeMap<String, MeasureRecord>,
        now: Timestamp,
    ) -> Result<TerminationRow> {
        let c = Change {
            table: Table::Terminations,
            expect: Expect::at(before.id, before.version, ACCEPTED),
            set: vec![("end_of_use", to_json(measures).into())],
            before,
            action: Action::EndOfUseRecorded,
            service_id: Some(s.id),
        };
        self.change(who, now, c).await
    }

    /// S7.1-6: the completion record. An account opened in the meantime makes it a lost race.
    pub async fn complete_termination(
        &self,
        who: &Who,
        s: &ServiceRow,
        before: &TerminationRow,
        note: &str,
        now: Timestamp,
    ) -> Result<TerminationRow> {
        let mut w = self.begin(who, now).await?;
        let c = Change {
            table: Table::Terminations,
            expect: Expect::at(before.id, before.version, ACCEPTED),
            set: vec![
                ("state", TerminationState::Completed.as_str().into()),
                ("completed_by", who.user_id.into()),
                ("completed_at", now.into()),
                ("completion_note", note.into()),
            ],
            before,
            action: Action::TerminationCompleted,
            service_id: Some(s.id),
        };
        let after: TerminationRow = w.change(c).await?;
        let open: Option<AccountRow> =
            sqlx::query_as("SELECT * FROM accounts WHERE service_id = $1 AND status = $2 LIMIT 1")
                .bind(s.id)
                .bind(AccountStatus::Active.as_str())
                .fetch_optional(w.conn())
                .await?;
        if open.is_some() {
            return Err(StoreError::WrongState("accounts_open".into()));
        }
        w.close_deadline(DeadlineKind::TerminationPlannedEnd, after.id)
            .await?;
        w.commit().await?;
        Ok(after)
    }
}

/// S7.2: the open accounts of a service closed with its retirement, each audited, in the
/// retirement's transaction.
pub(crate) async fn close_open_accounts(
    w: &mut Write<'_>,
    service_id: i64,
    closed_on: Date,
) -> Result<()> {
    let open: Vec<AccountRow> =
        sqlx::query_as("SELECT * FROM accounts WHERE service_id = $1 AND status = $2 ORDER BY id")
            .bind(service_id)
            .bind(AccountStatus::Active.as_str())
            .fetch_all(w.conn())
            .await?;
    let active = [AccountStatus::Active.as_str()];
    for a in &open {
        let c = Change {
            table: Table::Accounts,
            expect: Expect::at(a.id, a.version, &active),
            set: vec![
                ("status", AccountStatus::Closed.as_str().into()),
                ("closed_on", closed_on.into()),
            ],
            before: a,
            action: Action::AccountClosed,
            service_id: Some(service_id),
        };
        let _: AccountRow = w.change(c).await?;
    }
    Ok(())
}

/// The accepted termination's planned end, due for the administrator.
async fn planned_end(w: &mut Write<'_>, t: &TerminationRow, s: &ServiceRow) -> Result<()> {
    let d = Deadline {
        kind: DeadlineKind::TerminationPlannedEnd,
        subject_id: t.id,
        service_id: Some(s.id),
        due_on: t.planned_end_on,
        recipients: &[s.administrator_id],
    };
    w.deadline(&d).await
}

reads! {
    termination(id: i64) -> one TerminationRow = "SELECT * FROM terminations WHERE id = $1";
    termination_of_service(service_id: i64) -> one TerminationRow = "SELECT * FROM terminations WHERE service_id = $1";
}
