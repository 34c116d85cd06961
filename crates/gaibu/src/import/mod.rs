//! Bringing a city's existing spreadsheets in (issue 11): a file read into a table of text
//! (`table`), the columns mapped to the fields an import fills (`mapping`), confirmed by the
//! person importing and remembered for the next file of that layout, then each kind of record
//! checked row by row and written all or nothing (`ledger`, `register`).

pub mod accounts;
pub mod ledger;
pub mod mapping;
pub mod register;
pub mod sample;
pub mod table;

use crate::error::AppResult;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_store::Who;
use mapping::{Mapping, Target};
use std::collections::BTreeMap;
use table::{Encoding, Limits, ReadError, Table, read};

/// Why a file could not be checked: the file itself, or the mapping (errors by `map.<key>`).
#[derive(Debug)]
pub enum Refused {
    File(ReadError),
    /// The mapping's errors, with the file's headers to choose again from.
    Mapping(Vec<FieldError>, Vec<String>),
}

/// Where the mapping in use came from, for the page to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingFrom {
    /// The person gave it.
    Confirmed,
    /// The one confirmed last time for a file with these headers.
    Remembered,
    /// Guessed from the headers.
    Guessed,
}

/// A file read and its columns mapped.
pub struct Prepared {
    pub table: Table,
    pub mapping: Mapping,
    pub from: MappingFrom,
    /// SHA-256 of the file's bytes, as the import run and its records' audit events name it.
    pub sha256: String,
}

/// The hex SHA-256 of a file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// A file layout's signature (its normalised header row), under which a mapping is kept.
fn signature(table: &Table) -> String {
    sha256_hex(Mapping::layout_key(&table.headers).as_bytes())
}

/// Reads the file and maps its columns: the pairs given (`field`, column), else the mapping
/// confirmed last for this layout, else the one the headers suggest — checked against the file
/// either way.
pub async fn prepare(
    st: &AppState,
    kind: &str,
    name: &str,
    bytes: &[u8],
    encoding: Encoding,
    map: &[(String, String)],
    targets: &[Target],
) -> AppResult<Result<Prepared, Refused>> {
    let table = match read(name, bytes, encoding, &Limits::default()) {
        Ok(t) => t,
        Err(e) => return Ok(Err(Refused::File(e))),
    };
    let width = table.headers.len();
    let remembered = match map.is_empty() {
        true => st
            .store
            .import_mapping(kind, &signature(&table))
            .await?
            .and_then(|j| serde_json::from_str::<BTreeMap<String, usize>>(&j).ok())
            .filter(|m| m.values().all(|i| *i < width)),
        false => None,
    };
    let (pairs, from): (Vec<(String, String)>, _) = match (map.is_empty(), remembered) {
        (false, _) => (
            map.iter()
                .map(|(k, v)| (format!("map.{k}"), v.clone()))
                .collect(),
            MappingFrom::Confirmed,
        ),
        (true, Some(m)) => (numbered(&m), MappingFrom::Remembered),
        (true, None) => (
            numbered(&Mapping::guess(&table.headers, targets).0),
            MappingFrom::Guessed,
        ),
    };
    let mapping = match Mapping::from_form(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        targets,
        width,
    ) {
        Ok(m) => m,
        Err(errs) => return Ok(Err(Refused::Mapping(errs, table.headers))),
    };
    Ok(Ok(Prepared {
        table,
        mapping,
        from,
        sha256: sha256_hex(bytes),
    }))
}

fn numbered(m: &BTreeMap<String, usize>) -> Vec<(String, String)> {
    m.iter()
        .map(|(k, i)| (format!("map.{k}"), (i + 1).to_string()))
        .collect()
}

