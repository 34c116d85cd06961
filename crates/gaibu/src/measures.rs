//! A service's security measures after approval (S3.5, S3.6): the build-time checklist, the
//! move into operation, the rules of its managers, periodic checks and the list of those due.
//! Shared by the HTML pages and the JSON API.

use crate::audit_denial::ruled;
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::policies::{self, Loaded};
use crate::review::responsible_isms;
use crate::services::{self, check_version, get};
use crate::state::AppState;
use gaibu_domain::Refusal;
use gaibu_domain::audit::Entity;
use gaibu_domain::classification::Track;
use gaibu_domain::effects::{Notice, NoticeKind};
use gaibu_domain::ledger::{LedgerEntry, Service};
use gaibu_domain::measures::{
    self as rules, BuildInput, CheckInput, Managers, ManagersInput, MeasureCapabilities, RuleInput,
};
use gaibu_domain::role::OrgTree;
use gaibu_domain::service_life::{Measure, ServiceLifePolicy};
use gaibu_domain::sheet::{Context, ItemProblem};
use gaibu_store::lists::checks::DueCheckSummary;
use gaibu_store::page::Page;
use gaibu_store::{CheckRow, MeasureRow, RuleRow, ServiceRow};
use jiff::civil::Date;

pub fn managers(row: &ServiceRow) -> Managers {
    Managers {
        business_system_manager: row.business_system_manager_id,
        infrastructure_manager: row.infrastructure_manager_id,
    }
}

fn domain(row: &ServiceRow) -> Service {
    services::domain(row)
}

/// What `u` may do with the service's measures now: the pages' buttons and the API's answer.
pub fn capabilities(u: &CurrentUser, row: &ServiceRow, tree: &OrgTree) -> MeasureCapabilities {
    rules::capabilities(&domain(row), &managers(row), &u.actor, tree)
}

/// The classification the measures' conditions are judged against: the approved application's.
async fn context(st: &AppState, row: &ServiceRow) -> AppResult<Context> {
    let app = st
        .store
        .application(row.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Context {
        classification: app.fields.classification.clone(),
        citizen_facing: app.fields.citizen_facing,
    })
}

/// The service-life policy of a service's records: the version its first build-time record was
/// made under, else the one in force (S1.3).
async fn policy_of(st: &AppState, recorded: &[MeasureRow]) -> AppResult<Loaded<ServiceLifePolicy>> {
    match recorded.first() {
        Some(r) => policies::service_life(st, r.policy_id).await,
        None => policies::service_life_in_force(st).await,
    }
}

/// The build-time checklist of one service: the applicable measures with their records.
pub struct Checklist {
    pub policy: Loaded<ServiceLifePolicy>,
    pub measures: Vec<Measure>,
    pub records: Vec<MeasureRow>,
}

impl Checklist {
    pub fn record(&self, measure_id: &str) -> Option<&MeasureRow> {
        self.records.iter().find(|r| r.measure_id == measure_id)
    }
    /// The applicable measures without a status, in checklist order.
    pub fn missing(&self) -> Vec<ItemProblem> {
        let applicable: Vec<&Measure> = self.measures.iter().collect();
        let recorded: Vec<&str> = self.records.iter().map(|r| r.measure_id.as_str()).collect();
        rules::unrecorded(&applicable, &recorded)
    }
}

pub async fn checklist(st: &AppState, row: &ServiceRow) -> AppResult<Checklist> {
    let records = st.store.measures_of(row.id).await?;
    let policy = policy_of(st, &records).await?;
    let ctx = context(st, row).await?;
    let measures = policy.doc.build_for(&ctx).cloned().collect();
    Ok(Checklist {
        policy,
        measures,
        records,
    })
}

