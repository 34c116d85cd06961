//! One service's life, made through the operations the API calls (the same functions, the same
//! checks, the same audit events).

use super::city::{After, Kind, Plan};
use super::{Cast, Counter};
use crate::auth::CurrentUser;
use crate::demo::met_answers;
use crate::error::AppResult;
use crate::evidence::Upload;
use crate::state::AppState;
use crate::{applications, evidence, measures, policies, rechecks, review, services, terminations};
use gaibu_domain::account::AccountInput;
use gaibu_domain::application::ApplicationInput;
use gaibu_domain::classification::Track;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::ledger::{LedgerInput, RetireInput};
use gaibu_domain::measures::{BuildInput, CheckInput, CheckItemInput};
use gaibu_domain::procurement::Procurement;
use gaibu_domain::recheck::{ActionInput, EventInput, RecheckInput, ResultInput};
use gaibu_domain::review::DecisionInput;
use gaibu_domain::sheet::{Answer, NO};
use gaibu_store::{ApplicationRow, ServiceRow};
use jiff::ToSpan;
use jiff::civil::Date;

/// What one plan made.
pub(super) struct Made {
    pub applications_only: usize,
    /// The service, when it is in operation.
    pub in_operation: Option<i64>,
}

fn days_ago(st: &AppState, n: i64) -> Date {
    let today = st.today();
    today.checked_sub(n.days()).unwrap_or(today)
}

fn input(st: &AppState, p: &Plan, conf: &str) -> ApplicationInput {
    ApplicationInput {
        service_name: p.name.clone(),
        provider: p.provider.clone(),
        url: format!("https://svc{:05}.example.com", p.number + 1),
        purpose: p.purpose.clone(),
        user_scope: "所管課の職員に限る".into(),
        period_from: days_ago(st, p.started_days_ago).to_string(),
        period_to: String::new(),
        confidentiality: conf.into(),
        integrity: "1".into(),
        availability: "1".into(),
        data_locations: vec!["日本".into()],
        governing_law: "日本法".into(),
        court: "東京地方裁判所".into(),
        tos_url: format!("https://svc{:05}.example.com/terms", p.number + 1),
        tos_version: "2026年4月1日版".into(),
        ..Default::default()
    }
}

/// A new application with its sheet met and its procurement checked (3 writes).
async fn checked(
    st: &AppState,
    who: &CurrentUser,
    track: Track,
    input: &ApplicationInput,
    n: &Counter,
) -> AppResult<ApplicationRow> {
    let sheet = policies::sheet_in_force(st, track).await?;
    let a = applications::create(st, who, input).await?;
    let a =
        applications::save_self_check(st, who, a.id, a.version, &met_answers(&sheet.doc)).await?;
    let no = Procurement {
        procured: "no".into(),
        ..Default::default()
    };
    let a = review::save_procurement(st, who, a.id, a.version, &no).await?;
    n.add(3);
    Ok(a)
}

/// Evidence on the application: a provider's statement, or a certificate that expires.
async fn attach(
    st: &AppState,
    who: &CurrentUser,
    p: &Plan,
    a: &ApplicationRow,
    n: &Counter,
) -> AppResult<ApplicationRow> {
    for k in 0..p.evidence {
        let (filename, expires_on) = match p.certificate_expires_in.filter(|_| k == 0) {
            Some(d) => {
                let today = st.today();
                let on = today.checked_add(d.days()).unwrap_or(today);
                ("ismap-certificate.txt", on.to_string())
            }
            None => ("provider-statement.txt", String::new()),
        };
        let bytes = format!(
            "{}\n{}\n{}\n",
            p.provider,
            p.name,
            if expires_on.is_empty() {
                "提供者の回答書"
            } else {
                "ISMAP 登録証明"
            }
        );
        let data = evidence::Spooled::from_bytes(&evidence::spool_dir(st), bytes.as_bytes())
            .await
            .map_err(|e| anyhow::anyhow!("spooling: {e}"))?;
        let up = Upload {
            filename: filename.into(),
            content_type: "text/plain".into(),
            data,
            item_key: String::new(),
            expires_on,
            note: "ベンチマーク用の証跡".into(),
        };
        evidence::add(st, who, a.id, up).await?;
        n.add(1);
    }
    if p.evidence == 0 {
        return Ok(a.clone());
    }
    applications::load_for_change(st, a.id).await
}

