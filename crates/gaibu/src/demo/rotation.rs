//! The demo's April rotation (人事異動, issue 11): ten more members of staff of 市民課 and 広聴課,
//! each the External Service Administrator of a service in operation (six class 1, handed to
//! them by the Information Manager; four class 2+, applied for by themselves and approved by
//! the ISM), three of their posts holding official accounts; and the personnel division's list
//! that moves them — two swap posts across the units, others go to 情報政策課 or are promoted
//! in place, one leaves the city — written as the rotation template's CSV for the System
//! Administrator to upload on `/admin/rotation`.

use super::life::Cast;
use super::{DEMO_PASSWORD, ORG, checked, demo_evaluation, demo_input};
use crate::auth::{CurrentUser, acting_as};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use crate::{administrator, applications, measures, policies, review, services};
use gaibu_domain::account::AccountInput;
use gaibu_domain::administrator::AdministratorInput;
use gaibu_domain::calendar::{DateStyle, ja};
use gaibu_domain::classification::Track;
use gaibu_domain::ledger::LedgerInput;
use gaibu_domain::measures::BuildInput;
use gaibu_domain::review::DecisionInput;
use gaibu_store::{NewUser, ServiceRow, Who};
use jiff::civil::Date;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// One of the ten as the city has them before April, and their move.
pub struct Staff {
    pub login: &'static str,
    pub name: &'static str,
    /// The code of their unit.
    pub unit: &'static str,
    pub position: &'static str,
    /// The service they administer, its provider, and whether it is class 2+.
    pub service: &'static str,
    pub provider: &'static str,
    pub class2: bool,
    /// The official account their post holds on that service, if any: its id and kind.
    pub account: Option<(&'static str, &'static str)>,
    /// The move: the new unit's code (empty: the same unit) and position; or leaving the city.
    pub to_unit: &'static str,
    pub to_position: &'static str,
    pub leaves: bool,
}

const fn staff(
    login: &'static str,
    name: &'static str,
    (unit, position): (&'static str, &'static str),
    (service, provider, class2): (&'static str, &'static str, bool),
    account: Option<(&'static str, &'static str)>,
    (to_unit, to_position, leaves): (&'static str, &'static str, bool),
) -> Staff {
    Staff {
        login,
        name,
        unit,
        position,
        service,
        provider,
        class2,
        account,
        to_unit,
        to_position,
        leaves,
    }
}

/// The ten. Class-1 services are of 市民課 (the demo Information Manager's unit), so that the
/// demo IM designates their successors; the class-2+ ones are under the demo ISM's bureau.
pub const STAFF: [Staff; 10] = [
    staff(
        "staff01",
        "山田 健一",
        ("CIT-REG", "住民記録係長"),
        (
            "オンライン研修サービス（デモ）",
            "デモラーニング株式会社",
            false,
        ),
        Some(("reg-learning-admin@city.example.lg.jp", "admin")),
        ("CIT-PR", "広聴係長", false),
    ),
    staff(
        "staff02",
        "佐藤 美咲",
        ("CIT-REG", "証明発行係主任"),
        ("翻訳支援サービス（デモ）", "デモ翻訳株式会社", false),
        None,
        ("GA-ICT", "主任", false),
    ),
    staff(
        "staff03",
        "鈴木 大輔",
        ("CIT-REG", "窓口サービス係主査"),
        (
            "日程調整サービス（デモ）",
            "デモスケジュール合同会社",
            false,
        ),
        None,
        ("", "市民課長補佐", false),
    ),
    staff(
        "staff04",
        "高橋 由美",
        ("CIT-REG", "戸籍係主任"),
        ("ビジネスチャット（デモ）", "デモトーク株式会社", false),
        Some(("reg-chat-shared@city.example.lg.jp", "shared")),
        ("", "", true),
    ),
    staff(
        "staff05",
        "田中 翔太",
        ("CIT-REG", "庶務係主事"),
        ("タスク管理サービス（デモ）", "デモタスク株式会社", false),
        None,
        ("CIT-PR", "主事", false),
    ),
    staff(
        "staff06",
        "伊藤 さくら",
        ("CIT-REG", "住民異動係主任"),
        ("電子ホワイトボード（デモ）", "デモボード株式会社", false),
        None,
        ("", "住民異動係長", false),
    ),
    staff(
        "staff07",
        "渡辺 直樹",
        ("CIT-PR", "広聴係長"),
        ("市民意見集約クラウド（デモ）", "デモボイス株式会社", true),
        Some(("pr-voice-admin@city.example.lg.jp", "admin")),
        ("CIT-REG", "住民記録係長", false),
    ),
    staff(
        "staff08",
        "中村 恵",
        ("CIT-PR", "市民相談係主任"),
        ("相談記録クラウド（デモ）", "デモ記録株式会社", true),
        None,
        ("GA-ICT", "主査", false),
    ),
    staff(
        "staff09",
        "小林 拓也",
        ("CIT-PR", "広報係主事"),
        (
            "SNS配信管理クラウド（デモ）",
            "デモソーシャル株式会社",
            true,
        ),
        None,
        ("", "広報係主任", false),
    ),
    staff(
        "staff10",
        "加藤 真由美",
        ("CIT-PR", "広聴係主査"),
        ("動画配信クラウド（デモ）", "デモ動画株式会社", true),
        None,
        ("CIT-REG", "証明発行係主任", false),
    ),
];

