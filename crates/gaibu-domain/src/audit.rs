//! The audit trail: append-only events chained by SHA-256, so that editing, deleting or
//! reordering any past event is detectable.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What an audit event records. The names are stored in the chain: add, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ApplicationCreated,
    ApplicationUpdated,
    ApplicationSelfChecked,
    ApplicationReused,
    ApplicationApproved,
    ApplicationSubmitted,
    ApplicationReturned,
    ApplicationRejected,
    ApplicationEvaluationSaved,
    ApplicationProcurementSaved,
    ServiceApproved,
    LedgerRegistered,
    LedgerRetired,
    AccountRegistered,
    AccountClosed,
    RegisterCreated,
    RegisterUpdated,
    PolicyLoaded,
    PolicyApproved,
    PolicySuperseded,
    OrgUnitCreated,
    UserCreated,
    UserPasswordReset,
    UserPasswordChanged,
    UserDeactivated,
    UserReactivated,
    UserPasswordLoginChanged,
    UserLanguageChanged,
    /// A user's own choice of how dates are written (or the city's, again).
    UserDateStyleChanged,
    /// How the city's pages write dates, unless a user chose otherwise.
    DateStyleChanged,
    RoleAssigned,
    ApiTokenCreated,
    ApiTokenRevoked,
    ContractorRegistered,
    SubmissionCreated,
    SubmissionAnswersSaved,
    SubmissionSubmitted,
    SubmissionVerified,
    SubmissionEvidenceAdded,
    EvidenceAdded,
    EvidenceRemoved,
    SessionSignedIn,
    SessionSignInFailed,
    SessionLocked,
    SessionUnlocked,
    SessionMfaFailed,
    MfaEnrolled,
    MfaReset,
    MfaRecoveryCodeUsed,
    AccessDenied,
    ReminderSent,
    AdministratorChanged,
    TerminationRequested,
    TerminationAccepted,
    TerminationReturned,
    RegisterEnded,
    DisposalRecorded,
    EndOfUseRecorded,
    TerminationCompleted,
    MeasureRecorded,
    ServiceInOperation,
    RuleDefined,
    CheckRecorded,
    ManagersChanged,
    RecheckOpened,
    RecheckSaved,
    RecheckJudged,
    CorrectiveActionRecorded,
    CorrectiveActionResulted,
    ServiceSuspended,
    ServiceResumed,
    CheckOrdered,
    CheckOrderReported,
    /// A list taken out as a spreadsheet or CSV file: who, which list, its filters, the format
    /// and the rows (issue 11).
    ListExported,
    /// A file of the city's existing records brought in (issue 11): which file (name, SHA-256),
    /// what it held and what it made or changed.
    ImportCompleted,
    /// A service of an imported ledger, created or changed; its event names the file and row.
    LedgerImported,
    /// A usage-register entry of an imported file, created or changed, with the file and row.
    RegisterImported,
    /// An official account of an imported file, with the file and row.
    AccountImported,
    /// A version of the ISMAP or ISMAP-LIU list imported: the file (name, SHA-256), its kind
    /// and its registrations (issue 11).
    IsmapListImported,
    /// The cross-check against the ISMAP lists flagged a service's claimed registration.
    IsmapFlagRaised,
    /// A later cross-check no longer finds the problem a flag named (or no longer checks the
    /// service: not in operation, or no registration claimed).
    IsmapFlagCleared,
    /// What the System Administrator set about the city's directory (base DN, filter,
    /// attribute and unit mapping), before and after (issue 11).
    DirectorySettingsChanged,
    /// A sync with the city's directory applied: what it read and what it changed.
    DirectorySynced,
    /// A user's name or mail taken from the directory, or the user first matched to it.
    UserDirectoryUpdated,
    /// A user moved to another unit or post by the personnel rotation (issue 11).
    UserMoved,
    /// A role assignment ended (its post left in a rotation).
    RoleEnded,
    /// A move of the personnel rotation dated in the future, kept for its day.
    RotationScheduled,
    /// A scheduled move that could not be applied on its day, and why.
    RotationFailed,
    /// A successor designated for a service whose administrator moved or left (or the same
    /// person confirmed in their new post), its usage register's ク updated.
    SuccessorDesignated,
    /// A leaver's official account handed over to the post's successor by its service's
    /// administrator (S3.5.1a).
    LeaverAccountHandedOver,
}

