//! `gaibu demo`: a new embedded database with an organisation, one user for every role, the
//! shipped policy approved by the demo CISO, and services in several states.

pub mod ismap;
mod ledger_file;
mod life;
pub mod rotation;
mod run;

pub use run::run;

use crate::applications;
use crate::auth::{CurrentUser, acting_as};
use crate::error::AppResult;
use crate::people::{self, OrgUnitInput, RoleInput, UserInput};
use crate::policies;
use crate::review;
use crate::services;
use crate::state::AppState;
use gaibu_domain::account::AccountInput;
use gaibu_domain::application::ApplicationInput;
use gaibu_domain::classification::Track;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::ledger::{LedgerInput, RetireInput};
use gaibu_domain::procurement::Procurement;
use gaibu_domain::review::DecisionInput;
use gaibu_domain::sheet::Answers;
use gaibu_store::{ApplicationRow, ServiceRow, Who};

pub const DEMO_PASSWORD: &str = "gaibu-demo";

/// (login, name, org unit code, position, role, role's org unit code)
pub const DEMO_USERS: [(&str, &str, &str, &str, &str, &str); 7] = [
    (
        "admin",
        "システム 管理",
        "CITY",
        "システム管理者",
        "system_administrator",
        "CITY",
    ),
    ("ciso", "最高 責任", "CITY", "副市長", "ciso", "CITY"),
    (
        "ism",
        "安全 管理",
        "CIT",
        "市民局長",
        "information_security_manager",
        "CIT",
    ),
    (
        "im",
        "情報 太郎",
        "CIT-REG",
        "市民課長",
        "information_manager",
        "CIT-REG",
    ),
    (
        "bsm",
        "業務 花子",
        "CIT-REG",
        "システム担当係長",
        "business_system_manager",
        "CIT-REG",
    ),
    (
        "infra",
        "基盤 次郎",
        "GA-ICT",
        "情報政策課長",
        "infrastructure_manager",
        "GA",
    ),
    ("staff", "職員 一郎", "CIT-REG", "主事", "staff", "CIT-REG"),
];

const ORG: [(&str, &str, &str, &str); 8] = [
    ("CITY", "", "本市", "City"),
    ("GA", "CITY", "総務局", "General Affairs Bureau"),
    ("GA-ADM", "GA", "行政部", "Administration Department"),
    ("GA-ICT", "GA-ADM", "情報政策課", "ICT Policy Section"),
    ("CIT", "CITY", "市民局", "Citizens Bureau"),
    ("CIT-CIV", "CIT", "市民部", "Civic Affairs Department"),
    (
        "CIT-REG",
        "CIT-CIV",
        "市民課",
        "Citizen Registration Section",
    ),
    ("CIT-PR", "CIT-CIV", "広聴課", "Public Hearing Section"),
];

fn demo_input(name: &str, provider: &str, conf: &str, period_from: &str) -> ApplicationInput {
    ApplicationInput {
        service_name: name.into(),
        provider: provider.into(),
        url: "https://service.example.com".into(),
        purpose: "庁外の関係者との打合せ・情報共有".into(),
        user_scope: "市民課の職員に限る".into(),
        period_from: period_from.into(),
        period_to: String::new(),
        confidentiality: conf.into(),
        integrity: "1".into(),
        availability: "1".into(),
        data_locations: vec!["日本".into()],
        governing_law: "日本法".into(),
        court: "東京地方裁判所".into(),
        tos_url: "https://service.example.com/terms".into(),
        tos_version: "2026年4月1日版".into(),
        ..Default::default()
    }
}

/// Answers that meet every item of `sheet`; an item that expects evidence says why no file is
/// attached (S3.2c) — the demo attaches real files to some of them instead.
pub fn met_answers(sheet: &gaibu_domain::sheet::Sheet) -> Answers {
    let mut a = sheet.answers_meeting("確認済み（詳細は利用規約を参照）");
    for item in sheet.items.iter().filter(|i| i.evidence) {
        if let Some(ans) = a.get_mut(&item.id) {
            ans.evidence_reason = "提供者の公開ページで確認し、URLと確認日を評価に記録した".into();
        }
    }
    a
}