/// What the file is called in the demo's data directory.
pub const FILE_NAME: &str = "rotation.csv";

pub(super) async fn seed(st: &AppState, c: &Cast<'_>) -> AppResult<()> {
    let sys = Who::system();
    // One hash for all ten (argon2 is slow on purpose, and the demo seeds every test's app).
    let hash = crate::auth::hash_password(DEMO_PASSWORD.into()).await?;
    // The class-2+ services first, so that the demo's newest service stays one of 市民課's,
    // whose details the demo Information Manager reads.
    let (class2s, class1s): (Vec<&Staff>, Vec<&Staff>) = STAFF.iter().partition(|p| p.class2);
    for p in class2s.into_iter().chain(class1s) {
        let unit = crate::people::find_org_unit(st, p.unit)
            .await?
            .ok_or(AppError::NotFound)?;
        let u = st
            .store
            .create_user(
                &sys,
                &NewUser {
                    login: p.login.into(),
                    display_name: p.name.into(),
                    email: format!("{}@city.example.lg.jp", p.login),
                    org_unit_id: unit.id,
                    position: p.position.into(),
                    lang: "ja".into(),
                    password_hash: Some(hash.clone()),
                    contractor_id: None,
                },
                st.now(),
            )
            .await?;
        let role = crate::people::RoleInput {
            role: "staff".into(),
            org_unit: p.unit.into(),
        };
        crate::people::assign_role(st, &sys, u.id, &role).await?;
        let me = acting_as(st, u.id).await?;
        let s = match p.class2 {
            true => class2(st, c, &me, p).await?,
            false => class1(st, c, &me, p).await?,
        };
        if let Some((account, kind)) = p.account {
            let input = AccountInput {
                account_id: account.into(),
                kind: kind.into(),
                holder_org_unit: s.org_unit_id.to_string(),
                holder_position: p.position.into(),
                created_on: "2026-05-01".into(),
                purpose: format!("{}の管理", p.service),
            };
            services::add_account(st, &me, s.id, &input).await?;
        }
    }
    Ok(())
}

fn input(p: &Staff) -> gaibu_domain::application::ApplicationInput {
    let mut i = demo_input(
        p.service,
        p.provider,
        if p.class2 { "2" } else { "1" },
        "2026-05-01",
    );
    i.user_scope = "所管課の職員に限る".into();
    i
}