impl Action {
    pub const ALL: [Action; 90] = [
        Action::ApplicationCreated,
        Action::ApplicationUpdated,
        Action::ApplicationSelfChecked,
        Action::ApplicationReused,
        Action::ApplicationApproved,
        Action::ApplicationSubmitted,
        Action::ApplicationReturned,
        Action::ApplicationRejected,
        Action::ApplicationEvaluationSaved,
        Action::ApplicationProcurementSaved,
        Action::ServiceApproved,
        Action::LedgerRegistered,
        Action::LedgerRetired,
        Action::AccountRegistered,
        Action::AccountClosed,
        Action::RegisterCreated,
        Action::RegisterUpdated,
        Action::PolicyLoaded,
        Action::PolicyApproved,
        Action::PolicySuperseded,
        Action::OrgUnitCreated,
        Action::UserCreated,
        Action::UserPasswordReset,
        Action::UserPasswordChanged,
        Action::UserDeactivated,
        Action::UserReactivated,
        Action::UserPasswordLoginChanged,
        Action::UserLanguageChanged,
        Action::UserDateStyleChanged,
        Action::DateStyleChanged,
        Action::RoleAssigned,
        Action::ApiTokenCreated,
        Action::ApiTokenRevoked,
        Action::ContractorRegistered,
        Action::SubmissionCreated,
        Action::SubmissionAnswersSaved,
        Action::SubmissionSubmitted,
        Action::SubmissionVerified,
        Action::SubmissionEvidenceAdded,
        Action::EvidenceAdded,
        Action::EvidenceRemoved,
        Action::SessionSignedIn,
        Action::SessionSignInFailed,
        Action::SessionLocked,
        Action::SessionUnlocked,
        Action::SessionMfaFailed,
        Action::MfaEnrolled,
        Action::MfaReset,
        Action::MfaRecoveryCodeUsed,
        Action::AccessDenied,
        Action::ReminderSent,
        Action::AdministratorChanged,
        Action::TerminationRequested,
        Action::TerminationAccepted,
        Action::TerminationReturned,
        Action::RegisterEnded,
        Action::DisposalRecorded,
        Action::EndOfUseRecorded,
        Action::TerminationCompleted,
        Action::MeasureRecorded,
        Action::ServiceInOperation,
        Action::RuleDefined,
        Action::CheckRecorded,
        Action::ManagersChanged,
        Action::RecheckOpened,
        Action::RecheckSaved,
        Action::RecheckJudged,
        Action::CorrectiveActionRecorded,
        Action::CorrectiveActionResulted,
        Action::ServiceSuspended,
        Action::ServiceResumed,
        Action::CheckOrdered,
        Action::CheckOrderReported,
        Action::ListExported,
        Action::ImportCompleted,
        Action::LedgerImported,
        Action::RegisterImported,
        Action::AccountImported,
        Action::IsmapListImported,
        Action::IsmapFlagRaised,
        Action::IsmapFlagCleared,
        Action::DirectorySettingsChanged,
        Action::DirectorySynced,
        Action::UserDirectoryUpdated,
        Action::UserMoved,
        Action::RoleEnded,
        Action::RotationScheduled,
        Action::RotationFailed,
        Action::SuccessorDesignated,
        Action::LeaverAccountHandedOver,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ApplicationCreated => "application.created",
            Action::ApplicationUpdated => "application.updated",
            Action::ApplicationSelfChecked => "application.self_checked",
            Action::ApplicationReused => "application.reused",
            Action::ApplicationApproved => "application.approved",
            Action::ApplicationSubmitted => "application.submitted",
            Action::ApplicationReturned => "application.returned",
            Action::ApplicationRejected => "application.rejected",
            Action::ApplicationEvaluationSaved => "application.evaluation_saved",
            Action::ApplicationProcurementSaved => "application.procurement_saved",
            Action::ServiceApproved => "service.approved",
            Action::LedgerRegistered => "ledger.registered",
            Action::LedgerRetired => "ledger.retired",
            Action::AccountRegistered => "account.registered",
            Action::AccountClosed => "account.closed",
            Action::RegisterCreated => "register.created",
            Action::RegisterUpdated => "register.updated",
            Action::PolicyLoaded => "policy.loaded",
            Action::PolicyApproved => "policy.approved",
            Action::PolicySuperseded => "policy.superseded",
            Action::OrgUnitCreated => "org_unit.created",
            Action::UserCreated => "user.created",
            Action::UserPasswordReset => "user.password_reset",
            Action::UserPasswordChanged => "user.password_changed",
            Action::UserDeactivated => "user.deactivated",
            Action::UserReactivated => "user.reactivated",
            Action::UserPasswordLoginChanged => "user.password_login_changed",
            Action::UserLanguageChanged => "user.language_changed",
            Action::UserDateStyleChanged => "user.date_style_changed",
            Action::DateStyleChanged => "setting.date_style_changed",
            Action::RoleAssigned => "role.assigned",
            Action::ApiTokenCreated => "api_token.created",
            Action::ApiTokenRevoked => "api_token.revoked",
            Action::ContractorRegistered => "contractor.registered",
            Action::SubmissionCreated => "submission.created",
            Action::SubmissionAnswersSaved => "submission.answers_saved",
            Action::SubmissionSubmitted => "submission.submitted",
            Action::SubmissionVerified => "submission.verified",
            Action::SubmissionEvidenceAdded => "submission.evidence_added",
            Action::EvidenceAdded => "evidence.added",
            Action::EvidenceRemoved => "evidence.removed",
            Action::SessionSignedIn => "session.signed_in",
            Action::SessionSignInFailed => "session.sign_in_failed",
            Action::SessionLocked => "session.locked",
            Action::SessionUnlocked => "session.unlocked",
            Action::SessionMfaFailed => "session.mfa_failed",
            Action::MfaEnrolled => "mfa.enrolled",
            Action::MfaReset => "mfa.reset",
            Action::MfaRecoveryCodeUsed => "mfa.recovery_code_used",
            Action::AccessDenied => "access.denied",
            Action::ReminderSent => "reminder.sent",
            Action::AdministratorChanged => "service.administrator_changed",
            Action::TerminationRequested => "termination.requested",
            Action::TerminationAccepted => "termination.accepted",
            Action::TerminationReturned => "termination.returned",
            Action::RegisterEnded => "register.ended",
            Action::DisposalRecorded => "termination.disposal_recorded",
            Action::EndOfUseRecorded => "termination.end_of_use_recorded",
            Action::TerminationCompleted => "termination.completed",
            Action::MeasureRecorded => "measure.recorded",
            Action::ServiceInOperation => "ledger.in_operation",
            Action::RuleDefined => "rule.defined",
            Action::CheckRecorded => "check.recorded",
            Action::ManagersChanged => "service.managers_changed",
            Action::RecheckOpened => "recheck.opened",
            Action::RecheckSaved => "recheck.saved",
            Action::RecheckJudged => "recheck.judged",
            Action::CorrectiveActionRecorded => "corrective_action.recorded",
            Action::CorrectiveActionResulted => "corrective_action.resulted",
            Action::ServiceSuspended => "service.suspended",
            Action::ServiceResumed => "service.resumed",
            Action::CheckOrdered => "check_order.issued",
            Action::CheckOrderReported => "check_order.reported",
            Action::ListExported => "list.exported",
            Action::ImportCompleted => "import.completed",
            Action::LedgerImported => "ledger.imported",
            Action::RegisterImported => "register.imported",
            Action::AccountImported => "account.imported",
            Action::IsmapListImported => "ismap.list_imported",
            Action::IsmapFlagRaised => "ismap.flag_raised",
            Action::IsmapFlagCleared => "ismap.flag_cleared",
            Action::DirectorySettingsChanged => "setting.directory_changed",
            Action::DirectorySynced => "directory.synced",
            Action::UserDirectoryUpdated => "user.directory_updated",
            Action::UserMoved => "user.moved",
            Action::RoleEnded => "role.ended",
            Action::RotationScheduled => "rotation.scheduled",
            Action::RotationFailed => "rotation.failed",
            Action::SuccessorDesignated => "service.successor_designated",
            Action::LeaverAccountHandedOver => "account.handed_over",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The kind of record an audit event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Application,
    Service,
    Account,
    Register,
    Policy,
    OrgUnit,
    User,
    Contractor,
    Submission,
    /// The end of use of a service (S7.1).
    Termination,
    /// A request refused before it reached a record.
    Request,
    /// A build-time measure's record (S3.5.6).
    Measure,
    /// A service's rule of an operation-time or end-of-use measure (S3.6-1, S3.7-1).
    ServiceRule,
    /// A periodic check (S3.6-3).
    PeriodicCheck,
    Recheck,
    CorrectiveAction,
    CheckOrder,
    CheckOrderTarget,
    /// A city-wide setting.
    Setting,
    /// A list as a whole (an export of it).
    List,
    /// One run of an import (issue 11).
    Import,
    /// A version of an ISMAP list as imported.
    IsmapList,
    /// A service's flag from the ISMAP cross-check.
    IsmapFlag,
    /// A move of the personnel rotation (issue 11).
    RotationMove,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Application => "application",
            Entity::Service => "service",
            Entity::Account => "account",
            Entity::Register => "register",
            Entity::Policy => "policy",
            Entity::OrgUnit => "org_unit",
            Entity::User => "user",
            Entity::Contractor => "contractor",
            Entity::Submission => "submission",
            Entity::Termination => "termination",
            Entity::Request => "request",
            Entity::Measure => "measure",
            Entity::ServiceRule => "service_rule",
            Entity::PeriodicCheck => "periodic_check",
            Entity::Recheck => "recheck",
            Entity::CorrectiveAction => "corrective_action",
            Entity::CheckOrder => "check_order",
            Entity::CheckOrderTarget => "check_order_target",
            Entity::Setting => "setting",
            Entity::List => "list",
            Entity::Import => "import",
            Entity::IsmapList => "ismap_list",
            Entity::IsmapFlag => "ismap_flag",
            Entity::RotationMove => "rotation_move",
        }
    }
}