/// Org units by code or by name (Japanese or English). A code always names its unit; a name
/// that several units share names none of them (a row must then give the code), so a record
/// never lands in the wrong unit.
pub async fn unit_names(st: &AppState) -> AppResult<std::collections::HashMap<String, i64>> {
    use std::collections::HashMap;
    let units = crate::auth::org_units(st).await?;
    let mut by_name: HashMap<String, Option<i64>> = HashMap::new();
    for u in units.iter() {
        for name in [&u.name_ja, &u.name_en] {
            by_name
                .entry(name.clone())
                .and_modify(|v| {
                    if *v != Some(u.id) {
                        *v = None
                    }
                })
                .or_insert(Some(u.id));
        }
    }
    let mut out: HashMap<String, i64> = by_name
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    for u in units.iter() {
        out.insert(u.code.clone(), u.id);
    }
    Ok(out)
}

/// The units an importer may bring records of — those they oversee and every unit below —
/// or `None` for all of them (the CISO).
pub async fn allowed_units(
    st: &AppState,
    over: Option<Vec<i64>>,
) -> AppResult<Option<std::collections::HashSet<i64>>> {
    let Some(over) = over else {
        return Ok(None);
    };
    let tree = crate::auth::org_tree(st).await?;
    let all = crate::auth::org_units(st).await?;
    Ok(Some(
        all.iter()
            .filter(|u| over.iter().any(|a| tree.is_within(u.id, *a)))
            .map(|u| u.id)
            .collect(),
    ))
}

/// Each row's number and its values by field key, as the checks of `gaibu_domain::import` read
/// them.
pub(crate) fn row_values<'t>(
    table: &'t Table,
    mapping: &'t Mapping,
    fields: &'static [(&'static str, bool)],
) -> impl Iterator<Item = (usize, BTreeMap<&'static str, &'t str>)> + 't {
    table.rows.iter().map(move |r| {
        let values = fields
            .iter()
            .map(|(k, _)| (*k, mapping.get(&r.cells, k)))
            .collect();
        (r.number, values)
    })
}

/// The services (name, provider) the rows name, each once, read from the columns of
/// `name` and `provider`.
pub(crate) fn named_services(
    table: &Table,
    mapping: &Mapping,
    name: &str,
    provider: &str,
) -> std::collections::BTreeSet<(String, String)> {
    table
        .rows
        .iter()
        .map(|r| {
            (
                mapping.get(&r.cells, name).to_string(),
                mapping.get(&r.cells, provider).to_string(),
            )
        })
        .filter(|(n, p)| !n.is_empty() && !p.is_empty())
        .collect()
}

/// Keeps the mapping a file was imported with, to offer it for the next file of its layout.
pub async fn remember(
    st: &AppState,
    who: &Who,
    kind: &str,
    table: &Table,
    mapping: &Mapping,
) -> AppResult<()> {
    let json = serde_json::to_string(&mapping.0).unwrap_or_default();
    st.store
        .save_import_mapping(who, kind, &signature(table), &json, st.now())
        .await?;
    Ok(())
}

/// What a row of a checked file would do, whatever the kind of record, for a page or a
/// terminal to show.
#[derive(Debug, Clone)]
pub struct RowLine {
    pub row: usize,
    pub what: Result<Doing, Vec<gaibu_domain::import::CellError>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doing {
    /// A new record, named.
    Create(String),
    /// The record of this id changed, named.
    Update(i64, String),
    Unchanged(i64),
}

/// The counts of a checked file: to create, to update, unchanged, rows with errors.
pub fn counts(lines: &[RowLine]) -> [usize; 4] {
    let mut c = [0; 4];
    for l in lines {
        let i = match &l.what {
            Ok(Doing::Create(_)) => 0,
            Ok(Doing::Update(..)) => 1,
            Ok(Doing::Unchanged(_)) => 2,
            Err(_) => 3,
        };
        c[i] += 1;
    }
    c
}

/// The kinds of file an import takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The information-system ledger (S5.2.2-3): services and their entries.
    Ledger,
    /// The service usage register (S5.2.1-5).
    Register,
    /// Official accounts of services in the ledger (S5.2.2-4).
    Accounts,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Ledger, Kind::Register, Kind::Accounts];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ledger => ledger::KIND,
            Kind::Register => register::KIND,
            Kind::Accounts => accounts::KIND,
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn targets(self) -> Vec<Target> {
        match self {
            Kind::Ledger => ledger::targets(),
            Kind::Register => register::targets(),
            Kind::Accounts => accounts::targets(),
        }
    }
}

