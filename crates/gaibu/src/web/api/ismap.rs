//! The ISMAP lists through the API (issue 11), for the ISM and the CISO: a list file checked
//! (the dry run) or imported as a dated version (multipart, the larger body limit), the
//! versions, the cross-check run on demand, and the services flagged.

use super::Forbidden;
use super::extract::{ApiMultipart, ApiQuery, Caller, Created, parts_then, routes_of};
use super::model::Paged;
use crate::error::{AppError, AppResult, Bilingual, ErrorCode};
use crate::i18n::{Lang, Tr};
use crate::import::Refused;
use crate::import::table::Encoding;
use crate::ismap::{self as ops, Summary};
use crate::lists::IsmapFlagQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use gaibu_domain::FieldError;
use gaibu_domain::ismap::{Finding, ListKind};
use gaibu_store::ismap::{FlagSummary, IsmapListRow};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

/// The largest list file's request (the file read limit is 20 MB).
const BODY_LIMIT: usize = 21 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(check_list; import_list)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .merge(routes_of!(list_versions; cross_check; list_flags))
}

/// The multipart form of a list file.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form only
pub struct IsmapListForm {
    /// The list as downloaded: .xlsx or .csv.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `ismap` (default) or `ismap_liu`.
    pub kind: Option<String>,
    /// A CSV file's encoding: `auto` (default), `utf-8` or `shift_jis`.
    pub encoding: Option<String>,
    /// `map.<field>` = a column letter or 1-based number, for each of `number`,
    /// `service_name`, `provider`, `scope`, `registered_on`, `audit_period`, `valid_until`,
    /// `status`. Without any, the mapping confirmed last for the layout or guessed from the
    /// headers is used.
    #[schema(rename = "map.number")]
    pub map_number: Option<String>,
}

/// A version of a list as imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct IsmapList {
    pub id: i64,
    pub kind: ListKind,
    pub file_name: String,
    pub sha256: String,
    pub row_count: i64,
    pub imported_by_login: String,
    #[schema(value_type = String, format = DateTime)]
    pub imported_at: Timestamp,
}

impl From<&IsmapListRow> for IsmapList {
    fn from(r: &IsmapListRow) -> Self {
        IsmapList {
            id: r.id,
            kind: r.kind,
            file_name: r.file_name.clone(),
            sha256: r.sha256.clone(),
            row_count: r.row_count,
            imported_by_login: r.imported_by_login.clone(),
            imported_at: r.imported_at,
        }
    }
}

/// An error of a row of the file: where it is and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct IsmapRowError {
    pub row: usize,
    /// The column as the sheet names it, with its header (`C (有効期限)`).
    pub column: String,
    pub code: String,
    pub message: Bilingual,
}

/// A list file checked: the mapping used, the rows read and every error. Nothing is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct IsmapCheck {
    pub kind: ListKind,
    pub file_name: String,
    pub sha256: String,
    /// Field → the column it is read from (`A`, `B` …).
    pub mapping: BTreeMap<String, String>,
    pub rows: usize,
    pub errors: Vec<IsmapRowError>,
    /// Every row is good: the file may be imported.
    pub clean: bool,
}

/// A list imported and the cross-check that followed.
#[derive(Debug, Serialize, ToSchema)]
pub struct IsmapImport {
    pub list: IsmapList,
    pub cross_check: Summary,
}

/// A service flagged by the cross-check.
#[derive(Debug, Serialize, ToSchema)]
pub struct IsmapFlag {
    pub id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub provider: String,
    pub org_unit_id: i64,
    /// The registration number the service's sheet claims.
    pub number: String,
    pub finding: Finding,
    /// The version of the list it was found against.
    pub list_id: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<Date>,
    /// The re-check it opened (S6.1).
    pub recheck_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub raised_at: Timestamp,
}

impl TryFrom<&FlagSummary> for IsmapFlag {
    type Error = AppError;
    fn try_from(f: &FlagSummary) -> AppResult<Self> {
        Ok(IsmapFlag {
            id: f.id,
            service_id: f.service_id,
            service_name: f.service_name.clone(),
            provider: f.provider.clone(),
            org_unit_id: f.org_unit_id,
            number: f.number.clone(),
            finding: f.finding,
            list_id: f.list_id,
            valid_until: f.valid_until,
            recheck_id: f.recheck_id,
            raised_at: f.raised_at,
        })
    }
}

/// A list file sent: the caller, and the file checked.
struct Sent {
    c: Caller,
    checked: ops::Checked,
}

