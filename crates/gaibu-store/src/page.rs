//! Lists paged in the database: filters become SQL, pages are cut by keyset (the sort key and
//! id of the last row shown), so page 1,000 costs what page 1 costs and no request reads a whole
//! table. A cursor is opaque to clients; one that was tampered with is refused, not obeyed.

use crate::codec::Keyed;
use crate::write::Val;
use crate::{Result, Store};
use sha2::{Digest, Sha256};

/// Rows a page has unless the request asks otherwise, and the most it may ask for.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// The page size a request asked for, clamped to what is allowed.
pub fn clamp_limit(asked: Option<i64>) -> i64 {
    asked.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// A sort key value of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Int(i64),
    Text(String),
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The sort it was made for: a cursor of one order is no position in another.
    pub sort: String,
    pub key: Key,
    pub id: i64,
}

/// A cursor that does not decode or whose check does not hold.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the cursor is not one this list gave out")]
pub struct BadCursor;

fn check(payload: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"gaibu-cursor\0");
    h.update(payload.as_bytes());
    hex::encode(&h.finalize()[..6])
}

impl Cursor {
    /// `sort~k:<key>~<id>~<check>` in hex, so that it is URL-safe as it is.
    pub fn encode(&self) -> String {
        let key = match &self.key {
            Key::Int(i) => format!("i{i}"),
            Key::Text(s) => format!("t{s}"),
        };
        let payload = format!("{}\u{1f}{key}\u{1f}{}", self.sort, self.id);
        let sum = check(&payload);
        hex::encode(format!("{payload}\u{1f}{sum}"))
    }

    pub fn decode(s: &str) -> Result<Cursor, BadCursor> {
        let bytes = hex::decode(s.trim()).map_err(|_| BadCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| BadCursor)?;
        let (payload, sum) = text.rsplit_once('\u{1f}').ok_or(BadCursor)?;
        if check(payload) != sum {
            return Err(BadCursor);
        }
        let mut parts = payload.splitn(3, '\u{1f}');
        let (Some(sort), Some(key), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(BadCursor);
        };
        let key = match key.split_at_checked(1) {
            Some(("i", n)) => Key::Int(n.parse().map_err(|_| BadCursor)?),
            Some(("t", s)) => Key::Text(s.to_string()),
            _ => return Err(BadCursor),
        };
        Ok(Cursor {
            sort: sort.to_string(),
            key,
            id: id.parse().map_err(|_| BadCursor)?,
        })
    }
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    pub fn next_cursor(&self) -> Option<String> {
        self.next.as_ref().map(Cursor::encode)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dir {
    Asc,
    #[default]
    Desc,
}

impl Dir {
    pub fn parse(s: &str) -> Option<Dir> {
        match s {
            "asc" => Some(Dir::Asc),
            "desc" => Some(Dir::Desc),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Asc => "asc",
            Dir::Desc => "desc",
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Dir::Asc => "ASC",
            Dir::Desc => "DESC",
        }
    }

    fn cmp(self) -> &'static str {
        match self {
            Dir::Asc => ">",
            Dir::Desc => "<",
        }
    }
}

/// A column a list may be sorted by: its name in the URL, its SQL expression (never null: wrap
/// a nullable column in COALESCE), and how to read the key from a row.
pub struct SortBy<T> {
    pub name: &'static str,
    pub expr: &'static str,
    pub key: fn(&T) -> Key,
}

/// What a request asks of a list beyond its filters.
#[derive(Debug, Clone, Default)]
pub struct PageAsk {
    pub sort: String,
    pub dir: Dir,
    pub limit: i64,
    pub after: Option<Cursor>,
}

/// A list query being built: `SELECT … FROM … WHERE` conditions with their bound values.
#[derive(Debug, Clone)]
pub struct Query {
    select: String,
    conds: Vec<String>,
    vals: Vec<Val>,
    /// A search, made a condition when the backend is known (each has its own index).
    search: Option<(crate::search::Doc, &'static str, String)>,
}

impl Query {
    /// `select` is everything before WHERE, e.g. `SELECT s.id, … FROM services s JOIN …`.
    pub(crate) fn new(select: impl Into<String>) -> Query {
        Query {
            select: select.into(),
            conds: Vec::new(),
            vals: Vec::new(),
            search: None,
        }
    }

