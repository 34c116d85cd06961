//! What a decision sets off besides its new state: the audit events to append and the people to
//! tell. The domain decides them; the store applies them in the decision's transaction without
//! deciding anything itself.

use crate::audit::Action;

/// Why a person is told about a record (a notification, and its e-mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// An application waits for the reviewer's decision (S3.4a).
    Submitted,
    /// The applicant's application was approved (S3.4c).
    Approved,
    /// The person was designated External Service Administrator (S3.4c).
    Designated,
    Returned,
    Rejected,
    /// Something the person answers for falls due soon (S3.6-3, S6, S7.1; see `deadline`).
    DueSoon,
    /// Something the person answers for is overdue.
    Overdue,
    /// The service's External Service Administrator was changed (told to the new and the
    /// previous one).
    AdministratorChanged,
    /// A termination waits for the ISM's decision (S7.1-1).
    TerminationRequested,
    /// The administrator's termination was accepted: the end-of-use steps may start.
    TerminationAccepted,
    TerminationReturned,
    /// The person was named a service's Business System Manager or Infrastructure Manager (S3.6).
    ManagerNamed,
    /// S6.1: a re-check was opened for the service's administrator.
    RecheckOpened,
    /// S6.2: the person was made owner of a corrective action.
    CorrectiveActionAssigned,
    /// S6.2: the use of the service was stopped.
    ServiceSuspended,
    /// S6.3: the ISM ordered a check of the administrator's service.
    CheckOrdered,
    /// S6.3: an administrator reported on the ISM's order.
    CheckOrderReported,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 17] = [
        NoticeKind::Submitted,
        NoticeKind::Approved,
        NoticeKind::Designated,
        NoticeKind::Returned,
        NoticeKind::Rejected,
        NoticeKind::DueSoon,
        NoticeKind::Overdue,
        NoticeKind::AdministratorChanged,
        NoticeKind::TerminationRequested,
        NoticeKind::TerminationAccepted,
        NoticeKind::TerminationReturned,
        NoticeKind::ManagerNamed,
        NoticeKind::RecheckOpened,
        NoticeKind::CorrectiveActionAssigned,
        NoticeKind::ServiceSuspended,
        NoticeKind::CheckOrdered,
        NoticeKind::CheckOrderReported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Submitted => "submitted",
            NoticeKind::Approved => "approved",
            NoticeKind::Designated => "designated",
            NoticeKind::Returned => "returned",
            NoticeKind::Rejected => "rejected",
            NoticeKind::DueSoon => "due_soon",
            NoticeKind::Overdue => "overdue",
            NoticeKind::AdministratorChanged => "administrator_changed",
            NoticeKind::TerminationRequested => "termination_requested",
            NoticeKind::TerminationAccepted => "termination_accepted",
            NoticeKind::TerminationReturned => "termination_returned",
            NoticeKind::ManagerNamed => "manager_named",
            NoticeKind::RecheckOpened => "recheck_opened",
            NoticeKind::CorrectiveActionAssigned => "corrective_action_assigned",
            NoticeKind::ServiceSuspended => "service_suspended",
            NoticeKind::CheckOrdered => "check_ordered",
            NoticeKind::CheckOrderReported => "check_order_reported",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One person to tell, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub user_id: i64,
    pub kind: NoticeKind,
}

/// The effects of one decision, applied in its transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Effects {
    /// The audit event of the record's own change comes first, then these, in order.
    pub audit: Vec<Action>,
    pub notify: Vec<Notice>,
}

impl Effects {
    pub fn audit(action: Action) -> Self {
        Effects {
            audit: vec![action],
            notify: vec![],
        }
    }

    pub fn notifying(mut self, user_id: i64, kind: NoticeKind) -> Self {
        self.notify.push(Notice { user_id, kind });
        self
    }
}
