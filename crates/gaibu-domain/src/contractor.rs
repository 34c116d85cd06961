//! Contractors and designated managers (委託先・指定管理者, S5.3): they submit the requirement
//! sheet for the external services they use for the city's work, and an Information Manager
//! etc. over the commissioning unit verifies it.

use crate::role::{Actor, OrgTree, OrgUnitId};
use crate::sheet::{Context, Sheet};
use crate::{FieldError, Refusal};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    Draft,
    Submitted,
    /// Verified as compliant by the Information Manager etc.
    Verified,
    /// Sent back with the reasons; it can be revised and submitted again.
    Returned,
}

impl SubmissionState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Verified => "verified",
            Self::Returned => "returned",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Submitted, Self::Verified, Self::Returned]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

/// What the rules need to know of a contractor submission.
#[derive(Debug, Clone)]
pub struct Submission {
    pub contractor_id: i64,
    /// The city unit that commissioned the work; its Information Managers etc. verify.
    pub org_unit: OrgUnitId,
    pub state: SubmissionState,
}

/// Only the contractor's own people change their submission, and only while it can change.
pub fn may_edit(s: &Submission, contractor_of_actor: Option<i64>) -> Result<(), Refusal> {
    if contractor_of_actor != Some(s.contractor_id) {
        return Err(Refusal::Forbidden("not_your_submission"));
    }
    if !s.state.is_editable() {
        return Err(Refusal::Conflict("not_draft"));
    }
    Ok(())
}

/// S5.3: the sheet is submitted complete.
pub fn submit(
    s: &Submission,
    contractor_of_actor: Option<i64>,
    sheet: &Sheet,
    answers: &crate::sheet::Answers,
    ctx: &Context,
) -> Result<(), Refusal> {
    may_edit(s, contractor_of_actor)?;
    let problems = sheet.check_complete(answers, ctx);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Incomplete(problems))
    }
}

/// S5.3: an Information Manager etc. over the commissioning unit verifies compliance, or
/// returns the submission with the reasons.
pub fn verify(
    s: &Submission,
    actor: &Actor,
    tree: &OrgTree,
    compliant: bool,
    note: &str,
) -> Result<SubmissionState, Refusal> {
    if !actor.is_information_manager_etc_over(s.org_unit, tree) {
        return Err(Refusal::Forbidden("information_manager_required"));
    }
    if s.state != SubmissionState::Submitted {
        return Err(Refusal::Conflict("not_submitted"));
    }
    if !compliant && note.trim().is_empty() {
        return Err(Refusal::Invalid(vec![FieldError::new("note", "required")]));
    }
    Ok(if compliant {
        SubmissionState::Verified
    } else {
        SubmissionState::Returned
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::{Role, RoleAssignment};

    fn sub(state: SubmissionState) -> Submission {
        Submission {
            contractor_id: 5,
            org_unit: 3,
            state,
        }
    }
    fn tree() -> OrgTree {
        OrgTree::new([(1, None), (2, Some(1)), (3, Some(2)), (4, Some(1))])
    }
    fn im(unit: i64) -> Actor {
        Actor {
            user_id: 9,
            org_unit: unit,
            assignments: vec![RoleAssignment {
                role: Role::InformationManager,
                org_unit: unit,
            }],
        }
    }

    // clause: S5.3 — a contractor edits only its own submission
    #[test]
    fn contractors_see_only_their_own() {
        assert_eq!(may_edit(&sub(SubmissionState::Draft), Some(5)), Ok(()));
        assert_eq!(
            may_edit(&sub(SubmissionState::Draft), Some(6)),
            Err(Refusal::Forbidden("not_your_submission"))
        );
        assert_eq!(
            may_edit(&sub(SubmissionState::Draft), None),
            Err(Refusal::Forbidden("not_your_submission"))
        );
        assert_eq!(
            may_edit(&sub(SubmissionState::Submitted), Some(5)),
            Err(Refusal::Conflict("not_draft"))
        );
        assert_eq!(may_edit(&sub(SubmissionState::Returned), Some(5)), Ok(()));
    }

    // clause: S5.3 — the Information Manager etc. over the commissioning unit verifies
    #[test]
    fn the_commissioning_information_manager_verifies() {
        let s = sub(SubmissionState::Submitted);
        assert_eq!(
            verify(&s, &im(2), &tree(), true, ""),
            Ok(SubmissionState::Verified)
        );
        assert_eq!(
            verify(&s, &im(4), &tree(), true, ""),
            Err(Refusal::Forbidden("information_manager_required"))
        );
        assert_eq!(
            verify(&s, &im(3), &tree(), false, " "),
            Err(Refusal::Invalid(vec![FieldError::new("note", "required")]))
        );
        assert_eq!(
            verify(&s, &im(3), &tree(), false, "SLAが不明"),
            Ok(SubmissionState::Returned)
        );
        assert_eq!(
            verify(&sub(SubmissionState::Draft), &im(3), &tree(), true, ""),
            Err(Refusal::Conflict("not_submitted"))
        );
    }
}