impl FromRequest<AppState> for Sent {
    type Rejection = AppError;
    async fn from_request(req: Request, st: &AppState) -> AppResult<Self> {
        let (c, ApiMultipart(mut mp)): (Caller, _) = parts_then(req, st).await?;
        ops::permitted(&c.st, &c.u, "ismap.import").await?;
        let malformed = || AppError::Refused(ErrorCode::MalformedMultipart);
        let (mut kind, mut encoding, mut file, mut map) = (None, None, None, Vec::new());
        while let Some(field) = mp.next_field().await.map_err(|_| malformed())? {
            let name = field.name().unwrap_or("").to_string();
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| malformed())?;
            let text = || String::from_utf8_lossy(&bytes).trim().to_string();
            match name.as_str() {
                "file" => file = Some((file_name, bytes.to_vec())),
                "kind" => kind = Some(text()),
                "encoding" => encoding = Some(text()),
                n if n.starts_with("map.") => map.push((n[4..].to_string(), text())),
                _ => {}
            }
        }
        let invalid = |f: &str, code| AppError::Invalid(vec![FieldError::new(f, code)]);
        let kind = ListKind::parse(kind.as_deref().unwrap_or(""))
            .ok_or_else(|| invalid("kind", "invalid_choice"))?;
        let encoding = Encoding::parse(encoding.as_deref().unwrap_or(""))
            .ok_or_else(|| invalid("encoding", "invalid_choice"))?;
        let (name, bytes) = file.ok_or_else(|| invalid("file", "required"))?;
        let checked = match ops::check(&c.st, kind, &name, &bytes, encoding, &map).await? {
            Ok(x) => x,
            Err(Refused::File(e)) => return Err(invalid("file", e.code())),
            Err(Refused::Mapping(errs, _)) => return Err(AppError::Invalid(errs)),
        };
        Ok(Sent { c, checked })
    }
}

#[utoipa::path(post, path = "/api/v1/ismap/check", tag = "ismap",
    request_body(content = IsmapListForm, content_type = "multipart/form-data"),
    responses((status = 200, body = IsmapCheck), super::Refusals))]
async fn check_list(s: Sent) -> AppResult<Json<IsmapCheck>> {
    let (ja, en) = (Tr::new(Lang::Ja), Tr::new(Lang::En));
    let c = &s.checked;
    let errors = c
        .row_errors()
        .into_iter()
        .map(|(row, column, code)| IsmapRowError {
            row,
            column,
            code: code.to_string(),
            message: Bilingual {
                ja: ja.error(code),
                en: en.error(code),
            },
        })
        .collect();
    let mapping = c
        .mapping
        .0
        .iter()
        .map(|(k, i)| (k.clone(), crate::import::table::column_name(*i)))
        .collect();
    Ok(Json(IsmapCheck {
        kind: c.kind,
        file_name: c.file_name.clone(),
        sha256: c.sha256.clone(),
        mapping,
        rows: c.rows.len(),
        errors,
        clean: c.is_clean(),
    }))
}

#[utoipa::path(post, path = "/api/v1/ismap/lists", tag = "ismap",
    request_body(content = IsmapListForm, content_type = "multipart/form-data"),
    responses((status = 201, body = IsmapImport), super::Refusals))]
async fn import_list(s: Sent) -> AppResult<Created<IsmapImport>> {
    let (list, cross_check) = ops::import(&s.c.st, &s.c.u.who(), &s.checked).await?;
    Ok(Created(IsmapImport {
        list: IsmapList::from(&list),
        cross_check,
    }))
}

#[utoipa::path(get, path = "/api/v1/ismap/lists", tag = "ismap",
    responses((status = 200, body = Vec<IsmapList>), Forbidden))]
async fn list_versions(c: Caller) -> AppResult<Json<Vec<IsmapList>>> {
    ops::permitted(&c.st, &c.u, "ismap.view").await?;
    let rows = c.st.store.ismap_lists(100).await?;
    Ok(Json(rows.iter().map(IsmapList::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/ismap/cross-check", tag = "ismap",
    responses((status = 200, body = Summary), Forbidden))]
async fn cross_check(c: Caller) -> AppResult<Json<Summary>> {
    ops::permitted(&c.st, &c.u, "ismap.cross_check").await?;
    Ok(Json(
        ops::cross_check(&c.st, &c.u.who(), c.st.today()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/ismap/flags", tag = "ismap", params(IsmapFlagQuery),
    responses((status = 200, body = Paged<IsmapFlag>), Forbidden))]
async fn list_flags(
    c: Caller,
    ApiQuery(q): ApiQuery<IsmapFlagQuery>,
) -> AppResult<Json<Paged<IsmapFlag>>> {
    ops::permitted(&c.st, &c.u, "ismap.view").await?;
    let (filter, ask) = q.parse(gaibu_domain::ismap::units_seen(&c.u.actor))?;
    let page = c.st.store.ismap_flag_page(&filter, &ask).await?;
    Ok(Json(super::convert::paged(&page)?))
}
