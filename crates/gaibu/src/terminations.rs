//! The end of use of a class-2+ service (S7.1-1…6, S3.7-2, S3.7-3): the administrator applies to
//! the ISM, and once accepted the ledger, the register, the disposal with its proof, the
//! accounts and the end-of-use measures are done and recorded. Shared by the pages, the JSON API
//! and the demo.

use crate::audit_denial::ruled;
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::evidence::{self, Upload};
use crate::policies;
use crate::services;
use crate::state::AppState;
use gaibu_domain::Refusal;
use gaibu_domain::account::AccountStatus;
use gaibu_domain::audit::Entity;
use gaibu_domain::ledger::Service;
use gaibu_domain::role::OrgTree;
use gaibu_domain::service_life::Measure;
use gaibu_domain::termination::{
    self as rules, DateInput, DecisionInput, DisposalInput, MeasuresInput, RequestInput,
    Termination, TerminationCapabilities, TerminationMove,
};
use gaibu_store::lists::terminations::TerminationSummary;
use gaibu_store::page::Page;
use gaibu_store::{AccountRow, NewTermination, RegisterRow, ServiceRow, TerminationRow};

/// The rules' view of a stored termination.
pub fn domain(t: &TerminationRow) -> Termination {
    Termination {
        state: Some(t.state),
        ledger_retired: t.ledger_retired_on.is_some(),
        register_ended: t.register_ended_on.is_some(),
        disposal_recorded: t.disposal.is_some(),
        measures_recorded: t.end_of_use.keys().cloned().collect(),
    }
}

/// Everything the termination page and the API show of a service's end of use.
pub struct View {
    pub s: ServiceRow,
    pub t: Option<TerminationRow>,
    pub caps: TerminationCapabilities,
    /// What is still missing before completion, as stable codes (empty before acceptance).
    pub missing: Vec<&'static str>,
    pub open_accounts: Vec<AccountRow>,
    /// S3.7-1a–c: the end-of-use measures to check and record (S3.7-2).
    pub measures: Vec<Measure>,
    /// The service's own rule for each measure, as its managers defined it beforehand
    /// (S3.7-1), by measure id.
    pub rules: std::collections::BTreeMap<String, String>,
    pub register: Option<RegisterRow>,
    /// S3.7-3 applies: the record must say whether the data was stored encrypted.
    pub highly_confidential: bool,
}

impl View {
    /// Who acts next, as a message key of `termination.next_*`.
    pub fn next(&self) -> &'static str {
        use gaibu_domain::termination::TerminationState as S;
        match self.t.as_ref().map(|t| t.state) {
            None | Some(S::Returned) => "next_administrator_request",
            Some(S::Requested) => "next_ism_decide",
            Some(S::Completed) => "next_none",
            Some(S::Accepted) => match self.missing.first() {
                Some(&"termination_register_not_ended")
                    if self
                        .t
                        .as_ref()
                        .is_some_and(|t| t.ledger_retired_on.is_some()) =>
                {
                    "next_ism_register"
                }
                _ => "next_administrator_steps",
            },
        }
    }
}

async fn service_and_termination(
    st: &AppState,
    sid: i64,
) -> AppResult<(ServiceRow, Option<TerminationRow>)> {
    let s = services::get(st, sid).await?;
    let t = st.store.termination_of_service(sid).await?;
    Ok((s, t))
}

/// The end-of-use measures of the policy the termination was applied for under (or, before,
/// the one in force).
async fn end_of_use_measures(st: &AppState, t: Option<&TerminationRow>) -> AppResult<Vec<Measure>> {
    let doc = match t.and_then(|t| t.service_life_policy_id) {
        Some(id) => policies::service_life(st, id).await?.doc,
        None => match policies::service_life_in_force(st).await {
            Ok(p) => p.doc,
            Err(AppError::Refused(crate::error::ErrorCode::PolicyNotInForce)) => {
                return Ok(vec![]);
            }
            Err(e) => return Err(e),
        },
    };
    Ok(doc.end_of_use)
}