/// A new application of `who` with its sheet answered so that it is met.
async fn checked(
    st: &AppState,
    who: &CurrentUser,
    sheet: &gaibu_domain::sheet::Sheet,
    input: &ApplicationInput,
) -> AppResult<ApplicationRow> {
    let a = applications::create(st, who, input).await?;
    let a = applications::save_self_check(st, who, a.id, a.version, &met_answers(sheet)).await?;
    // The procurement record is checked on both tracks (S3.3, S4.3): the demo's services are
    // used under their terms, without a procurement.
    let no = Procurement {
        procured: "no".into(),
        ..Default::default()
    };
    review::save_procurement(st, who, a.id, a.version, &no).await
}

/// Enters an approved service in the ledger as of `on`.
async fn into_ledger(
    st: &AppState,
    who: &CurrentUser,
    s: &ServiceRow,
    on: &str,
) -> AppResult<ServiceRow> {
    let entry = LedgerInput {
        system_name: s.name.clone(),
        registered_on: on.into(),
        ..Default::default()
    };
    services::register_in_ledger(st, who, s.id, s.version, &entry).await
}

/// Seeds an empty database. Returns nothing but fails loudly: the demo must be whole.
pub async fn seed(st: &AppState) -> AppResult<()> {
    let sys = Who::system();
    for (code, parent, ja, en) in ORG {
        people::create_org_unit(
            st,
            &sys,
            &OrgUnitInput {
                parent: parent.into(),
                code: code.into(),
                name_ja: ja.into(),
                name_en: en.into(),
            },
        )
        .await?;
    }
    let mut ids = std::collections::HashMap::new();
    for (login, name, org, position, role, role_org) in DEMO_USERS {
        let (u, _) = people::create_user(
            st,
            &sys,
            &UserInput {
                login: login.into(),
                display_name: name.into(),
                email: format!("{login}@city.example.lg.jp"),
                org_unit: org.into(),
                position: position.into(),
                lang: "ja".into(),
                password: String::new(),
            },
        )
        .await?;
        crate::credentials::set_demo_password(st, &sys, u.id, DEMO_PASSWORD).await?;
        people::assign_role(
            st,
            &sys,
            u.id,
            &RoleInput {
                role: role.into(),
                org_unit: role_org.into(),
            },
        )
        .await?;
        ids.insert(login, u.id);
    }
    let id = |l: &str| ids.get(l).copied().unwrap_or_default();
    // The demo CISO approves the shipped policy, as a city would on its first day.
    let ciso = acting_as(st, id("ciso")).await?;
    for p in policies::list(st).await? {
        if p.status == gaibu_domain::policy::PolicyStatus::Pending {
            policies::approve(st, &ciso, p.id).await?;
        }
    }
    let im = acting_as(st, id("im")).await?;
    let staff = acting_as(st, id("staff")).await?;
    let sheet = policies::sheet_in_force(st, Track::Class1).await?;
    let today = st.today();

    // 1. In operation, with two official accounts.
    let a = checked(
        st,
        &im,
        &sheet.doc,
        &demo_input(
            "Web会議サービス（デモ）",
            "株式会社デモ会議",
            "1",
            "2026-04-01",
        ),
    )
    .await?;
    let (_, s) = applications::approve(st, &im, a.id, a.version).await?;
    let s = into_ledger(st, &im, &s, "2026-04-01").await?;
    for (acct, kind, pos) in [
        ("reg-meeting@city.example.lg.jp", "shared", "市民課 庶務係"),
        (
            "reg-admin@city.example.lg.jp",
            "admin",
            "市民課 システム担当係長",
        ),
    ] {
        services::add_account(
            st,
            &im,
            s.id,
            &AccountInput {
                account_id: acct.into(),
                kind: kind.into(),
                holder_org_unit: s.org_unit_id.to_string(),
                holder_position: pos.into(),
                created_on: "2026-04-01".into(),
                purpose: "庁外との打合せ".into(),
            },
        )
        .await?;
    }

    // 2. Retired.
    let a = checked(
        st,
        &im,
        &sheet.doc,
        &demo_input(
            "アンケート作成サービス（デモ）",
            "デモサーベイ株式会社",
            "1",
            "2025-04-01",
        ),
    )
    .await?;
    let (_, s) = applications::approve(st, &im, a.id, a.version).await?;
    let s = into_ledger(st, &im, &s, "2025-04-01").await?;
    services::retire(
        st,
        &im,
        s.id,
        s.version,
        &RetireInput {
            retired_on: today.to_string(),
            reason: "後継サービスへ移行したため".into(),
        },
    )
    .await?;

    // 3. Approved, not yet in the ledger.
    let a = checked(
        st,
        &im,
        &sheet.doc,
        &demo_input(
            "地図作成サービス（デモ）",
            "デモマップ合同会社",
            "1",
            "2026-10-01",
        ),
    )
    .await?;
    applications::approve(st, &im, a.id, a.version).await?;

    // 4. A staff member's draft, half checked.
    let a = applications::create(
        st,
        &staff,
        &demo_input(
            "画像素材サービス（デモ）",
            "デモフォト株式会社",
            "1",
            "2026-12-01",
        ),
    )
    .await?;
    let mut half = met_answers(&sheet.doc);
    let keep: Vec<String> = half.keys().take(half.len() / 2).cloned().collect();
    half.retain(|k, _| keep.contains(k));
    applications::save_self_check(st, &staff, a.id, a.version, &half).await?;

    // 5. Class 2: returned once by the ISM, revised, approved; in the ledger and the register.
    let ism = acting_as(st, id("ism")).await?;
    let sheet2 = policies::sheet_in_force(st, Track::Class2Plus).await?;
    let no = Procurement {
        procured: "no".into(),
        ..Default::default()
    };
    let a = checked(
        st,
        &im,
        &sheet2.doc,
        &demo_input(
            "文書共有クラウド（デモ）",
            "デモクラウド株式会社",
            "2",
            "2026-06-01",
        ),
    )
    .await?;
    let mut evaluation = demo_evaluation();
    evaluation.sla = "稼働率99.9%".into();
    let a = review::save_evaluation(st, &im, a.id, a.version, &evaluation).await?;
    let a = review::save_procurement(st, &im, a.id, a.version, &no).await?;
    let a = review::submit(st, &im, a.id, a.version).await?;
    let back = DecisionInput {
        decision: "return".into(),
        reason: "SLAに目標復旧時間（RTO）を記載してください".into(),
        comments: [(
            "evaluation.sla".to_string(),
            "RTOの記載がありません".to_string(),
        )]
        .into(),
    };
    let (a, _) = review::decide(st, &ism, a.id, a.version, &back).await?;
    let a = review::save_evaluation(st, &im, a.id, a.version, &demo_evaluation()).await?;
    let a = review::submit(st, &im, a.id, a.version).await?;
    let ok = DecisionInput {
        decision: "approve".into(),
        ..Default::default()
    };
    if let (_, Some(s)) = review::decide(st, &ism, a.id, a.version, &ok).await? {
        // In the ledger 構築中 (S3.5) with its managers named; half of its build-time measures
        // recorded, the rest left for the demo's administrator before it goes into operation.
        let entry = LedgerInput {
            system_name: s.name.clone(),
            registered_on: "2026-06-15".into(),
            business_system_manager: id("bsm").to_string(),
            infrastructure_manager: id("infra").to_string(),
            ..Default::default()
        };
        let s = services::register_in_ledger(st, &im, s.id, s.version, &entry).await?;
        let list = crate::measures::checklist(st, &s).await?;
        let half = list.measures.len() / 2;
        for m in list.measures.iter().take(half) {
            let input = gaibu_domain::measures::BuildInput {
                status: "implemented".into(),
                provider_said: "提供者の回答書（2026年6月）のとおり".into(),
                evidence: "回答書 RFI-2026-06".into(),
                ..Default::default()
            };
            crate::measures::record_build(st, &im, s.id, &m.id, 0, &input).await?;
        }
        // Its Business System Manager defines the operation-time rules beforehand (S3.6-1).
        let bsm = acting_as(st, id("bsm")).await?;
        let rules = crate::measures::rules_of(st, &s).await?;
        for m in rules.measures() {
            let input = gaibu_domain::measures::RuleInput {
                body: format!("{}（文書共有クラウド運用規程による）", m.text_ja),
            };
            crate::measures::define_rule(st, &bsm, s.id, &m.id, 0, &input).await?;
        }
    }

    // 6. Class 2, submitted and waiting for the ISM's review.
    let bsm = acting_as(st, id("bsm")).await?;
    let a = checked(
        st,
        &bsm,
        &sheet2.doc,
        &demo_input(
            "オンライン予約サービス（デモ）",
            "デモ予約株式会社",
            "2",
            "2027-01-04",
        ),
    )
    .await?;
    let a = review::save_evaluation(st, &bsm, a.id, a.version, &demo_evaluation()).await?;
    let a = review::save_procurement(st, &bsm, a.id, a.version, &no).await?;
    review::submit(st, &bsm, a.id, a.version).await?;

    // 8. A contractor whose person submitted a class-1 sheet, waiting for the IM's verification.
    let c = crate::contractors::register(
        st,
        &im,
        &crate::contractors::ContractorInput {
            name: "株式会社デモ窓口".into(),
            kind: "contractor".into(),
            work: "住民票交付窓口業務".into(),
            org_unit: String::new(),
        },
    )
    .await?;
    let person = crate::contractors::PersonInput {
        login: "contractor".into(),
        display_name: "窓口 委託子".into(),
        email: "contractor@madoguchi.example.jp".into(),
    };
    let (p, _) = crate::contractors::add_person(st, &im, c.id, &person).await?;
    crate::credentials::set_demo_password(st, &sys, p.id, DEMO_PASSWORD).await?;
    let cp = acting_as(st, p.id).await?;
    let sheet1 = policies::sheet_in_force(st, Track::Class1).await?;
    let s = crate::contractors::create(
        st,
        &cp,
        &crate::contractors::SubmissionInput {
            service_name: "窓口案内チャット（デモ）".into(),
            provider: "デモチャット株式会社".into(),
            confidentiality: "1".into(),
        },
    )
    .await?;
    let s = crate::contractors::save_answers(st, &cp, s.id, s.version, &met_answers(&sheet1.doc))
        .await?;
    crate::contractors::submit(st, &cp, s.id, s.version).await?;

    // 9–11. After approval: a service stopped after a failed re-check, a check order over a
    // provider, a terminated service.
    let cast = life::Cast {
        im: &im,
        ism: &ism,
        bsm: id("bsm"),
        infra: id("infra"),
    };
    life::seed(st, &cast).await?;
    // The ISMAP list imported, one registration lapsed and flagged (issue 11).
    ismap::seed(st, &cast).await?;
    // Ten more staff with services, and the April list that moves them (issue 11).
    rotation::seed(st, &cast).await?;

    // 7. A class-2 draft, just started.
    applications::create(
        st,
        &staff,
        &demo_input(
            "電子契約サービス（デモ）",
            "デモサイン株式会社",
            "2",
            "2027-04-01",
        ),
    )
    .await?;
    // The CISO, the ISM and the System Administrator sign in with a second factor: they come
    // enrolled, and `run` prints how to get their codes.
    crate::mfa::enrol_privileged(st, &sys).await?;
    Ok(())
}