    /// Keeps the rows whose `id_col` is a `doc` matching every word of `q` (no words: all).
    pub(crate) fn search(&mut self, doc: crate::search::Doc, id_col: &'static str, q: &str) {
        self.search = Some((doc, id_col, q.to_string()));
    }

    /// The search as a condition in the SQL of `backend`. When the list is read in the order
    /// of the searched ids and the backend can walk its postings in that order (SQLite's FTS5
    /// doclists), the postings drive the query instead: the page's rows are found by reading
    /// about as many postings as rows, not by collecting every match first (会議 matches one
    /// service in sixteen). Answers the id column to order and cut pages by.
    fn settle<'c>(&mut self, backend: crate::Backend, order_col: &'c str) -> &'c str {
        let Some((doc, col, q)) = self.search.take() else {
            return order_col;
        };
        if col == order_col && self.select.matches(" FROM ").count() == 1 {
            let n = self.vals.len();
            if let Some(d) = crate::search::driving(backend, doc, col, &q, &mut self.vals) {
                self.select =
                    self.select
                        .replacen(" FROM ", &format!(" FROM {} CROSS JOIN ", d.from), 1);
                self.conds.push(d.cond);
                return d.order_col;
            }
            self.vals.truncate(n);
        }
        if let Some(c) = crate::search::matching(backend, doc, col, &q, &mut self.vals) {
            self.conds.push(c);
        }
        order_col
    }

    /// Binds a value and answers its placeholder.
    pub(crate) fn bind(&mut self, v: impl Into<Val>) -> String {
        self.vals.push(v.into());
        format!("${}", self.vals.len())
    }

    /// Binds each id and answers `($1, $2, …)`; an empty list matches nothing.
    pub(crate) fn ids(&mut self, ids: &[i64]) -> String {
        if ids.is_empty() {
            return "(NULL)".into();
        }
        let ps: Vec<String> = ids.iter().map(|i| self.bind(*i)).collect();
        format!("({})", ps.join(", "))
    }

    pub(crate) fn and(&mut self, cond: impl Into<String>) {
        self.conds.push(cond.into());
    }

    /// `column` is one of the units given or below them in the org tree.
    pub(crate) fn within_units(&mut self, column: &str, roots: &[i64]) {
        let ids = self.ids(roots);
        self.and(format!("{column} IN ({})", subtree_sql(&ids)));
    }

    /// The values bound, for a query written out by hand.
    pub(crate) fn into_vals(self) -> Vec<Val> {
        self.vals
    }

    fn where_sql(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        }
    }
}

/// The ids of the units in `ids` (an SQL list) and every unit below them.
pub(crate) fn subtree_sql(ids: &str) -> String {
    format!(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM org_units WHERE id IN {ids} \
         UNION SELECT o.id FROM org_units o JOIN sub ON o.parent_id = sub.id) SELECT id FROM sub"
    )
}

