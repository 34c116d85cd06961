//! The ISMAP and ISMAP-LIU lists (issue 11), shared by the CLI, the pages and the JSON API: a
//! downloaded list file read with the column mapping the person confirms, checked row by row
//! (the dry run), kept whole as a dated version, then the cross-check of every service in
//! operation that claims a registration (`cross`).

use crate::audit_denial::ruled;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::import::mapping::{Mapping, Target};
use crate::import::table::{Encoding, Table};
use crate::import::{MappingFrom, Refused, prepare, remember};
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::audit::Entity;
use gaibu_domain::ismap::{self, FIELDS, ListKind, RowOutcome};
use gaibu_store::Who;
use gaibu_store::ismap::{IsmapFlagRow, IsmapListRow, NewList};
use std::collections::BTreeMap;

mod cross;
pub use cross::{Summary, cross_check};

/// The fields of a list row with the headers they are recognised by: this product's own labels
/// in both languages, then the words the published lists use.
pub fn targets() -> Vec<Target> {
    let (ja, en) = (Tr::new(Lang::Ja), Tr::new(Lang::En));
    let names = |key: &str| -> Vec<&'static str> {
        let (a, b) = match key {
            "number" => (ja.ismap_number(), en.ismap_number()),
            "service_name" => (ja.ismap_service_name(), en.ismap_service_name()),
            "provider" => (ja.ismap_provider(), en.ismap_provider()),
            "scope" => (ja.ismap_scope(), en.ismap_scope()),
            "registered_on" => (ja.ismap_registered_on(), en.ismap_registered_on()),
            "audit_period" => (ja.ismap_audit_period(), en.ismap_audit_period()),
            "valid_until" => (ja.ismap_valid_until(), en.ismap_valid_until()),
            _ => (ja.ismap_status(), en.ismap_status()),
        };
        let words: &[&'static str] = match key {
            "number" => &["登録番号", "番号", "Registration No"],
            "service_name" => &[
                "クラウドサービス名称",
                "サービス名称",
                "サービス名",
                "Service",
            ],
            "provider" => &[
                "クラウドサービス事業者名",
                "事業者名",
                "申請者",
                "事業者",
                "Provider",
            ],
            "scope" => &[
                "対象範囲",
                "登録範囲",
                "サービス範囲",
                "範囲",
                "概要",
                "Scope",
            ],
            "registered_on" => &["登録日", "登録年月日", "Registered"],
            "audit_period" => &["監査対象期間", "監査期間", "Audit"],
            "valid_until" => &["有効期限", "有効期間", "Valid"],
            _ => &["状態", "ステータス", "登録状況", "Status"],
        };
        [a, b].into_iter().chain(words.iter().copied()).collect()
    };
    FIELDS
        .iter()
        .map(|(key, required)| Target {
            key,
            required: *required,
            headers: names(key),
        })
        .collect()
}

/// A list file read and checked: its table, the mapping used and every row's outcome.
pub struct Checked {
    pub kind: ListKind,
    pub file_name: String,
    pub sha256: String,
    pub table: Table,
    pub mapping: Mapping,
    /// Where the mapping came from (given, remembered or guessed), for the page to say.
    pub from: MappingFrom,
    pub rows: Vec<RowOutcome>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.rows.iter().filter(|r| r.result.is_err()).count()
    }

    /// Whether the file may be kept: every row good and at least one (all or nothing).
    pub fn is_clean(&self) -> bool {
        !self.rows.is_empty() && self.errors() == 0
    }

    /// Where a field sits in the file, as a message names it.
    pub fn place(&self, key: &str) -> String {
        self.mapping.place(&self.table, key)
    }

    /// Every row error as (row, place, code), in the file's order.
    pub fn row_errors(&self) -> Vec<(usize, String, &'static str)> {
        self.rows
            .iter()
            .flat_map(|r| {
                r.result
                    .as_ref()
                    .err()
                    .into_iter()
                    .flatten()
                    .map(move |e| (r.row, self.place(e.field), e.code))
            })
            .collect()
    }
}

/// The kind under which the mapping confirmed for a file layout is remembered.
pub const MAPPING_KIND: &str = "ismap";

