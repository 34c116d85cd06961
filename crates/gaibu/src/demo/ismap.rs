//! The demo's ISMAP list (issue 11): two class-2 services in operation whose sheets claim an
//! ISMAP registration, and a small list in the published shape imported by the demo ISM at
//! seed time. One of the registrations lapsed some months ago, so the cross-check flags its
//! service — on its page and on the dashboard — and opens its re-check (S6.1).

use super::life::{Cast, in_operation};
use super::met_answers;
use crate::auth::acting_as;
use crate::error::{AppError, AppResult};
use crate::import::table::Encoding;
use crate::policies;
use crate::state::AppState;
use gaibu_domain::calendar::EraDate;
use gaibu_domain::classification::Track;
use gaibu_domain::ismap::ListKind;
use gaibu_domain::sheet::{Answer, Answers, CLAIM_ISMAP_REGISTRATION, Sheet};
use gaibu_store::ServiceRow;
use jiff::ToSpan;
use jiff::civil::Date;

/// The demo services that claim a registration, with their numbers: the first registration
/// is valid, the second lapsed.
const CLAIMS: [(&str, &str, &str); 2] = [
    (
        "Web会議クラウド（デモ）",
        "デモ会議クラウド株式会社",
        "C24-0101-1",
    ),
    ("電子申請クラウド（デモ）", "デモ申請株式会社", "C22-0042-1"),
];

pub(super) async fn seed(st: &AppState, c: &Cast<'_>) -> AppResult<()> {
    for (name, provider, number) in CLAIMS {
        let sheet = policies::sheet_in_force(st, Track::Class2Plus).await?;
        let answers = claiming(&sheet.doc, number);
        in_operation(st, c, name, provider, Some(&answers)).await?;
    }
    let csv = demo_list(st.today());
    let name = "ismap_cloud_service_list_demo.csv";
    let checked = crate::ismap::check(
        st,
        ListKind::Ismap,
        name,
        csv.as_bytes(),
        Encoding::Detect,
        &[],
    )
    .await?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("demo ISMAP list refused: {e:?}")))?;
    crate::ismap::import(st, &c.ism.who(), &checked).await?;
    Ok(())
}

/// Answers that meet `sheet` and claim the registration `number`: the items that claim one
/// are given it, and the answers they depend on the first value that makes them apply.
pub fn claiming(sheet: &Sheet, number: &str) -> Answers {
    let mut answers = met_answers(sheet);
    for item in sheet
        .items
        .iter()
        .filter(|i| i.claims.as_deref() == Some(CLAIM_ISMAP_REGISTRATION))
    {
        if let Some(cond) = &item.show_if
            && let (Some(other), Some(value)) =
                (cond.field.strip_prefix("answer:"), cond.any_of.first())
        {
            answers.entry(other.to_string()).or_default().value = value.clone();
        }
        let a = Answer {
            value: number.to_string(),
            evidence_reason: "ISMAPクラウドサービスリストで登録を確認した".into(),
            ..Default::default()
        };
        answers.insert(item.id.clone(), a);
    }
    answers
}

/// A class-2 service in operation, made by the demo's people (`im` applies, `ism` approves),
/// whose sheet claims the registration `number`. For the tests, on a demo database.
pub async fn service_claiming(
    st: &AppState,
    name: &str,
    provider: &str,
    number: &str,
) -> AppResult<ServiceRow> {
    let mut ids = Vec::new();
    for login in ["im", "ism", "bsm", "infra"] {
        let u = st
            .store
            .user_by_login(login)
            .await?
            .ok_or(AppError::NotFound)?;
        ids.push(u.id);
    }
    let (im, ism) = (acting_as(st, ids[0]).await?, acting_as(st, ids[1]).await?);
    let c = Cast {
        im: &im,
        ism: &ism,
        bsm: ids[2],
        infra: ids[3],
    };
    let sheet = policies::sheet_in_force(st, Track::Class2Plus).await?;
    in_operation(st, &c, name, provider, Some(&claiming(&sheet.doc, number))).await
}

/// The demo list in the published list's shape: Japanese headers, era and Western dates, the
/// audited period as a range; validity given or left to be derived from the audited period.
fn demo_list(today: Date) -> String {
    let ago = |d: i64| today.checked_sub(d.days()).unwrap_or(today);
    let era = |d: Date| {
        EraDate::from_date(d)
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let rows = [
        // Valid: audited until 100 days ago, so valid for about a year more.
        [
            "C24-0101-1".to_string(),
            "Web会議クラウド（デモ）".into(),
            "デモ会議クラウド株式会社".into(),
            "Web会議クラウド（デモ）、録画の保存".into(),
            era(ago(200)),
            format!("{}～{}", ago(465), ago(100)),
            String::new(),
            "登録".into(),
        ],
        // Lapsed: audited until two years ago, valid until 1 year 4 months after that.
        [
            "C22-0042-1".into(),
            "電子申請クラウド（デモ）".into(),
            "デモ申請株式会社".into(),
            "電子申請クラウド（デモ）".into(),
            era(ago(900)),
            format!("{}～{}", era(ago(1095)), era(ago(730))),
            String::new(),
            "登録".into(),
        ],
        [
            "C23-0007-2".into(),
            "文書共有クラウド（デモ）".into(),
            "デモクラウド株式会社".into(),
            "文書共有クラウド（デモ）".into(),
            ago(400).to_string(),
            String::new(),
            ago(-300).to_string(),
            "登録".into(),
        ],
        [
            "C21-0003-1".into(),
            "旧ストレージサービス（デモ）".into(),
            "デモストレージ株式会社".into(),
            String::new(),
            ago(1500).to_string(),
            String::new(),
            ago(-30).to_string(),
            "登録取消".into(),
        ],
    ];
    let mut out = String::from(
        "登録番号,クラウドサービス名称,クラウドサービス事業者名,対象範囲,登録日,監査対象期間,有効期限,登録状況\n",
    );
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out
}