/// Reading a service's measures: its administrator, managers, the ISM and managers over its
/// unit, the CISO.
pub async fn viewable(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<(ServiceRow, OrgTree)> {
    let row = get(st, id).await?;
    let tree = org_tree(st).await?;
    let r = rules::permits(
        &domain(&row),
        &managers(&row),
        &u.actor,
        &tree,
        rules::MeasureMove::View,
    );
    ruled(st, u, r, "measures.view", Entity::Service, Some(id)).await?;
    Ok((row, tree))
}

/// S3.5.6: the administrator records one build-time measure. `version`: the record's version
/// as seen, 0 for a first record.
pub async fn record_build(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    measure_id: &str,
    version: i64,
    input: &BuildInput,
) -> AppResult<MeasureRow> {
    let row = get(st, id).await?;
    let tree = org_tree(st).await?;
    let list = checklist(st, &row).await?;
    let applicable: Vec<&Measure> = list.measures.iter().collect();
    let r = rules::record_build(
        &domain(&row),
        &managers(&row),
        &u.actor,
        &tree,
        &applicable,
        measure_id,
        input,
    );
    let rec = ruled(st, u, r, "measures.record", Entity::Service, Some(id)).await?;
    Ok(st
        .store
        .record_measure(
            &u.who(),
            id,
            measure_id,
            version,
            &rec,
            list.policy.row.id,
            st.now(),
        )
        .await?)
}

/// Who a service's periodic check reminds: its managers, its administrator and the ISMs over
/// its unit.
async fn check_recipients(st: &AppState, row: &ServiceRow, tree: &OrgTree) -> AppResult<Vec<i64>> {
    let isms = responsible_isms(st, row.org_unit_id, tree).await?;
    Ok(rules::check_recipients(&domain(row), &managers(row), &isms))
}

/// 構築中 → 稼働中 once every applicable build-time measure has a status; the first periodic
/// check falls due (S3.6-3).
pub async fn put_into_operation(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
) -> AppResult<ServiceRow> {
    let row = get(st, id).await?;
    let tree = org_tree(st).await?;
    let list = checklist(st, &row).await?;
    let applicable: Vec<&Measure> = list.measures.iter().collect();
    let recorded: Vec<&str> = list.records.iter().map(|r| r.measure_id.as_str()).collect();
    let r = rules::put_into_operation(
        &domain(&row),
        &managers(&row),
        &u.actor,
        &tree,
        &applicable,
        &recorded,
    );
    match r {
        Err(Refusal::Incomplete(missing)) => return Err(AppError::MeasuresIncomplete(missing)),
        r => {
            ruled(
                st,
                u,
                r,
                "measures.into_operation",
                Entity::Service,
                Some(id),
            )
            .await?
        }
    }
    check_version(row.version, version)?;
    let next_due = list
        .policy
        .doc
        .next_check_due(&row.confidentiality, st.today());
    let recipients = check_recipients(st, &row, &tree).await?;
    Ok(st
        .store
        .put_into_operation(&u.who(), &row, next_due, &recipients, st.now())
        .await?)
}

/// At ledger registration: the status the service takes, and — for a service that enters
/// operation at once with a periodic check for its class (S3.6-3) — its first due date and who
/// is reminded.
pub async fn on_registration(
    st: &AppState,
    row: &ServiceRow,
    entry: &LedgerEntry,
) -> AppResult<Option<(Date, Vec<i64>)>> {
    if row.track != Track::Class1 {
        return Ok(None);
    }
    // Without a service-life policy in force there is no check interval to count.
    let policy = match policies::service_life_in_force(st).await {
        Ok(p) => p,
        Err(AppError::Refused(crate::error::ErrorCode::PolicyNotInForce)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(due) = policy
        .doc
        .next_check_due(&row.confidentiality, entry.registered_on)
    else {
        return Ok(None);
    };
    let tree = org_tree(st).await?;
    let mut named = row.clone();
    named.business_system_manager_id = entry.business_system_manager;
    named.infrastructure_manager_id = entry.infrastructure_manager;
    Ok(Some((due, check_recipients(st, &named, &tree).await?)))
}

/// The rules of a service: every operation-time and end-of-use measure with its text, if any.
pub struct Rules {
    pub policy: Loaded<ServiceLifePolicy>,
    pub rules: Vec<RuleRow>,
}

impl Rules {
    pub fn measures(&self) -> impl Iterator<Item = &Measure> {
        rules::rule_measures(&self.policy.doc)
    }
    pub fn rule(&self, measure_id: &str) -> Option<&RuleRow> {
        self.rules.iter().find(|r| r.measure_id == measure_id)
    }
}

pub async fn rules_of(st: &AppState, row: &ServiceRow) -> AppResult<Rules> {
    let rules = st.store.rules_of(row.id).await?;
    let policy = match rules.first() {
        Some(r) => policies::service_life(st, r.policy_id).await?,
        None => policies::service_life_in_force(st).await?,
    };
    Ok(Rules { policy, rules })
}

/// S3.6-1, S3.6-2, S3.7-1: the service's BSM or IM defines a rule.
pub async fn define_rule(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    measure_id: &str,
    version: i64,
    input: &RuleInput,
) -> AppResult<RuleRow> {
    let row = get(st, id).await?;
    let tree = org_tree(st).await?;
    let current = rules_of(st, &row).await?;
    let r = rules::define_rule(
        &domain(&row),
        &managers(&row),
        &u.actor,
        &tree,
        &current.policy.doc,
        measure_id,
        input,
    );
    let body = ruled(st, u, r, "rules.define", Entity::Service, Some(id)).await?;
    Ok(st
        .store
        .define_rule(
            &u.who(),
            id,
            measure_id,
            version,
            &body,
            current.policy.row.id,
            st.now(),
        )
        .await?)
}

/// S3.6-3: the service's BSM or IM records a periodic check; the next one falls due.
pub async fn record_check(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    input: &CheckInput,
) -> AppResult<CheckRow> {
    let row = get(st, id).await?;
    let tree = org_tree(st).await?;
    let policy = policies::service_life_in_force(st).await?;
    let r = rules::record_check(
        &domain(&row),
        &managers(&row),
        &u.actor,
        &tree,
        &policy.doc,
        &row.confidentiality,
        st.today(),
        input,
    );
    let check = ruled(st, u, r, "checks.record", Entity::Service, Some(id)).await?;
    let recipients = check_recipients(st, &row, &tree).await?;
    Ok(st
        .store
        .record_check(&u.who(), &row, &check, policy.row.id, &recipients, st.now())
        .await?)
}

pub async fn checks_of(st: &AppState, row: &ServiceRow) -> AppResult<Vec<CheckRow>> {
    Ok(st.store.checks_of(row.id).await?)
}

/// S3.6: the administrator or the ISM names the service's managers anew; those newly named
/// are told, and reminded of the next check from now on.
pub async fn change_managers(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    input: &ManagersInput,
) -> AppResult<ServiceRow> {
    let row = get(st, id).await?;
    let tree = org_tree(st).await?;
    let before = managers(&row);
    let r = rules::change_managers(&domain(&row), &before, &u.actor, &tree, input);
    let m = ruled(st, u, r, "services.managers", Entity::Service, Some(id)).await?;
    check_version(row.version, version)?;
    let entry = LedgerEntry {
        system_name: String::new(),
        registered_on: st.today(),
        note: String::new(),
        business_system_manager: m.business_system_manager,
        infrastructure_manager: m.infrastructure_manager,
        in_scope: row.in_scope,
    };
    services::check_managers(st, &entry).await?;
    let notify: Vec<Notice> = [m.business_system_manager, m.infrastructure_manager]
        .into_iter()
        .flatten()
        .filter(|id| !before.includes(*id))
        .map(|user_id| Notice {
            user_id,
            kind: NoticeKind::ManagerNamed,
        })
        .collect();
    let mut named = row.clone();
    named.business_system_manager_id = m.business_system_manager;
    named.infrastructure_manager_id = m.infrastructure_manager;
    let recipients = check_recipients(st, &named, &tree).await?;
    Ok(st
        .store
        .change_managers(&u.who(), &row, &m, &notify, &recipients, st.now())
        .await?)
}

/// One page of the periodic checks due for `u` (S3.6-3): of the services they manage or
/// administer, or whose unit they are ISM over; filtered and paged in the database. Answers
/// the page and how many days "due soon" covers, or why the query cannot be followed.
pub async fn due_checks(
    st: &AppState,
    u: &CurrentUser,
    q: &crate::lists::lifecycle::DueCheckListQuery,
) -> AppResult<Result<(Page<DueCheckSummary>, i64), crate::lists::ListError>> {
    let soon = soon_days(st).await?;
    Ok(match q.parse(st, u, st.today(), soon).await? {
        Ok((f, ask)) => Ok((st.store.due_check_page(&f, &ask).await?, soon)),
        Err(e) => Err(e),
    })
}

/// "Due soon": within the longest reminder lead time of the policy in force.
pub async fn soon_days(st: &AppState) -> AppResult<i64> {
    let p = policies::service_life_in_force(st).await?;
    Ok(p.doc
        .reminder_days
        .iter()
        .copied()
        .max()
        .map_or(30, i64::from))
}