fn open(accounts: Vec<AccountRow>) -> Vec<AccountRow> {
    accounts
        .into_iter()
        .filter(|a| a.status == AccountStatus::Active)
        .collect()
}

/// S3.7-3: whether the service handles highly confidential information (住民情報等), by its
/// application's classification under the scheme it was classified with.
async fn highly_confidential(st: &AppState, s: &ServiceRow) -> AppResult<bool> {
    let Some(app) = st.store.application(s.application_id).await? else {
        return Ok(false);
    };
    let scheme = policies::scheme(st, app.classification_policy_id).await?;
    Ok(rules::is_highly_confidential(
        &scheme.doc,
        &app.fields.classification,
    ))
}

fn ids(measures: &[Measure]) -> Vec<&str> {
    measures.iter().map(|m| m.id.as_str()).collect()
}

/// The termination of a service as `u` may see it: its administrator, the managers over its
/// unit, the ISM and the CISO (403, audited, for anyone else).
pub async fn view(st: &AppState, u: &CurrentUser, sid: i64) -> AppResult<View> {
    let tree = org_tree(st).await?;
    view_in(st, u, sid, &tree).await
}

pub async fn view_in(st: &AppState, u: &CurrentUser, sid: i64, tree: &OrgTree) -> AppResult<View> {
    let (s, t) = service_and_termination(st, sid).await?;
    let d = services::domain(&s);
    let dt = t.as_ref().map(domain);
    let may = rules::permits_termination(&d, dt.as_ref(), &u.actor, tree, TerminationMove::View);
    ruled(st, u, may, "termination.view", Entity::Service, Some(sid)).await?;
    let caps = rules::capabilities(&d, dt.as_ref(), &u.actor, tree);
    let open_accounts = open(st.store.accounts(sid).await?);
    let measures = end_of_use_measures(st, t.as_ref()).await?;
    let missing = match (&t, &dt) {
        (Some(row), Some(dt)) if row.state == rules::TerminationState::Accepted => {
            rules::missing(dt, open_accounts.len(), &ids(&measures))
        }
        _ => vec![],
    };
    let highly_confidential = match &t {
        Some(row) => row.highly_confidential,
        None => highly_confidential(st, &s).await?,
    };
    let rules = st
        .store
        .rules_of(sid)
        .await?
        .into_iter()
        .map(|r| (r.measure_id, r.body))
        .collect();
    Ok(View {
        rules,
        register: st.store.register_entry_of_service(sid).await?,
        s,
        t,
        caps,
        missing,
        open_accounts,
        measures,
        highly_confidential,
    })
}

/// One step of a termination under way: the service and its termination read, the rule
/// asked (a refusal audited as `what`), the termination's version checked.
async fn step<T>(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
    version: i64,
    what: &'static str,
    rule: impl FnOnce(&Service, Option<&Termination>, &OrgTree) -> Result<T, Refusal>,
) -> AppResult<(ServiceRow, TerminationRow, T)> {
    let tree = org_tree(st).await?;
    let (s, t) = service_and_termination(st, sid).await?;
    let dt = t.as_ref().map(domain);
    let ruling = rule(&services::domain(&s), dt.as_ref(), &tree);
    let out = ruled(st, u, ruling, what, Entity::Service, Some(sid)).await?;
    let t = existing(t)?;
    check_version(&t, version)?;
    Ok((s, t, out))
}

/// The termination as it must be for a move other than the request.
fn existing(t: Option<TerminationRow>) -> AppResult<TerminationRow> {
    t.ok_or(AppError::Conflict("termination_not_requested"))
}

fn check_version(t: &TerminationRow, version: i64) -> AppResult<()> {
    if t.version != version {
        return Err(AppError::Stale);
    }
    Ok(())
}

