//! The class-2+ track: submission to the Information Security Manager and the ISM's decision
//! (S3.4, S5.1.1, S5.2.1-1..3).

use crate::application::{Application, Approval, State};
use crate::application::{ApplicationMove, permits_application};
use crate::audit::Action;
use crate::effects::{Effects, NoticeKind};
use crate::evaluation::Evaluation;
use crate::role::{Actor, OrgTree};
use crate::sheet::{ItemProblem, Sheet};
use crate::{FieldError, Refusal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// S5.2.1-1, S3.4a: the applicant (or an Information Manager etc. over the unit) submits a
/// class-2+ application with its sheet and evaluation complete, to the ISM.
pub fn submit(
    app: &Application,
    actor: &Actor,
    tree: &OrgTree,
    sheet: &Sheet,
    evaluation: &Evaluation,
    procurement: &crate::procurement::Procurement,
) -> Result<(), Refusal> {
    permits_application(app, actor, tree, ApplicationMove::Submit)?;
    let mut problems = sheet.check_complete(&app.answers, &app.context());
    problems.extend(app.evidence_problems(sheet));
    problems.extend(app.unconfirmed_problems());
    problems.extend(
        evaluation
            .check_complete()
            .into_iter()
            .chain(procurement.check_complete())
            .map(|f| ItemProblem {
                item: f.field,
                code: f.code,
            }),
    );
    if !problems.is_empty() {
        return Err(Refusal::Incomplete(problems));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    /// Return for revision.
    Return,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Return => "return",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Self::Approve),
            "reject" => Some(Self::Reject),
            "return" => Some(Self::Return),
            _ => None,
        }
    }
}

/// The ISM's decision as sent: the decision, its reasons and comments per item.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DecisionInput {
    /// approve, reject or return
    pub decision: String,
    /// Required to reject or return.
    pub reason: String,
    /// Comments by sheet item id or `evaluation.<field>`.
    pub comments: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// S3.4c: approved; the applicant is designated External Service Administrator.
    Approved(Approval),
    Rejected {
        reason: String,
    },
    Returned {
        reason: String,
    },
}

impl Outcome {
    /// What the decision sets off (S3.4c): the audit events after the application's own, and
    /// who is told — the applicant of the result, and on approval the designated administrator.
    pub fn effects(&self, app: &Application) -> Effects {
        match self {
            Outcome::Approved(a) => Effects {
                audit: vec![Action::ServiceApproved, Action::RegisterCreated],
                notify: vec![],
            }
            .notifying(app.applicant, NoticeKind::Approved)
            .notifying(a.administrator, NoticeKind::Designated),
            Outcome::Rejected { .. } => {
                Effects::default().notifying(app.applicant, NoticeKind::Rejected)
            }
            Outcome::Returned { .. } => {
                Effects::default().notifying(app.applicant, NoticeKind::Returned)
            }
        }
    }

    /// The audit action of the application's own change.
    pub fn action(&self) -> Action {
        match self {
            Outcome::Approved(_) => Action::ApplicationApproved,
            Outcome::Rejected { .. } => Action::ApplicationRejected,
            Outcome::Returned { .. } => Action::ApplicationReturned,
        }
    }

    pub fn decision(&self) -> Decision {
        match self {
            Outcome::Approved(_) => Decision::Approve,
            Outcome::Rejected { .. } => Decision::Reject,
            Outcome::Returned { .. } => Decision::Return,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Approved(_) => None,
            Outcome::Rejected { reason } | Outcome::Returned { reason } => Some(reason),
        }
    }

    pub fn state(&self) -> State {
        match self {
            Outcome::Approved(_) => State::Approved,
            Outcome::Rejected { .. } => State::Rejected,
            Outcome::Returned { .. } => State::Returned,
        }
    }
}

/// S3.4a: a submission is announced to every responsible reviewer; the applicant is never one.
pub fn submission_effects(app: &Application, reviewers: &[crate::role::UserId]) -> Effects {
    let mut e = Effects::default();
    for r in reviewers.iter().filter(|r| **r != app.applicant) {
        e = e.notifying(*r, NoticeKind::Submitted);
    }
    e
}

/// S3.4b, S5.1.1, S5.2.1-2..3: the ISM responsible for the applicant's unit decides on a
/// submitted application. Nobody decides on their own application.
pub fn decide(
    app: &Application,
    actor: &Actor,
    tree: &OrgTree,
    input: &DecisionInput,
    now: jiff::Timestamp,
) -> Result<Outcome, Refusal> {
    permits_application(app, actor, tree, ApplicationMove::Decide)?;
    let Some(decision) = Decision::parse(input.decision.trim()) else {
        return Err(Refusal::Invalid(vec![FieldError::new(
            "decision", "required",
        )]));
    };
    let reason = input.reason.trim().to_string();
    if decision != Decision::Approve && reason.is_empty() {
        return Err(Refusal::Invalid(vec![FieldError::new(
            "reason", "required",
        )]));
    }
    Ok(match decision {
        Decision::Approve => Outcome::Approved(Approval {
            approver: actor.user_id,
            administrator: app.applicant,
            approved_at: now,
        }),
        Decision::Reject => Outcome::Rejected { reason },
        Decision::Return => Outcome::Returned { reason },
    })
}

#[cfg(test)]
mod tests;
