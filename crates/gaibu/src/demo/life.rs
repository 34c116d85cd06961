//! The demo's services after approval (S3.5, S3.6, S6, S7.1): one whose terms changed, whose
//! re-check failed and whose correction failed, so its use is stopped; a check ordered by the
//! ISM over a provider's services; one terminated with its key deleted and its accounts closed.

use super::{checked, demo_evaluation, demo_input, met_answers};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::{measures, policies, rechecks, review, services, terminations};
use gaibu_domain::account::AccountInput;
use gaibu_domain::check_order::OrderInput;
use gaibu_domain::classification::Track;
use gaibu_domain::ledger::LedgerInput;
use gaibu_domain::measures::BuildInput;
use gaibu_domain::recheck::{ActionInput, EventInput, RecheckInput, ResultInput};
use gaibu_domain::review::DecisionInput;
use gaibu_domain::sheet::{Answer, NO};
use gaibu_store::ServiceRow;
use jiff::ToSpan;

use crate::state::AppState;

/// Who acts in the story.
pub(super) struct Cast<'a> {
    pub im: &'a CurrentUser,
    pub ism: &'a CurrentUser,
    pub bsm: i64,
    pub infra: i64,
}

pub(super) async fn seed(st: &AppState, c: &Cast<'_>) -> AppResult<()> {
    let today = st.today();
    let in_days = |n: i64| today.checked_add(n.days()).unwrap_or(today).to_string();

    // 9. Class 2 in operation; its terms changed (S6.1), the re-check failed, the corrective
    // action failed (S6.2): its use is stopped.
    let s = in_operation(
        st,
        c,
        "オンラインストレージ（デモ）",
        "デモストレージ株式会社",
        None,
    )
    .await?;
    let event = EventInput {
        kind: "terms_changed".into(),
        description: "利用規約が改定され、データを国外のリージョンに保存できる条項が加わった"
            .into(),
        occurred_on: today.to_string(),
        tos_version: "2026年11月改定版".into(),
        ..Default::default()
    };
    let r = rechecks::record_event(st, c.im, s.id, &event).await?;
    let sheet = policies::sheet_in_force(st, Track::Class2Plus).await?;
    let mut answers = met_answers(&sheet.doc);
    if let Some(item) = sheet.doc.items.iter().find(|i| i.blocking) {
        let no = Answer {
            value: NO.into(),
            comment: "改定後の規約では国内での保存が保証されない".into(),
            ..Default::default()
        };
        answers.insert(item.id.clone(), no);
    }
    let judged = RecheckInput {
        answers,
        judgement: "not_compliant".into(),
        reason: "改定後の規約ではデータの国内保存が保証されないため".into(),
    };
    let (r, _) = rechecks::save(st, c.im, r.id, r.version, &judged).await?;
    let plan = ActionInput {
        owner: c.im.user.id.to_string(),
        due_on: in_days(14),
        plan: "提供者と国内保存の特約を協議する".into(),
    };
    let a = rechecks::plan_action(st, c.im, r.id, &plan).await?;
    let failed = ResultInput {
        result: "not_corrected".into(),
        note: "提供者が特約に応じないため、利用を停止する".into(),
    };
    rechecks::record_result(st, c.im, a.id, a.version, &failed).await?;

    // 10. The ISM orders a check of every service of one provider after news of a
    // vulnerability (S6.3); its administrators have not reported yet.
    let order = OrderInput {
        provider: "株式会社デモ会議".into(),
        reason: "提供者の会議サービスに脆弱性が公表された（JVN）ため、設定と影響を確認すること"
            .into(),
        due_on: in_days(7),
        ..Default::default()
    };
    rechecks::order(st, c.ism, &order).await?;

    // 11. Class 2, terminated (S7.1): the ISM accepted, the ledger and the register ended, the
    // data made unrecoverable by deleting its key (S3.7-3), its account closed.
    let s = in_operation(
        st,
        c,
        "旧グループウェア（デモ）",
        "デモウェア株式会社",
        None,
    )
    .await?;
    let account = AccountInput {
        kind: "admin".into(),
        account_id: "groupware-admin@city.example.lg.jp".into(),
        holder_org_unit: s.org_unit_id.to_string(),
        holder_position: "主査".into(),
        created_on: "2026-07-01".into(),
        purpose: "グループウェアの管理".into(),
    };
    services::add_account(st, c.im, s.id, &account).await?;
    terminations::demo_terminate(st, c.im, c.ism, s.id, today).await?;
    Ok(())
}

/// A class-2 service of `im`, approved by the ISM, in the ledger with its managers named,
/// every build-time measure recorded (S3.5.6) and put into operation; its sheet answered as
/// `answers` says when given (else so that it is met).
pub(super) async fn in_operation(
    st: &AppState,
    c: &Cast<'_>,
    name: &str,
    provider: &str,
    answers: Option<&gaibu_domain::sheet::Answers>,
) -> AppResult<ServiceRow> {
    let sheet = policies::sheet_in_force(st, Track::Class2Plus).await?;
    let mut a = checked(
        st,
        c.im,
        &sheet.doc,
        &demo_input(name, provider, "2", "2026-07-01"),
    )
    .await?;
    if let Some(answers) = answers {
        a = crate::applications::save_self_check(st, c.im, a.id, a.version, answers).await?;
    }
    let a = review::save_evaluation(st, c.im, a.id, a.version, &demo_evaluation()).await?;
    let a = review::submit(st, c.im, a.id, a.version).await?;
    let ok = DecisionInput {
        decision: "approve".into(),
        ..Default::default()
    };
    let (_, s) = review::decide(st, c.ism, a.id, a.version, &ok).await?;
    let s = s.ok_or_else(|| anyhow::anyhow!("demo: {name} approved without a service"))?;
    let entry = LedgerInput {
        system_name: name.into(),
        registered_on: "2026-07-01".into(),
        business_system_manager: c.bsm.to_string(),
        infrastructure_manager: c.infra.to_string(),
        ..Default::default()
    };
    let s = services::register_in_ledger(st, c.im, s.id, s.version, &entry).await?;
    let list = measures::checklist(st, &s).await?;
    for m in &list.measures {
        let input = BuildInput {
            status: "implemented".into(),
            provider_said: "提供者の回答書（2026年7月）のとおり".into(),
            evidence: "回答書 RFI-2026-07".into(),
            ..Default::default()
        };
        measures::record_build(st, c.im, s.id, &m.id, 0, &input).await?;
    }
    let s = services::get(st, s.id).await?;
    measures::put_into_operation(st, c.im, s.id, s.version).await
}
