//! A city's ledger as it might arrive: an .xlsx file of `rows` services in the units a person
//! oversees, each naming an administrator of those units by login, for the demo (the ISM's
//! 1,000-service import) and the import benchmark. Its headers are the ledger's own labels.

use super::allowed_units;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_store::lists::people::UserFilter;
use gaibu_store::page::{Dir, PageAsk};
use jiff::civil::Date;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// Units taken, and people per unit: enough to spread the rows, few enough to read fast.
const UNITS: usize = 20;
const PEOPLE: i64 = 20;

/// The file's bytes: services `名称00001`… of `prefix`, registered on days before `today`.
pub async fn ledger_file(
    st: &AppState,
    u: &CurrentUser,
    rows: usize,
    prefix: &str,
    today: Date,
) -> AppResult<Vec<u8>> {
    let over =
        gaibu_domain::import::may_import(&u.actor).map_err(|_| AppError::Forbidden("import"))?;
    let allowed = allowed_units(st, over).await?;
    let units = crate::auth::org_units(st).await?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for unit in units
        .iter()
        .filter(|o| allowed.as_ref().is_none_or(|a| a.contains(&o.id)))
        .take(UNITS)
    {
        let filter = UserFilter {
            org_unit: Some(unit.id),
            active: Some(true),
            staff_only: true,
            ..Default::default()
        };
        let ask = PageAsk {
            sort: "login".into(),
            dir: Dir::Asc,
            limit: PEOPLE,
            after: None,
        };
        for p in st.store.user_page(&filter, &ask).await?.items {
            if p.org_unit_id == unit.id {
                pairs.push((unit.code.clone(), p.login));
            }
        }
    }
    if pairs.is_empty() {
        return Err(AppError::Internal(anyhow::anyhow!(
            "no one in the units {} oversees to name as administrator",
            u.user.login
        )));
    }
    let levels: Vec<String> = crate::policies::scheme_in_force(st)
        .await?
        .doc
        .confidentiality
        .iter()
        .map(|l| l.label_ja.clone())
        .collect();
    let heads = [
        "外部サービスの名称",
        "外部サービス提供者の名称",
        "所属",
        "機密性",
        "外部サービス管理者のログインID",
        "台帳登録日",
        "情報システム名",
        "適用範囲",
        "備考",
    ];
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let day = Format::new().set_num_format("yyyy/m/d");
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).map_err(xlsx)?;
    }
    for i in 0..rows {
        let r = u32::try_from(i + 1).map_err(|e| AppError::Internal(e.into()))?;
        let (unit, login) = &pairs[i % pairs.len()];
        let level = levels
            .get(i % levels.len().max(1))
            .map_or("", String::as_str);
        let on = today.saturating_sub(jiff::Span::new().days((i % 1500) as i64 + 1));
        let cells = [
            format!("{prefix}{:05}", i + 1),
            format!("株式会社クラウド{:02}", i % 37),
            unit.clone(),
            level.to_string(),
            login.clone(),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, v).map_err(xlsx)?;
        }
        let date = ExcelDateTime::from_ymd(
            u16::try_from(on.year()).unwrap_or(2000),
            u8::try_from(on.month()).unwrap_or(1),
            u8::try_from(on.day()).unwrap_or(1),
        )
        .map_err(xlsx)?;
        sheet
            .write_datetime_with_format(r, 5, &date, &day)
            .map_err(xlsx)?;
        sheet
            .write_string(r, 6, format!("{prefix}{:05}システム", i + 1))
            .map_err(xlsx)?;
        sheet.write_string(r, 7, "対象").map_err(xlsx)?;
        sheet.write_string(r, 8, "紙の台帳から移行").map_err(xlsx)?;
    }
    book.save_to_buffer().map_err(xlsx)
}