/// A file checked, whatever its kind.
pub struct Checked {
    pub table: Table,
    pub mapping: Mapping,
    pub from: MappingFrom,
    pub sha256: String,
    pub lines: Vec<RowLine>,
}

impl Checked {
    pub fn is_clean(&self) -> bool {
        self.lines.iter().all(|l| l.what.is_ok())
    }
}

/// The file, its name and how to read it, as the person gave them.
pub struct Upload<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub encoding: Encoding,
    /// Confirmed columns by field key (empty: remembered or guessed).
    pub map: &'a [(String, String)],
}

/// Checks a file as `u` would import it; nothing is written.
pub async fn check(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    kind: Kind,
    f: &Upload<'_>,
) -> AppResult<Result<Checked, Refused>> {
    Ok(match kind {
        Kind::Ledger => ledger::dry_run(st, u, f.name, f.bytes, f.encoding, f.map)
            .await?
            .map(Checked::from),
        Kind::Register => register::dry_run(st, u, f.name, f.bytes, f.encoding, f.map)
            .await?
            .map(Checked::from),
        Kind::Accounts => accounts::dry_run(st, u, f.name, f.bytes, f.encoding, f.map)
            .await?
            .map(Checked::from),
    })
}

/// Imports a file: all of it when every row is good (the run is returned), else nothing.
/// `tick` is called once per record written.
pub async fn import(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    kind: Kind,
    f: &Upload<'_>,
    tick: &(dyn Fn() + Send + Sync),
) -> AppResult<(Result<Checked, Refused>, Option<gaibu_store::ImportRow>)> {
    Ok(match kind {
        Kind::Ledger => {
            let (r, done) = ledger::import(st, u, f.name, f.bytes, f.encoding, f.map, tick).await?;
            (r.map(Checked::from), done)
        }
        Kind::Register => {
            let (r, done) =
                register::import(st, u, f.name, f.bytes, f.encoding, f.map, tick).await?;
            (r.map(Checked::from), done)
        }
        Kind::Accounts => {
            let (r, done) =
                accounts::import(st, u, f.name, f.bytes, f.encoding, f.map, tick).await?;
            (r.map(Checked::from), done)
        }
    })
}

/// Where a file a person checked is kept: named by the person and the file's SHA-256, so that
/// one can take back only what they uploaded themselves — never another file of the store (an
/// evidence file is named by its hash alone).
fn kept_key(user_id: i64, sha256: &str) -> String {
    sha256_hex(format!("import:{user_id}:{sha256}").as_bytes())
}

/// Keeps a file being imported in the database's file store between its check and its import,
/// for any instance to finish; answers the file's SHA-256, by which the page names it. Called
/// once the file has been read, so that a refused file is never kept.
pub async fn keep(st: &AppState, user_id: i64, bytes: &[u8]) -> AppResult<String> {
    let sha = sha256_hex(bytes);
    st.store
        .put_blob(&kept_key(user_id, &sha), bytes, st.now())
        .await?;
    Ok(sha)
}

/// A file `user_id` kept by `keep`, whole (`None` if they kept none of that hash).
pub async fn kept(st: &AppState, user_id: i64, sha256: &str) -> AppResult<Option<Vec<u8>>> {
    let key = kept_key(user_id, sha256);
    let Some(obj) = st.store.blob(&key).await? else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(usize::try_from(obj.size_bytes).unwrap_or(0));
    for seq in 0..obj.chunk_count {
        match st.store.blob_chunk(&key, seq).await? {
            Some(c) => out.extend_from_slice(&c),
            None => return Ok(None),
        }
    }
    // What was kept is what was checked: a file whose bytes do not match is not read.
    Ok((sha256_hex(&out) == sha256).then_some(out))
}