/// S7.1-1: the administrator applies to the ISM for the end of use; the ISMs over the
/// service's unit are told.
pub async fn request(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
    input: &RequestInput,
) -> AppResult<TerminationRow> {
    let tree = org_tree(st).await?;
    let (s, t) = service_and_termination(st, sid).await?;
    let dt = t.as_ref().map(domain);
    let req = rules::request(
        &services::domain(&s),
        dt.as_ref(),
        &u.actor,
        &tree,
        input,
        st.today(),
    );
    let req = ruled(
        st,
        u,
        req,
        "termination.request",
        Entity::Service,
        Some(sid),
    )
    .await?;
    let isms = crate::review::responsible_isms(st, s.org_unit_id, &tree).await?;
    if isms.is_empty() {
        return Err(AppError::Refused(crate::error::ErrorCode::NoResponsibleIsm));
    }
    let policy_id = match policies::service_life_in_force(st).await {
        Ok(p) => Some(p.row.id),
        Err(AppError::Refused(crate::error::ErrorCode::PolicyNotInForce)) => None,
        Err(e) => return Err(e),
    };
    let n = NewTermination {
        request: &req,
        service_life_policy_id: policy_id,
        highly_confidential: highly_confidential(st, &s).await?,
        isms: &isms,
    };
    Ok(st
        .store
        .request_termination(&u.who(), &s, t.as_ref(), &n, st.now())
        .await?)
}

/// The ISM over the service's unit accepts or returns the request; the administrator is told.
pub async fn decide(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
    version: i64,
    input: &DecisionInput,
) -> AppResult<TerminationRow> {
    let rule = |s: &Service, t: Option<&Termination>, tree: &OrgTree| {
        rules::decide(s, t, &u.actor, tree, input)
    };
    let (s, t, d) = step(st, u, sid, version, "termination.decide", rule).await?;
    Ok(st
        .store
        .decide_termination(&u.who(), &s, &t, &d, st.now())
        .await?)
}

/// S7.1-2: the administrator changes the ledger to 廃止済み.
pub async fn retire_ledger(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
    version: i64,
    input: &DateInput,
) -> AppResult<TerminationRow> {
    let rule = |s: &Service, t: Option<&Termination>, tree: &OrgTree| {
        rules::retire_ledger(s, t, &u.actor, tree, input)
    };
    let (s, t, on) = step(st, u, sid, version, "termination.ledger", rule).await?;
    Ok(st
        .store
        .termination_retire_ledger(&u.who(), &s, &t, on, st.now())
        .await?)
}

/// S7.1-3: the ISM marks the usage-register entry ended.
pub async fn end_register(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
    version: i64,
    input: &DateInput,
) -> AppResult<TerminationRow> {
    let rule = |s: &Service, t: Option<&Termination>, tree: &OrgTree| {
        rules::end_register(s, t, &u.actor, tree, input)
    };
    let (s, t, on) = step(st, u, sid, version, "termination.register", rule).await?;
    let entry = st.store.register_entry_of_service(sid).await?;
    Ok(st
        .store
        .termination_end_register(&u.who(), &s, &t, entry.as_ref(), on, st.now())
        .await?)
}

/// S7.1-4, S3.7-3: the disposal record with its proof: the provider's deletion certificate (a
/// file) or the deletion of the encryption key.
pub async fn record_disposal(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
    version: i64,
    input: &DisposalInput,
    file: Option<Upload>,
) -> AppResult<TerminationRow> {
    let rule = |s: &Service, t: Option<&Termination>, tree: &OrgTree| {
        rules::permits_termination(s, t, &u.actor, tree, TerminationMove::RecordDisposal)
    };
    let (s, t, ()) = step(st, u, sid, version, "termination.disposal", rule).await?;
    let file = file.filter(|f| f.data.size() > 0 || !f.filename.is_empty());
    let mut errs = Vec::new();
    if let Some(f) = &file {
        evidence::check_upload(st, f, &mut errs);
    }
    let parsed = input.parse(t.highly_confidential, file.is_some());
    let disposal = match parsed {
        Ok(d) if errs.is_empty() => d,
        Ok(_) => return Err(AppError::Invalid(errs)),
        Err(mut more) => {
            more.extend(errs);
            return Err(AppError::Invalid(more));
        }
    };
    let kept = match &file {
        Some(f) => Some(evidence::store_upload(st, f).await?),
        None => None,
    };
    let proof = match (&file, &kept) {
        (Some(f), Some(k)) => Some(evidence::record_of(f, k, None)),
        _ => None,
    };
    Ok(st
        .store
        .record_disposal(&u.who(), &s, &t, &disposal, proof.as_ref(), st.now())
        .await?)
}