/// The hash that precedes the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event as stored. `before` and `after` are JSON texts kept byte for byte, so that the
/// hash can be recomputed exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub actor_login: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub service_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an event over its content and its predecessor's hash. Fields are length-prefixed
/// so that no two different events can encode alike.
pub fn event_hash(e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    field(&e.seq.to_string());
    field(&e.at_ms.to_string());
    field(&opt(e.actor_id));
    field(&e.actor_login);
    field(&e.action);
    field(&e.entity);
    field(&opt(e.entity_id));
    field(&opt(e.service_id));
    field(e.before.as_deref().unwrap_or("\u{0}null"));
    field(e.after.as_deref().unwrap_or("\u{0}null"));
    field(&e.prev_hash);
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("event {seq}: expected sequence number {expected}")]
    Gap { seq: i64, expected: i64 },
    #[error("event {seq}: does not follow the previous event's hash")]
    Link { seq: i64 },
    #[error("event {seq}: content does not match its hash")]
    Hash { seq: i64 },
    #[error("the chain ends at event {last} but its head records {head}")]
    Head { last: i64, head: i64 },
}

/// Verifies a chain event by event, in sequence order from seq 1, so that a long history can
/// be streamed through it page by page.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev: String,
    last: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev: GENESIS.to_string(),
            last: 0,
        }
    }
}