impl Store {
    /// One page of `q` in the order asked for (`sorts[0]` when the name is unknown), the rows
    /// after the cursor. `id_col` is the row id's column as the query names it.
    pub(crate) async fn page<T: crate::write::Record + Keyed>(
        &self,
        q: Query,
        id_col: &str,
        sorts: &[SortBy<T>],
        ask: &PageAsk,
    ) -> Result<Page<T>> {
        let searched = q
            .search
            .as_ref()
            .is_some_and(|(_, _, s)| !s.trim().is_empty());
        let (sql, vals, sort, limit) = page_sql(self.backend, q, id_col, sorts, ask)?;
        let mut items: Vec<T> = if searched {
            self.list_searched(&sql, vals).await?
        } else {
            self.list(&sql, vals).await?
        };
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|last| Cursor {
                sort: sort.name.to_string(),
                key: (sort.key)(last),
                id: last.key(),
            })
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// The plan the database makes for that page's query (SQLite's `EXPLAIN QUERY PLAN`,
    /// PostgreSQL's `EXPLAIN` with sequential scans discouraged, so that a small test table
    /// still shows whether an index can serve it).
    pub(crate) async fn page_plan<T>(
        &self,
        q: Query,
        id_col: &str,
        sorts: &[SortBy<T>],
        ask: &PageAsk,
    ) -> Result<String> {
        let (sql, vals, _, _) = page_sql(self.backend, q, id_col, sorts, ask)?;
        let mut conn = self.pool.acquire().await?;
        let (prefix, col) = match self.backend {
            crate::Backend::Sqlite => ("EXPLAIN QUERY PLAN ", "detail"),
            crate::Backend::Postgres => {
                sqlx::query("SET enable_seqscan = off")
                    .execute(&mut *conn)
                    .await?;
                ("EXPLAIN ", "QUERY PLAN")
            }
        };
        let rows = crate::write::bind_all(sqlx::query(&format!("{prefix}{sql}")), vals)
            .fetch_all(&mut *conn)
            .await;
        if self.backend == crate::Backend::Postgres {
            sqlx::query("RESET enable_seqscan")
                .execute(&mut *conn)
                .await?;
        }
        let mut out = String::new();
        for r in rows? {
            let line: String = sqlx::Row::try_get(&r, col)?;
            out.push_str(&line);
            out.push('\n');
        }
        Ok(out)
    }
}

/// The SQL of one page, its values, the sort it uses and the page size.
fn page_sql<'s, T>(
    backend: crate::Backend,
    mut q: Query,
    id_col: &str,
    sorts: &'s [SortBy<T>],
    ask: &PageAsk,
) -> Result<(String, Vec<Val>, &'s SortBy<T>, i64)> {
    let sort = sorts
        .iter()
        .find(|s| s.name == ask.sort)
        .or(sorts.first())
        .ok_or_else(|| crate::StoreError::Corrupt("a list without a sort".into()))?;
    let dir = ask.dir;
    // In id order the search may drive the query; the id is then its postings' column.
    let by_id = sort.expr == id_col;
    let id_col = if by_id {
        q.settle(backend, id_col)
    } else {
        q.settle(backend, "");
        id_col
    };
    if let Some(c) = &ask.after {
        let id = q.bind(c.id);
        let cmp = dir.cmp();
        if by_id {
            q.and(format!("{id_col} {cmp} {id}"));
        } else {
            let k = match &c.key {
                Key::Int(i) => q.bind(*i),
                Key::Text(s) => q.bind(s.as_str()),
            };
            q.and(format!(
                "({e} {cmp} {k} OR ({e} = {k} AND {id_col} {cmp} {id}))",
                e = sort.expr
            ));
        }
    }
    let limit = ask.limit.clamp(1, MAX_LIMIT);
    // A literal: in a generic plan (searches on PostgreSQL) a bound limit is guessed as a
    // tenth of the rows, which can turn an ordered index scan into a sort.
    let lim = limit + 1;
    let order = if by_id {
        format!("{id_col} {}", dir.sql())
    } else {
        format!("{} {d}, {id_col} {d}", sort.expr, d = dir.sql())
    };
    let sql = format!("{}{} ORDER BY {order} LIMIT {lim}", q.select, q.where_sql());
    Ok((sql, q.vals, sort, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_a_changed_one_is_refused() {
        let c = Cursor {
            sort: "name".into(),
            key: Key::Text("Web会議".into()),
            id: 42,
        };
        let s = c.encode();
        assert_eq!(Cursor::decode(&s), Ok(c));
        let mut tampered = s.clone();
        tampered.replace_range(0..2, "00");
        assert_eq!(Cursor::decode(&tampered), Err(BadCursor));
        assert_eq!(Cursor::decode("zz"), Err(BadCursor));
        assert_eq!(Cursor::decode(""), Err(BadCursor));
        let n = Cursor {
            sort: "id".into(),
            key: Key::Int(-7),
            id: 1,
        };
        assert_eq!(Cursor::decode(&n.encode()), Ok(n));
    }

    #[test]
    fn page_sizes_are_clamped() {
        assert_eq!(clamp_limit(None), DEFAULT_LIMIT);
        assert_eq!(clamp_limit(Some(100_000)), MAX_LIMIT);
        assert_eq!(clamp_limit(Some(0)), 1);
    }
}