fn evaluation(p: &Plan) -> Evaluation {
    Evaluation {
        security_requirements: "通信・保存時の暗号化、管理者の多要素認証、アクセス元の制限".into(),
        security_design: format!("庁内端末→インターネット分離環境→{}", p.provider),
        provider_reliability: "ISMAP登録（登録番号・有効期限を確認）".into(),
        contract_clauses: "インシデントの報告義務、損害賠償、守秘義務を規約で確認".into(),
        sla: "稼働率99.9%、RTO 4時間".into(),
        backup_level: "日次バックアップ（遠隔地保管）".into(),
        tos_changeable: "no".into(),
        tos_acceptability: "約款は変更できないが本市の基準を満たし受容可能".into(),
        special_agreement: String::new(),
        unfavourable_terms: "賠償上限は年額利用料。代替手段を確保した上で受容".into(),
        responsibility_split: "基盤は提供者、アカウント・権限・共有設定は本市".into(),
        dev_ops_information: "運用手順書・脆弱性対応方針の提供を確認".into(),
    }
}

pub(super) async fn make(st: &AppState, cast: &Cast, p: &Plan, n: &Counter) -> AppResult<Made> {
    let sec = &cast.sections[p.section];
    let im = &sec.im;
    let ism = &cast.isms[sec.bureau];
    let mut made = Made {
        applications_only: 0,
        in_operation: None,
    };
    let class2 = !matches!(
        p.kind,
        Kind::Class1InOperation | Kind::Class1Retired | Kind::Class1Unregistered
    );
    let started = days_ago(st, p.started_days_ago);
    let registered_on = started.checked_add(14.days()).unwrap_or(started);
    let entry = LedgerInput {
        system_name: p.name.clone(),
        registered_on: registered_on.min(st.today()).to_string(),
        business_system_manager: sec.bsm.user.id.to_string(),
        infrastructure_manager: cast.infra.to_string(),
        in_scope: if p.in_scope { "yes" } else { "no" }.into(),
        ..Default::default()
    };
    let s: ServiceRow = if class2 {
        let a = checked(st, im, Track::Class2Plus, &input(st, p, "2"), n).await?;
        let a = attach(st, im, p, &a, n).await?;
        let a = review::save_evaluation(st, im, a.id, a.version, &evaluation(p)).await?;
        let a = review::submit(st, im, a.id, a.version).await?;
        let ok = DecisionInput {
            decision: "approve".into(),
            ..Default::default()
        };
        let (_, s) = review::decide(st, ism, a.id, a.version, &ok).await?;
        n.add(3);
        let s = s.ok_or_else(|| anyhow::anyhow!("approved without a service"))?;
        let s = services::register_in_ledger(st, im, s.id, s.version, &entry).await?;
        n.add(1);
        let list = measures::checklist(st, &s).await?;
        let take = if p.kind == Kind::Class2Building {
            list.measures.len() / 2
        } else {
            list.measures.len()
        };
        for m in list.measures.iter().take(take) {
            let input = BuildInput {
                status: "implemented".into(),
                provider_said: "提供者の回答書のとおり".into(),
                evidence: format!("回答書 RFI-{:05}", p.number + 1),
                ..Default::default()
            };
            measures::record_build(st, im, s.id, &m.id, 0, &input).await?;
            n.add(1);
        }
        if p.kind == Kind::Class2Building {
            return extras(st, cast, p, n, made).await;
        }
        let s = services::get(st, s.id).await?;
        let s = measures::put_into_operation(st, im, s.id, s.version).await?;
        n.add(1);
        s
    } else {
        let a = checked(st, im, Track::Class1, &input(st, p, "1"), n).await?;
        let a = attach(st, im, p, &a, n).await?;
        let (_, s) = applications::approve(st, im, a.id, a.version).await?;
        n.add(1);
        if p.kind == Kind::Class1Unregistered {
            return extras(st, cast, p, n, made).await;
        }
        let s = services::register_in_ledger(st, im, s.id, s.version, &entry).await?;
        n.add(1);
        s
    };
    for k in 0..p.accounts {
        let kind = if k == 0 { "admin" } else { "shared" };
        let account = AccountInput {
            account_id: format!("svc{:05}-{}@city.example.lg.jp", p.number + 1, k + 1),
            kind: kind.into(),
            holder_org_unit: s.org_unit_id.to_string(),
            holder_position: "主査".into(),
            created_on: entry.registered_on.clone(),
            purpose: p.purpose.clone(),
        };
        services::add_account(st, im, s.id, &account).await?;
        n.add(1);
    }
    let today = st.today();
    let event_on = days_ago(st, p.event_days_ago);
    match p.kind {
        Kind::Class1Retired => {
            let s = services::get(st, s.id).await?;
            let end = RetireInput {
                retired_on: event_on.max(registered_on).min(today).to_string(),
                reason: "後継サービスへ移行したため".into(),
            };
            services::retire(st, im, s.id, s.version, &end).await?;
            n.add(1);
        }
        Kind::Class2Terminated => {
            terminations::demo_terminate(st, im, ism, s.id, today).await?;
            n.add(7 + p.accounts as u64);
        }
        Kind::Class2Suspended => {
            let r = event(st, im, s.id, event_on, n).await?;
            let (r, _) = judge(st, im, &r, false, n).await?;
            let a = action(st, im, &r, n).await?;
            let failed = ResultInput {
                result: "not_corrected".into(),
                note: "提供者が特約に応じないため、利用を停止する".into(),
            };
            rechecks::record_result(st, im, a.id, a.version, &failed).await?;
            n.add(1);
        }
        Kind::Class2InOperation => {
            made.in_operation = Some(s.id);
            match p.after {
                After::Nothing => {}
                After::Checked => {
                    let policy = policies::service_life_in_force(st).await?;
                    let done = CheckItemInput {
                        status: "implemented".into(),
                        findings: "問題なし".into(),
                        ..Default::default()
                    };
                    let input = CheckInput {
                        checked_on: event_on.to_string(),
                        summary: "提供者の報告書と設定画面で確認した".into(),
                        items: policy
                            .doc
                            .operation
                            .iter()
                            .map(|m| (m.id.clone(), done.clone()))
                            .collect(),
                    };
                    measures::record_check(st, &sec.bsm, s.id, &input).await?;
                    n.add(1);
                }
                After::RecheckCompliant => {
                    let r = event(st, im, s.id, event_on, n).await?;
                    judge(st, im, &r, true, n).await?;
                }
                After::ActionOpen => {
                    let r = event(st, im, s.id, event_on, n).await?;
                    let (r, _) = judge(st, im, &r, false, n).await?;
                    action(st, im, &r, n).await?;
                }
            }
        }
        Kind::Class1InOperation => made.in_operation = Some(s.id),
        Kind::Class1Unregistered | Kind::Class2Building => {}
    }
    extras(st, cast, p, n, made).await
}

