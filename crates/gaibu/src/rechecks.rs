//! Re-checks (S6.1), corrective actions and the stop of use (S6.2), and the checks the ISM
//! orders (S6.3). Shared by the HTML pages and the JSON API; the reminder scheduler calls
//! [`open_for_expiring_certificates`] daily.

use crate::audit_denial::{refuse, ruled};
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::policies::{self, Loaded};
use crate::services;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::audit::Entity;
use gaibu_domain::check_order::{self, OrderInput, OrderTarget, ReportInput, Target};
use gaibu_domain::effects::{Notice, NoticeKind};
use gaibu_domain::ledger::LedgerStatus;
use gaibu_domain::recheck::{
    self, ActionInput, EventInput, Outcome, RecheckInput, RecheckState, ResultInput, Trigger,
};
use gaibu_domain::role::Role;
use gaibu_domain::sheet::{Answers, ItemProblem, Sheet};
use gaibu_store::{
    CheckOrderRow, CorrectiveActionRow, Judged, NewOrder, NewRecheck, OrderTargetRow, RecheckRow,
    ServiceRow, StoreError, Who,
};

pub mod lists;
use jiff::civil::Date;

fn domain(row: &RecheckRow) -> recheck::Recheck {
    recheck::Recheck {
        id: row.id,
        administrator: row.administrator_id,
        state: row.state,
    }
}

/// Tells the administrator, when someone else did it.
fn tell_admin(u_id: Option<i64>, admin: i64, kind: NoticeKind) -> Vec<Notice> {
    match u_id {
        Some(id) if id == admin => vec![],
        _ => vec![Notice {
            user_id: admin,
            kind,
        }],
    }
}

async fn due_days(st: &AppState) -> AppResult<u32> {
    Ok(policies::service_life_in_force(st)
        .await?
        .doc
        .recheck_due_days)
}

/// S6.1: an event recorded on a service (terms changed, configuration changed, incident) by
/// its administrator or the ISM opens a re-check for the administrator.
pub async fn record_event(
    st: &AppState,
    u: &CurrentUser,
    service_id: i64,
    input: &EventInput,
) -> AppResult<RecheckRow> {
    let s = services::get(st, service_id).await?;
    let tree = org_tree(st).await?;
    ruled(
        st,
        u,
        recheck::permits_event(&services::domain(&s), &u.actor, &tree),
        "recheck.event",
        Entity::Service,
        Some(service_id),
    )
    .await?;
    let ev = input.parse().map_err(AppError::Invalid)?;
    let today = st.today();
    let notify = tell_admin(
        u.who().user_id,
        s.administrator_id,
        NoticeKind::RecheckOpened,
    );
    let r = NewRecheck {
        cause: ev.trigger,
        description: &ev.description,
        occurred_on: ev.occurred_on,
        tos_version: &ev.tos_version,
        tos_url: &ev.tos_url,
        evidence: None,
        due_on: recheck::due_on(today, due_days(st).await?),
        notify: &notify,
    };
    Ok(st.store.open_recheck(&u.who(), &s, &r, st.now()).await?)
}

