//! The class-1 track's approval (S5.1.2, S5.2.2): the Information Manager etc. approves alone
//! and becomes the service's External Service Administrator.

use super::{Application, ApplicationMove, permits_application};
use crate::Refusal;
use crate::role::{Actor, OrgTree, UserId};
use crate::sheet::{ItemProblem, Sheet};

/// The outcome of an approval: who approved, and who becomes External Service Administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub approver: UserId,
    pub administrator: UserId,
    pub approved_at: jiff::Timestamp,
}

/// Class-1 self-approval (S5.1.2, S5.2.2-1, S5.2.2-2): an Information Manager etc. over the
/// application's unit approves a draft whose class-1 sheet is met — evidence attached or its
/// absence explained where an item expects it (S3.2c), and the procurement record complete
/// (S4.3a–b) — and becomes its External Service Administrator.
pub fn approve_class1(
    app: &Application,
    sheet: &Sheet,
    procurement: &crate::procurement::Procurement,
    actor: &Actor,
    tree: &OrgTree,
    now: jiff::Timestamp,
) -> Result<Approval, Refusal> {
    permits_application(app, actor, tree, ApplicationMove::SelfApprove)?;
    let mut problems = sheet.check_complete(&app.answers, &app.context());
    problems.extend(app.evidence_problems(sheet));
    problems.extend(app.unconfirmed_problems());
    problems.extend(
        procurement
            .check_complete()
            .into_iter()
            .map(|f| ItemProblem {
                item: f.field,
                code: f.code,
            }),
    );
    if !problems.is_empty() {
        return Err(Refusal::SheetNotMet(problems));
    }
    Ok(Approval {
        approver: actor.user_id,
        administrator: actor.user_id,
        approved_at: now,
    })
}
