//! What falls due on a day in a service's life, and who is reminded of it (S3.6-3, S6, S7.1).
//! The records that set a due date (a periodic check, a re-check, a corrective action, a check
//! order, a certificate, a usage period) open a deadline in their own transaction; the reminder
//! scheduler reads the open ones.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeadlineKind {
    /// S3.6-3: the next periodic check of a service; subject: the service.
    PeriodicCheck,
    /// S6.1: a re-check to answer; subject: the re-check.
    Recheck,
    /// S6.2: a corrective action to carry out; subject: the action.
    CorrectiveAction,
    /// S6.3: a check ordered by the ISM; subject: the order's target (one service).
    CheckOrder,
    /// An evidence certificate (e.g. ISMAP registration) that expires; subject: the evidence.
    CertificateExpiry,
    /// The approved usage period ends; subject: the service.
    UsagePeriodEnd,
    /// S7.1: the planned end of use of an accepted termination; subject: the termination.
    TerminationPlannedEnd,
}

impl DeadlineKind {
    pub const ALL: [DeadlineKind; 7] = [
        DeadlineKind::PeriodicCheck,
        DeadlineKind::Recheck,
        DeadlineKind::CorrectiveAction,
        DeadlineKind::CheckOrder,
        DeadlineKind::CertificateExpiry,
        DeadlineKind::UsagePeriodEnd,
        DeadlineKind::TerminationPlannedEnd,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::PeriodicCheck => "periodic_check",
            DeadlineKind::Recheck => "recheck",
            DeadlineKind::CorrectiveAction => "corrective_action",
            DeadlineKind::CheckOrder => "check_order",
            DeadlineKind::CertificateExpiry => "certificate_expiry",
            DeadlineKind::UsagePeriodEnd => "usage_period_end",
            DeadlineKind::TerminationPlannedEnd => "termination_planned_end",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back() {
        for k in DeadlineKind::ALL {
            assert_eq!(DeadlineKind::parse(k.as_str()), Some(k));
        }
    }
}