/// A class-1 service self-approved by the Information Manager, entered in the ledger, and
/// handed to `me` (S3.4c: the IM designates the administrator of class-1 use).
async fn class1(st: &AppState, c: &Cast<'_>, me: &CurrentUser, p: &Staff) -> AppResult<ServiceRow> {
    let sheet = policies::sheet_in_force(st, Track::Class1).await?;
    let a = checked(st, c.im, &sheet.doc, &input(p)).await?;
    let (_, s) = applications::approve(st, c.im, a.id, a.version).await?;
    let s = super::into_ledger(st, c.im, &s, "2026-05-01").await?;
    let to = AdministratorInput {
        administrator: me.user.id.to_string(),
        reason: "担当係の職員を管理者に指定".into(),
    };
    let (s, _) = administrator::change(st, c.im, s.id, s.version, &to).await?;
    Ok(s)
}

/// A class-2 service applied for by `me`, approved by the ISM, entered in the ledger with its
/// managers named, every build-time measure recorded (S3.5.6) and put into operation.
async fn class2(st: &AppState, c: &Cast<'_>, me: &CurrentUser, p: &Staff) -> AppResult<ServiceRow> {
    let sheet = policies::sheet_in_force(st, Track::Class2Plus).await?;
    let a = checked(st, me, &sheet.doc, &input(p)).await?;
    let a = review::save_evaluation(st, me, a.id, a.version, &demo_evaluation()).await?;
    let a = review::submit(st, me, a.id, a.version).await?;
    let ok = DecisionInput {
        decision: "approve".into(),
        ..Default::default()
    };
    let (_, s) = review::decide(st, c.ism, a.id, a.version, &ok).await?;
    let s = s.ok_or_else(|| anyhow::anyhow!("demo: {} approved without a service", p.service))?;
    let entry = LedgerInput {
        system_name: p.service.into(),
        registered_on: "2026-05-01".into(),
        business_system_manager: c.bsm.to_string(),
        infrastructure_manager: c.infra.to_string(),
        ..Default::default()
    };
    let s = services::register_in_ledger(st, me, s.id, s.version, &entry).await?;
    let list = measures::checklist(st, &s).await?;
    for m in &list.measures {
        let input = BuildInput {
            status: "implemented".into(),
            provider_said: "提供者の回答書（2026年5月）のとおり".into(),
            evidence: "回答書 RFI-2026-05".into(),
            ..Default::default()
        };
        measures::record_build(st, me, s.id, &m.id, 0, &input).await?;
    }
    let s = services::get(st, s.id).await?;
    measures::put_into_operation(st, me, s.id, s.version).await
}

/// The personnel division's list of the ten moves dated `on`, as the rotation template lays
/// it out (its Japanese headers; units by name, the date in the Japanese era), UTF-8 with a
/// byte-order mark as Japanese Excel saves it.
pub fn file(on: Date) -> String {
    let t = Tr::new(Lang::Ja);
    let head = [
        t.rotation_col_login(),
        t.rotation_col_org_unit(),
        t.rotation_col_position(),
        t.rotation_col_effective_on(),
        t.rotation_col_leaves(),
    ];
    let mut out = format!("\u{feff}{}\r\n", head.join(","));
    let day = ja(on, DateStyle::Era);
    for p in &STAFF {
        let unit = ORG
            .iter()
            .find(|(code, ..)| *code == p.to_unit)
            .map(|(_, _, name, _)| *name)
            .unwrap_or("");
        let leaves = if p.leaves { "退職" } else { "" };
        out.push_str(&format!(
            "{},{unit},{},{day},{leaves}\r\n",
            p.login, p.to_position
        ));
    }
    out
}

/// Writes the list, dated `on`, into the demo's data directory; answers its path.
pub fn write_file(dir: &Path, on: Date) -> std::io::Result<PathBuf> {
    let path = dir.join(FILE_NAME);
    std::fs::write(&path, file(on))?;
    Ok(path)
}

/// Writes the list and says, in the demo's start-up lines, where it is and what to do with it.
pub(super) fn announce(dir: &Path, addr: SocketAddr, on: Date) -> std::io::Result<()> {
    let path = write_file(dir, on)?;
    println!(
        "  the April rotation of staff01–staff10 to upload as admin at http://{addr}/admin/rotation (then ism and im name successors at /rotation/successors): {}",
        path.display()
    );
    Ok(())
}