/// S6.1, for the scheduler: every certificate attached as evidence to a service in use that
/// expires within the policy's first reminder lead (or has expired) opens a re-check, once per
/// certificate. Returns the re-checks opened.
pub async fn open_for_expiring_certificates(
    st: &AppState,
    today: Date,
) -> AppResult<Vec<RecheckRow>> {
    let policy = policies::service_life_in_force(st).await?.doc;
    let lead = jiff::Span::new().days(i64::from(policy.first_reminder_lead()));
    let until = today.checked_add(lead).unwrap_or(today);
    let due_on = recheck::due_on(today, policy.recheck_due_days);
    let mut opened = Vec::new();
    for c in st.store.certificates_expiring_by(until.to_string()).await? {
        let Some(s) = st.store.service(c.service_id).await? else {
            continue;
        };
        let description = format!("{} ({})", c.filename, c.expires_on);
        let notify = [Notice {
            user_id: s.administrator_id,
            kind: NoticeKind::RecheckOpened,
        }];
        let r = NewRecheck {
            cause: Trigger::CertificateExpiring,
            description: &description,
            occurred_on: today,
            tos_version: "",
            tos_url: "",
            evidence: Some((c.id, c.expires_on)),
            // Due before the certificate lapses, when that is sooner.
            due_on: due_on.min(c.expires_on.max(today)),
            notify: &notify,
        };
        match st
            .store
            .open_recheck(&Who::system(), &s, &r, st.now())
            .await
        {
            Ok(row) => opened.push(row),
            // Another instance opened it first: once per certificate.
            Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(opened)
}

/// Whether `u` may read the re-check: those who may read the service's details, and the
/// owner of its corrective action.
async fn may_view(
    st: &AppState,
    u: &CurrentUser,
    s: &ServiceRow,
    action: Option<&CorrectiveActionRow>,
) -> AppResult<bool> {
    let tree = org_tree(st).await?;
    Ok(services::capabilities(u, s, &tree).view_details
        || action.is_some_and(|a| a.owner_id == u.user.id))
}

/// Where the previous answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviousFrom {
    /// The approved application.
    Application,
    /// The last re-check that passed.
    Recheck,
}

/// A re-check with what its page shows: the service, the sheet it is answered on, the
/// previous answers beside it, what is still missing and its corrective action.
pub struct RecheckView {
    pub row: RecheckRow,
    pub service: ServiceRow,
    pub sheet: Loaded<Sheet>,
    pub context: gaibu_domain::sheet::Context,
    pub previous: Answers,
    pub previous_from: PreviousFrom,
    pub previous_id: i64,
    pub problems: Vec<ItemProblem>,
    pub action: Option<CorrectiveActionRow>,
}

/// The re-check, its service and its corrective action, for one who may read them.
async fn load(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
) -> AppResult<(RecheckRow, ServiceRow, Option<CorrectiveActionRow>)> {
    let row = st.store.recheck(id).await?.ok_or(AppError::NotFound)?;
    let s = services::get(st, row.service_id).await?;
    let action = st.store.corrective_action_of_recheck(id).await?;
    if !may_view(st, u, &s, action.as_ref()).await? {
        let r = gaibu_domain::Refusal::Forbidden("administrator_required");
        return Err(refuse(st, u, r, "recheck.view", Entity::Recheck, Some(id)).await);
    }
    Ok((row, s, action))
}

/// The sheet a re-check is answered on: the one it was saved on, else the track's in force.
async fn sheet_of(st: &AppState, row: &RecheckRow, s: &ServiceRow) -> AppResult<Loaded<Sheet>> {
    match row.sheet_policy_id {
        Some(id) if row.state != RecheckState::Open => policies::sheet(st, id).await,
        _ => policies::sheet_in_force(st, s.track).await,
    }
}

/// S6.1: the re-check beside the previous answers (the last passed re-check, else the approved
/// application).
pub async fn view(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<RecheckView> {
    let (row, service, action) = load(st, u, id).await?;
    let app = st
        .store
        .application(service.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let context = crate::applications::domain(&app).context();
    let last = st.store.last_passed_recheck(service.id).await?;
    let (previous, previous_from, previous_id) = match last.filter(|l| l.id != row.id) {
        Some(l) => (l.answers, PreviousFrom::Recheck, l.id),
        None => (app.answers.clone(), PreviousFrom::Application, app.id),
    };
    let sheet = sheet_of(st, &row, &service).await?;
    let problems = sheet.doc.check_complete(&row.answers, &context);
    Ok(RecheckView {
        row,
        service,
        sheet,
        context,
        previous,
        previous_from,
        previous_id,
        problems,
        action,
    })
}

/// S6.1: the administrator saves the answers: a partial answer (or none judged) is a draft;
/// complete answers are judged compliant or not, with the reason. A pass brings a suspended
/// service back into operation (S6.2). Returns the re-check and what is still missing.
pub async fn save(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    input: &RecheckInput,
) -> AppResult<(RecheckRow, Vec<ItemProblem>)> {
    let (row, s, _) = load(st, u, id).await?;
    let sheet = policies::sheet_in_force(st, s.track).await?;
    let app = st
        .store
        .application(s.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = crate::applications::domain(&app).context();
    let outcome = ruled(
        st,
        u,
        recheck::save(&domain(&row), &u.actor, &sheet.doc, &ctx, input),
        "recheck.save",
        Entity::Recheck,
        Some(id),
    )
    .await?;
    if row.version != version {
        return Err(AppError::Stale);
    }
    let (judged, problems) = match &outcome {
        Outcome::Draft(p) => (Judged::Draft, p.clone()),
        Outcome::Judged {
            compliant: true,
            reason,
        } => {
            let resume = recheck::status_after_pass(s.ledger_status).map(|_| &s);
            (Judged::Compliant { reason, resume }, vec![])
        }
        Outcome::Judged {
            compliant: false,
            reason,
        } => (Judged::NotCompliant { reason }, vec![]),
    };
    let after = st
        .store
        .save_recheck(
            &u.who(),
            &row,
            sheet.row.id,
            &input.answers,
            judged,
            st.now(),
        )
        .await?;
    Ok((after, problems))
}

/// S6.2: the administrator records a corrective action for a re-check that was not
/// compliant: its owner (told), due date and plan.
pub async fn plan_action(
    st: &AppState,
    u: &CurrentUser,
    recheck_id: i64,
    input: &ActionInput,
) -> AppResult<CorrectiveActionRow> {
    let (row, _, existing) = load(st, u, recheck_id).await?;
    let planned = ruled(
        st,
        u,
        recheck::plan_action(
            &domain(&row),
            &u.actor,
            existing.is_some(),
            st.today(),
            input,
        ),
        "corrective_action.record",
        Entity::Recheck,
        Some(recheck_id),
    )
    .await?;
    if st
        .store
        .user(planned.owner)
        .await?
        .is_none_or(|o| !o.active)
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "owner",
            "unknown_user",
        )]));
    }
    let notify = tell_admin(
        u.who().user_id,
        planned.owner,
        NoticeKind::CorrectiveActionAssigned,
    );
    st.store
        .plan_corrective_action(
            &u.who(),
            &row,
            planned.owner,
            planned.due_on,
            &planned.plan,
            &notify,
            st.now(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => AppError::Conflict("action_exists"),
            e => e.into(),
        })
}