/// S3.7-2: the administrator records the end-of-use measures' statuses (merged with those
/// recorded before).
pub async fn record_measures(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
    version: i64,
    input: &MeasuresInput,
) -> AppResult<TerminationRow> {
    let rule = |s: &Service, t: Option<&Termination>, tree: &OrgTree| {
        rules::permits_termination(s, t, &u.actor, tree, TerminationMove::RecordMeasures)
    };
    let (s, t, ()) = step(st, u, sid, version, "termination.measures", rule).await?;
    let measures = end_of_use_measures(st, Some(&t)).await?;
    let given = input.parse(&ids(&measures)).map_err(AppError::Invalid)?;
    let mut all = t.end_of_use.clone();
    all.extend(given);
    Ok(st
        .store
        .record_end_of_use(&u.who(), &s, &t, &all, st.now())
        .await?)
}

/// S7.1-6: the administrator records that everything was done. 409 with the code of what is
/// missing while anything is (an open account, no disposal record, …).
pub async fn complete(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
    version: i64,
    note: &str,
) -> AppResult<TerminationRow> {
    let tree = org_tree(st).await?;
    let (s, t) = service_and_termination(st, sid).await?;
    let t = match t {
        Some(t) => t,
        None => {
            let d = services::domain(&s);
            let may =
                rules::permits_termination(&d, None, &u.actor, &tree, TerminationMove::Complete);
            ruled(
                st,
                u,
                may,
                "termination.complete",
                Entity::Service,
                Some(sid),
            )
            .await?;
            return Err(AppError::Conflict("termination_not_requested"));
        }
    };
    let open_accounts = open(st.store.accounts(sid).await?).len();
    let measures = end_of_use_measures(st, Some(&t)).await?;
    let done = rules::complete(
        &services::domain(&s),
        &domain(&t),
        &u.actor,
        &tree,
        open_accounts,
        &ids(&measures),
    );
    ruled(
        st,
        u,
        done,
        "termination.complete",
        Entity::Service,
        Some(sid),
    )
    .await?;
    check_version(&t, version)?;
    Ok(st
        .store
        .complete_termination(&u.who(), &s, &t, note.trim(), st.now())
        .await?)
}

/// A page of the terminations of the units `u` is ISM over (by default those waiting for
/// them), filtered and paged in the database; or why the query cannot be followed.
pub async fn list(
    st: &AppState,
    u: &CurrentUser,
    q: &crate::lists::lifecycle::TerminationListQuery,
) -> AppResult<Result<Page<TerminationSummary>, crate::lists::ListError>> {
    Ok(match q.parse(st, u).await? {
        Ok((f, ask)) => Ok(st.store.termination_page(&f, &ask).await?),
        Err(e) => Err(e),
    })
}

/// The proof file of a disposal, for whoever may see the termination.
pub async fn proof(
    st: &AppState,
    u: &CurrentUser,
    sid: i64,
) -> AppResult<(TerminationRow, evidence::Content)> {
    let v = view(st, u, sid).await?;
    let t = v.t.ok_or(AppError::NotFound)?;
    let sha = t.proof_sha256.clone().ok_or(AppError::NotFound)?;
    let content = evidence::read_checked(st, &sha).await?;
    Ok((t, content))
}