/// Reads and checks a list file (the dry run): the columns as confirmed last for a file of
/// this layout, else as the headers suggest, each overridden by the pairs given (`field`,
/// column; an empty column or `0` for none). Nothing is written.
pub async fn check(
    st: &AppState,
    kind: ListKind,
    name: &str,
    bytes: &[u8],
    encoding: Encoding,
    map: &[(String, String)],
) -> AppResult<Result<Checked, Refused>> {
    let targets = targets();
    let found = prepare(st, MAPPING_KIND, name, bytes, encoding, &[], &targets).await?;
    let p = match (found, map.is_empty()) {
        (found, true) => found,
        (Err(Refused::File(e)), false) => Err(Refused::File(e)),
        (found, false) => {
            let mut pairs: BTreeMap<String, String> = match &found {
                Ok(p) => p
                    .mapping
                    .0
                    .iter()
                    .map(|(k, i)| (k.clone(), (i + 1).to_string()))
                    .collect(),
                Err(_) => BTreeMap::new(),
            };
            for (k, v) in map {
                let k = k.strip_prefix("map.").unwrap_or(k).to_string();
                match v.trim() {
                    "" | "0" => pairs.remove(&k),
                    v => pairs.insert(k, v.to_string()),
                };
            }
            let pairs: Vec<(String, String)> = pairs.into_iter().collect();
            prepare(st, MAPPING_KIND, name, bytes, encoding, &pairs, &targets).await?
        }
    };
    let p = match p {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let rows = ismap::read_rows(p.table.rows.iter().map(|r| {
        let values: BTreeMap<&'static str, &str> = FIELDS
            .iter()
            .map(|(k, _)| (*k, p.mapping.get(&r.cells, k)))
            .collect();
        (r.number, values)
    }));
    Ok(Ok(Checked {
        kind,
        file_name: name.to_string(),
        sha256: p.sha256,
        table: p.table,
        mapping: p.mapping,
        from: p.from,
        rows,
    }))
}

/// Keeps a checked file as a new version (refused whole when a row has an error), then runs
/// the cross-check against the lists as they now are.
pub async fn import(st: &AppState, who: &Who, c: &Checked) -> AppResult<(IsmapListRow, Summary)> {
    if !c.is_clean() {
        let code = if c.rows.is_empty() {
            "empty_file"
        } else {
            "ismap_rows_invalid"
        };
        return Err(AppError::Invalid(vec![FieldError::new("file", code)]));
    }
    let rows: Vec<(usize, ismap::Registration)> = c
        .rows
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|g| (r.row, g.clone())))
        .collect();
    let list = NewList {
        kind: c.kind,
        file_name: &c.file_name,
        sha256: &c.sha256,
        rows: &rows,
    };
    let row = st.store.import_ismap_list(who, &list, st.now()).await?;
    // The mapping is offered again for the next file of this layout (a person's only).
    if who.user_id.is_some() {
        remember(st, who, MAPPING_KIND, &c.table, &c.mapping).await?;
    }
    let summary = cross_check(st, who, st.today()).await?;
    Ok((row, summary))
}

/// Refuses (audited) anyone but the ISM and the CISO.
pub async fn permitted(st: &AppState, u: &CurrentUser, attempted: &str) -> AppResult<()> {
    ruled(
        st,
        u,
        ismap::permits_keeping(&u.actor),
        attempted,
        Entity::IsmapList,
        None,
    )
    .await
}

/// A service's open flag with the version of the list it was found against, for its page.
pub async fn flag_of(
    st: &AppState,
    service_id: i64,
) -> AppResult<Option<(IsmapFlagRow, Option<IsmapListRow>)>> {
    let Some(f) = st.store.open_ismap_flag(service_id).await? else {
        return Ok(None);
    };
    let list = match f.list_id {
        Some(id) => st.store.ismap_list(id).await?,
        None => None,
    };
    Ok(Some((f, list)))
}

/// The text of a finding in `t`'s language.
pub fn finding_label(t: Tr, f: ismap::Finding) -> &'static str {
    match f {
        ismap::Finding::Ok => t.ismap_finding_ok(),
        ismap::Finding::NotListed => t.ismap_finding_not_listed(),
        ismap::Finding::Expired => t.ismap_finding_expired(),
        ismap::Finding::Withdrawn => t.ismap_finding_withdrawn(),
        ismap::Finding::ScopeMismatch => t.ismap_finding_scope_mismatch(),
    }
}

/// The name of a kind of list in `t`'s language.
pub fn kind_label(t: Tr, k: ListKind) -> &'static str {
    match k {
        ListKind::Ismap => t.ismap_kind_ismap(),
        ListKind::IsmapLiu => t.ismap_kind_ismap_liu(),
    }
}