async fn event(
    st: &AppState,
    im: &CurrentUser,
    service_id: i64,
    on: Date,
    n: &Counter,
) -> AppResult<gaibu_store::RecheckRow> {
    let ev = EventInput {
        kind: "terms_changed".into(),
        description: "利用規約が改定された".into(),
        occurred_on: on.to_string(),
        tos_version: "2026年11月改定版".into(),
        ..Default::default()
    };
    let r = rechecks::record_event(st, im, service_id, &ev).await?;
    n.add(1);
    Ok(r)
}

async fn judge(
    st: &AppState,
    im: &CurrentUser,
    r: &gaibu_store::RecheckRow,
    compliant: bool,
    n: &Counter,
) -> AppResult<(
    gaibu_store::RecheckRow,
    Vec<gaibu_domain::sheet::ItemProblem>,
)> {
    let sheet = policies::sheet_in_force(st, Track::Class2Plus).await?;
    let mut answers = met_answers(&sheet.doc);
    if !compliant && let Some(item) = sheet.doc.items.iter().find(|i| i.blocking) {
        let no = Answer {
            value: NO.into(),
            comment: "改定後の規約では国内での保存が保証されない".into(),
            ..Default::default()
        };
        answers.insert(item.id.clone(), no);
    }
    let judged = RecheckInput {
        answers,
        judgement: if compliant {
            "compliant"
        } else {
            "not_compliant"
        }
        .into(),
        reason: if compliant {
            "改定後の規約も基準を満たす"
        } else {
            "改定後の規約ではデータの国内保存が保証されないため"
        }
        .into(),
    };
    let out = rechecks::save(st, im, r.id, r.version, &judged).await?;
    n.add(1);
    Ok(out)
}

