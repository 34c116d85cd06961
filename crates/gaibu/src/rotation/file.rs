//! A rotation file (.xlsx or .csv, UTF-8 or Shift_JIS): one row per person — login (or staff
//! number), the unit they move to (code or name), their new position, the day of the move,
//! and whether they leave the city. Read with the import's guards and column mapping, each row
//! made a move, and the moves planned together; a file with one bad row applies nothing.

use super::{Preview, preview};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::import::mapping::Target;
use crate::import::table::Encoding;
use crate::import::{Prepared, Refused, prepare, remember};
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::import::CellError;
use gaibu_domain::rotation::{Move, ROTATION_FIELDS, read_row};
use gaibu_store::{NewBatch, RotationApplied, Who};
use jiff::civil::Date;
use std::collections::BTreeMap;

/// What a mapping is remembered under.
pub const KIND: &str = "rotation";

/// The fields of a rotation row with the headers they are recognised by: the template's own
/// headers in both languages, then the words a personnel division's list is likely to use.
pub fn targets() -> Vec<Target> {
    let (ja, en) = (Tr::new(Lang::Ja), Tr::new(Lang::En));
    let names = |key: &str| -> Vec<&'static str> {
        match key {
            "login" => vec![
                ja.rotation_col_login(),
                en.rotation_col_login(),
                "職員番号",
                "職員ID",
                "ログインID",
                "login",
            ],
            "org_unit" => vec![
                ja.rotation_col_org_unit(),
                en.rotation_col_org_unit(),
                "新所属",
                "異動先",
                "所属",
            ],
            "position" => vec![
                ja.rotation_col_position(),
                en.rotation_col_position(),
                "新職名",
                "職",
            ],
            "effective_on" => vec![
                ja.rotation_col_effective_on(),
                en.rotation_col_effective_on(),
                "異動日",
                "発令年月日",
            ],
            "leaves" => vec![
                ja.rotation_col_leaves(),
                en.rotation_col_leaves(),
                "退職者",
                "退職区分",
            ],
            _ => Vec::new(),
        }
    };
    ROTATION_FIELDS
        .iter()
        .map(|(key, required)| Target {
            key,
            required: *required,
            headers: names(key),
        })
        .collect()
}

/// A file read, each row made a move or refused, and the moves planned.
pub struct FileCheck {
    pub prepared: Prepared,
    /// Each row of the file: its number, and the index of its move or its errors.
    pub rows: Vec<(usize, Result<usize, Vec<CellError>>)>,
    pub preview: Preview,
}

impl FileCheck {
    pub fn is_clean(&self) -> bool {
        self.rows.iter().all(|(_, r)| r.is_ok()) && self.preview.is_clean()
    }

    /// The file's row number of a move.
    pub fn row_of(&self, index: usize) -> Option<usize> {
        self.rows
            .iter()
            .find(|(_, r)| r.as_ref().ok() == Some(&index))
            .map(|(n, _)| *n)
    }

    /// Every error with its row number and field, in the file's order.
    pub fn errors(&self) -> Vec<(usize, &CellError)> {
        let mut out: Vec<(usize, &CellError)> = Vec::new();
        for (n, r) in &self.rows {
            match r {
                Err(errs) => out.extend(errs.iter().map(|e| (*n, e))),
                Ok(i) => out.extend(
                    self.preview
                        .plan
                        .errors()
                        .filter(|(j, _)| j == i)
                        .map(|(_, e)| (*n, e)),
                ),
            }
        }
        out
    }
}

/// Reads and checks a file on `today`. Nothing is written.
pub async fn check(
    st: &AppState,
    name: &str,
    bytes: &[u8],
    encoding: Encoding,
    map: &[(String, String)],
    today: Date,
) -> AppResult<Result<FileCheck, Refused>> {
    let prepared = match prepare(st, KIND, name, bytes, encoding, map, &targets()).await? {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let mut moves: Vec<Move> = Vec::new();
    let mut rows = Vec::new();
    for r in &prepared.table.rows {
        let values: BTreeMap<&'static str, &str> = ROTATION_FIELDS
            .iter()
            .map(|(k, _)| (*k, prepared.mapping.get(&r.cells, k)))
            .collect();
        // A row left wholly empty (a spreadsheet's trailing rows) is no move.
        if values.values().all(|v| v.is_empty()) {
            continue;
        }
        match read_row(&values) {
            Ok(m) => {
                rows.push((r.number, Ok(moves.len())));
                moves.push(m);
            }
            Err(errs) => rows.push((r.number, Err(errs))),
        }
    }
    let preview = preview(st, &moves, today).await?;
    Ok(Ok(FileCheck {
        prepared,
        rows,
        preview,
    }))
}

/// Applies a checked file (checked again as it is applied); its mapping is remembered for the
/// next file of its layout.
pub async fn apply(
    st: &AppState,
    who: &Who,
    name: &str,
    checked: &FileCheck,
) -> AppResult<RotationApplied> {
    if !checked.is_clean() {
        let errs = checked
            .errors()
            .into_iter()
            .map(|(row, e)| FieldError::new(format!("row{row}.{}", e.field), e.code))
            .collect();
        return Err(AppError::Invalid(errs));
    }
    let batch = NewBatch {
        source: "file",
        file_name: Some(name),
        sha256: Some(&checked.prepared.sha256),
    };
    let done = super::apply_batch(st, who, &checked.preview.moves, &batch, st.now()).await?;
    remember(
        st,
        who,
        KIND,
        &checked.prepared.table,
        &checked.prepared.mapping,
    )
    .await?;
    Ok(done)
}

/// The template a System Administrator fills in: the headers in their language and one example
/// row, as CSV (UTF-8 with a byte-order mark, which Japanese Excel opens as such).
pub fn template_csv(t: Tr) -> String {
    let head = [
        t.rotation_col_login(),
        t.rotation_col_org_unit(),
        t.rotation_col_position(),
        t.rotation_col_effective_on(),
        t.rotation_col_leaves(),
    ];
    format!(
        "\u{feff}{}\r\nsato,SOMU,係長,2027-04-01,\r\n",
        head.join(",")
    )
}