fn demo_evaluation() -> Evaluation {
    Evaluation {
        security_requirements: "機密性2の情報を扱うため、通信・保存時の暗号化、管理者の多要素認証、アクセス元IPの制限を要件とした".into(),
        security_design: "庁内端末→LGWAN接続系→インターネット分離環境→サービス。各区間の暗号化と責任範囲を図示".into(),
        provider_reliability: "ISMAP登録（登録番号・有効期限を確認）、SOC2 Type2報告書".into(),
        contract_clauses: "インシデントの報告義務（24時間以内）、損害賠償、守秘義務を規約で確認".into(),
        sla: "稼働率99.9%、RTO 4時間、東西2リージョンで冗長化".into(),
        backup_level: "日次バックアップ（遠隔地保管）。重要データは月次で庁内にも保管".into(),
        tos_changeable: "no".into(),
        tos_acceptability: "約款は変更できないが、報告義務・賠償・データ消去の条件は本市の基準を満たし受容可能".into(),
        special_agreement: String::new(),
        unfavourable_terms: "賠償上限は年額利用料。代替手段（庁内ファイルサーバ）を確保した上で受容".into(),
        responsibility_split: "基盤・ミドルウェアは提供者、アカウント・権限・共有設定は本市".into(),
        dev_ops_information: "運用手順書・脆弱性対応方針の提供を契約前に確認".into(),
    }
}