/// Demo hook: terminates a class-2 service end to end with a crypto-shredding record — the
/// administrator applies, `ism` accepts, the ledger and the register end, every account is
/// closed, the end-of-use measures are recorded and the termination completes.
pub async fn demo_terminate(
    st: &AppState,
    admin: &CurrentUser,
    ism: &CurrentUser,
    sid: i64,
    on: jiff::civil::Date,
) -> AppResult<TerminationRow> {
    let day = on.to_string();
    let req = RequestInput {
        reason: "後継サービスへの移行のため利用を終了".into(),
        planned_end_on: day.clone(),
    };
    let t = request(st, admin, sid, &req).await?;
    let accept = DecisionInput {
        decision: "accept".into(),
        reason: String::new(),
    };
    let t = decide(st, ism, sid, t.version, &accept).await?;
    let date = DateInput { on: day.clone() };
    let t = retire_ledger(st, admin, sid, t.version, &date).await?;
    let t = end_register(st, ism, sid, t.version, &date).await?;
    for a in open(st.store.accounts(sid).await?) {
        let input = services::CloseAccountInput {
            version: a.version,
            closed_on: day.clone(),
        };
        services::close_account(st, admin, a.id, &input).await?;
    }
    let shred = DisposalInput {
        method: "key_deletion".into(),
        disposed_on: day.clone(),
        key_reference: "kms://city-demo/keys/document-share-2026".into(),
        note: "暗号鍵を削除し、データを復元困難な状態とした".into(),
        stored_encrypted: "yes".into(),
        ..Default::default()
    };
    let t = record_disposal(st, admin, sid, t.version, &shred, None).await?;
    let measures = end_of_use_measures(st, Some(&t)).await?;
    let input = MeasuresInput {
        measures: measures
            .iter()
            .map(|m| {
                let done = rules::MeasureInput {
                    status: "implemented".into(),
                    note: String::new(),
                };
                (m.id.clone(), done)
            })
            .collect(),
    };
    let t = record_measures(st, admin, sid, t.version, &input).await?;
    complete(
        st,
        admin,
        sid,
        t.version,
        "情報の廃棄とアカウントの廃棄を確認",
    )
    .await
}

/// A multipart form's text fields and its file (if one was chosen), as the disposal form sends
/// them.
pub async fn read_form_with_file(
    st: &AppState,
    mut mp: axum::extract::Multipart,
) -> AppResult<(Vec<(String, String)>, Option<Upload>)> {
    use crate::error::ErrorCode;
    use axum::http::StatusCode;
    let too_large = || {
        AppError::Invalid(vec![gaibu_domain::FieldError::new(
            "file",
            "file_too_large",
        )])
    };
    let mut pairs = Vec::new();
    let mut file = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(AppError::Refused(ErrorCode::MalformedForm)),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let filename = field.file_name().unwrap_or("").to_string();
            let content_type = field.content_type().unwrap_or("").to_string();
            let data = evidence::spool_field(st, field).await?;
            // A file input left empty sends a part with no name and no bytes.
            if !filename.is_empty() || data.size() > 0 {
                file = Some(Upload {
                    filename,
                    content_type,
                    data,
                    ..Default::default()
                });
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| AppError::Refused(ErrorCode::MalformedForm))?;
            crate::error::check_text(&text)?;
            pairs.push((name, text));
        }
    }
    Ok((pairs, file))
}

/// The disposal fields of a multipart form.
pub fn disposal_of(pairs: &[(String, String)]) -> DisposalInput {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    DisposalInput {
        method: get("method"),
        disposed_on: get("disposed_on"),
        key_reference: get("key_reference"),
        note: get("note"),
        stored_encrypted: get("stored_encrypted"),
        data_returned_on: get("data_returned_on"),
        data_return_note: get("data_return_note"),
    }
}

/// The record version a multipart form was made from (400 when it is not a whole number from 1).
pub fn version_of(pairs: &[(String, String)]) -> AppResult<i64> {
    pairs
        .iter()
        .find(|(n, _)| n == "version")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 1)
        .ok_or(AppError::Refused(crate::error::ErrorCode::InvalidVersion))
}