impl ChainVerifier {
    /// A verifier that goes on from an event already trusted (e.g. one a signed checkpoint
    /// names): the next event must be `seq + 1` and link to `hash`.
    pub fn resume(seq: i64, hash: &str) -> Self {
        Self {
            prev: hash.to_string(),
            last: seq,
        }
    }

    pub fn last_seq(&self) -> i64 {
        self.last
    }

    /// The hash of the last event pushed (the genesis hash before any).
    pub fn last_hash(&self) -> &str {
        &self.prev
    }

    pub fn push(&mut self, e: &AuditEvent) -> Result<(), ChainError> {
        let expected = self.last + 1;
        if e.seq != expected {
            return Err(ChainError::Gap {
                seq: e.seq,
                expected,
            });
        }
        if e.prev_hash != self.prev {
            return Err(ChainError::Link { seq: e.seq });
        }
        if event_hash(e) != e.hash {
            return Err(ChainError::Hash { seq: e.seq });
        }
        self.prev.clone_from(&e.hash);
        self.last = e.seq;
        Ok(())
    }

    /// `head` is the last (seq, hash) recorded apart from the events, so that a truncated tail
    /// is found too. Returns the number of events.
    pub fn finish(self, head: (i64, &str)) -> Result<i64, ChainError> {
        if head.0 != self.last || head.1 != self.prev {
            return Err(ChainError::Head {
                last: self.last,
                head: head.0,
            });
        }
        Ok(self.last)
    }
}

/// What a checkpoint of the chain signs: that event `seq` had `hash` when it was taken at
/// `at_ms`. Anyone who rewrites an event up to `seq` changes that hash (every later hash links
/// to it), so a checkpoint signed by a key the database does not hold pins the chain up to
/// there.
pub fn checkpoint_message(seq: i64, hash: &str, at_ms: i64) -> String {
    format!("gaibu-audit-checkpoint/v1\n{seq}\n{hash}\n{at_ms}")
}

/// Verifies a whole chain held in memory.
pub fn verify<'a>(
    events: impl IntoIterator<Item = &'a AuditEvent>,
    head: (i64, &str),
) -> Result<i64, ChainError> {
    let mut v = ChainVerifier::default();
    for e in events {
        v.push(e)?;
    }
    v.finish(head)
}

#[cfg(test)]
mod tests;