pub async fn action(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<CorrectiveActionRow> {
    let a = st
        .store
        .corrective_action(id)
        .await?
        .ok_or(AppError::NotFound)?;
    load(st, u, a.recheck_id).await?;
    Ok(a)
}

/// S6.2: the result of a corrective action. Could not be corrected: use is stopped (利用停止)
/// with the note as its reason. A follow-up re-check is opened either way.
pub async fn record_result(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    input: &ResultInput,
) -> AppResult<CorrectiveActionRow> {
    let a = action(st, u, id).await?;
    let d = recheck::Action {
        owner: a.owner_id,
        administrator: a.administrator_id,
        state: a.state,
    };
    let (state, note) = ruled(
        st,
        u,
        recheck::record_result(&d, &u.actor, input),
        "corrective_action.result",
        Entity::CorrectiveAction,
        Some(id),
    )
    .await?;
    if a.version != version {
        return Err(AppError::Stale);
    }
    let s = services::get(st, a.service_id).await?;
    let today = st.today();
    let description = format!("#{}: {note}", a.id);
    let opened = tell_admin(
        u.who().user_id,
        s.administrator_id,
        NoticeKind::RecheckOpened,
    );
    let follow_up = NewRecheck {
        cause: Trigger::FollowUp,
        description: &description,
        occurred_on: today,
        tos_version: "",
        tos_url: "",
        evidence: None,
        due_on: recheck::due_on(today, due_days(st).await?),
        notify: &opened,
    };
    let suspended = tell_admin(
        u.who().user_id,
        s.administrator_id,
        NoticeKind::ServiceSuspended,
    );
    Ok(st
        .store
        .record_corrective_result(
            &u.who(),
            &a,
            state,
            &note,
            &s,
            &follow_up,
            today,
            &suspended,
            st.now(),
        )
        .await?)
}

/// S6.3: the ISM's order of a check over one service or every service in use of a provider
/// (those within the ISM's units). Each administrator concerned is told and gets a deadline.
pub async fn order(
    st: &AppState,
    u: &CurrentUser,
    input: &OrderInput,
) -> AppResult<(CheckOrderRow, usize)> {
    let o = ruled(
        st,
        u,
        check_order::order(&u.actor, st.today(), input),
        "check_order.issue",
        Entity::CheckOrder,
        None,
    )
    .await?;
    let candidates = match &o.target {
        Target::Service(id) => st.store.service(*id).await?.into_iter().collect(),
        Target::Provider(p) => st.store.services_in_use_of_provider(p.clone()).await?,
    };
    let tree = org_tree(st).await?;
    let targets: Vec<ServiceRow> = candidates
        .into_iter()
        .filter(|s| {
            matches!(
                s.ledger_status,
                Some(LedgerStatus::Building | LedgerStatus::InOperation | LedgerStatus::Suspended)
            ) && u
                .actor
                .has_role_over(Role::InformationSecurityManager, s.org_unit_id, &tree)
        })
        .collect();
    if targets.is_empty() {
        let field = match o.target {
            Target::Service(_) => "service_id",
            Target::Provider(_) => "provider",
        };
        return Err(AppError::Invalid(vec![FieldError::new(
            field,
            "no_services",
        )]));
    }
    let target = serde_json::to_value(&o.target)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("order target: {e}")))?;
    let notify = |s: &ServiceRow| {
        vec![Notice {
            user_id: s.administrator_id,
            kind: NoticeKind::CheckOrdered,
        }]
    };
    let row = st
        .store
        .issue_check_order(
            &u.who(),
            &NewOrder {
                target: &target,
                reason: &o.reason,
                due_on: o.due_on,
            },
            &targets,
            notify,
            st.now(),
        )
        .await?;
    Ok((row, targets.len()))
}