async fn action(
    st: &AppState,
    im: &CurrentUser,
    r: &gaibu_store::RecheckRow,
    n: &Counter,
) -> AppResult<gaibu_store::CorrectiveActionRow> {
    let today = st.today();
    let plan = ActionInput {
        owner: im.user.id.to_string(),
        due_on: today.checked_add(14.days()).unwrap_or(today).to_string(),
        plan: "提供者と国内保存の特約を協議する".into(),
    };
    let a = rechecks::plan_action(st, im, r.id, &plan).await?;
    n.add(1);
    Ok(a)
}

/// Applications beside the service: a staff member's draft, a class-2 one waiting for the ISM,
/// one returned by the ISM.
async fn extras(
    st: &AppState,
    cast: &Cast,
    p: &Plan,
    n: &Counter,
    mut made: Made,
) -> AppResult<Made> {
    let sec = &cast.sections[p.section];
    let ism = &cast.isms[sec.bureau];
    let other = |suffix: &str, conf: &str| {
        let mut i = input(st, p, conf);
        i.service_name = format!("{}（{suffix}）", p.name);
        i
    };
    if p.draft {
        let sheet = policies::sheet_in_force(st, Track::Class1).await?;
        let i = other("検討中", "1");
        let a = applications::create(st, &sec.staff, &i).await?;
        let mut half = met_answers(&sheet.doc);
        let keep: Vec<String> = half.keys().take(half.len() / 2).cloned().collect();
        half.retain(|k, _| keep.contains(k));
        applications::save_self_check(st, &sec.staff, a.id, a.version, &half).await?;
        n.add(2);
        made.applications_only += 1;
    }
    for (wanted, suffix) in [(p.waiting, "審査待ち"), (p.returned, "差戻し")] {
        if !wanted {
            continue;
        }
        let i = other(suffix, "2");
        let a = checked(st, &sec.im, Track::Class2Plus, &i, n).await?;
        let a = review::save_evaluation(st, &sec.im, a.id, a.version, &evaluation(p)).await?;
        let a = review::submit(st, &sec.im, a.id, a.version).await?;
        n.add(2);
        if suffix == "差戻し" {
            let back = DecisionInput {
                decision: "return".into(),
                reason: "SLAに目標復旧時間（RTO）を記載してください".into(),
                comments: [(
                    "evaluation.sla".to_string(),
                    "RTOの記載がありません".to_string(),
                )]
                .into(),
            };
            review::decide(st, ism, a.id, a.version, &back).await?;
            n.add(1);
        }
        made.applications_only += 1;
    }
    Ok(made)
}