fn must_be_ism(u: &CurrentUser) -> Result<(), gaibu_domain::Refusal> {
    check_order::permits_order(&u.actor)
}

/// S6.3: the administrator of the service reports on the check; anyone else is refused (403,
/// audited). The ISM who ordered it is told.
pub async fn report(
    st: &AppState,
    u: &CurrentUser,
    target_id: i64,
    version: i64,
    input: &ReportInput,
) -> AppResult<OrderTargetRow> {
    let t = st
        .store
        .order_target(target_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let d = OrderTarget {
        administrator: t.administrator_id,
        reported: t.state == "reported",
    };
    let result = ruled(
        st,
        u,
        check_order::report(&d, &u.actor, input),
        "check_order.report",
        Entity::CheckOrderTarget,
        Some(target_id),
    )
    .await?;
    let order = st
        .store
        .check_order(t.order_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let notify = [Notice {
        user_id: order.ordered_by,
        kind: NoticeKind::CheckOrderReported,
    }];
    Ok(st
        .store
        .report_check(&u.who(), &t, version, &result, &notify, st.now())
        .await?)
}

/// One order target, for its administrator or the ISM.
pub async fn target(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<OrderTargetRow> {
    let t = st.store.order_target(id).await?.ok_or(AppError::NotFound)?;
    if t.administrator_id != u.user.id && must_be_ism(u).is_err() {
        let r = gaibu_domain::Refusal::Forbidden("administrator_required");
        let e = Entity::CheckOrderTarget;
        return Err(refuse(st, u, r, "check_order.view", e, Some(id)).await);
    }
    Ok(t)
}
