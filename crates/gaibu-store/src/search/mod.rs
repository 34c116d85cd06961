//! Full-text search that works for Japanese text without word breaks, in the database, the same
//! on SQLite and PostgreSQL (docs/search.md).
//!
//! Each searchable record is a document (`search_docs`: its entity, id and normalised text) and
//! its postings (`search_grams`: every distinct character and character bigram of the text,
//! whitespace excluded). A query is split into words on whitespace (the ideographic space too);
//! every word must match:
//! - a word of three or more characters: the documents having all its bigrams (an index lookup per
//!   bigram, grouped by document), confirmed by `body LIKE '%word%'` — the bigrams say the
//!   characters are there, the LIKE that they are there in that order;
//! - a word of one or two characters: the documents having that character or bigram (exact,
//!   no LIKE needed).
//!
//! Trigram indexes (SQLite FTS5 `trigram`, PostgreSQL `pg_trgm`) cannot find two-character words
//! such as 会議, which are the commonest Japanese search words; bigrams can, and the same tables
//! and queries serve both backends.
//!
//! The index is kept in the transaction of each write (`Write` marks the records it touches and
//! re-indexes them before it commits); `Store::reindex_all` builds it afresh.

mod index;

pub(crate) use index::{doc_of, reindex};

use crate::write::Val;
use crate::{Backend, Result, Store};
use sqlx::Row;
use std::collections::BTreeSet;

impl Store {
    /// Every record of a query that searches (`matching`). PostgreSQL plans such a prepared
    /// statement afresh at every execution once it has statistics (its custom plan looks cheaper
    /// than the generic one): 2.3–3.1 ms of planning for 0.85 ms of execution at 50,000
    /// services. Its generic plan is the same merge join, planned once per connection, so the
    /// query runs on the pool whose connections set `plan_cache_mode = force_generic_plan`
    /// (docs/benchmarks.md).
    pub(crate) async fn list_searched<T: crate::write::Record>(
        &self,
        sql: &str,
        args: Vec<Val>,
    ) -> Result<Vec<T>> {
        let Some(generic) = &self.generic else {
            return self.list(sql, args).await;
        };
        let rows = crate::write::bind_all(sqlx::query(sql), args)
            .fetch_all(generic)
            .await?;
        Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?)
    }
}

/// The entities searched, as `search_docs.entity` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Doc {
    /// A service: its name, provider, ledger system name and note, and its usage-register
    /// entry's service and provider names, purpose and scope of users.
    Service,
    /// An application: service name, provider, purpose, scope of users, the decision's reason
    /// and the reviewer's comments.
    Application,
    /// An official account: its id, the holder's position and its purpose.
    Account,
}

impl Doc {
    pub const ALL: [Doc; 3] = [Doc::Service, Doc::Application, Doc::Account];

    pub const fn as_str(self) -> &'static str {
        match self {
            Doc::Service => "service",
            Doc::Application => "application",
            Doc::Account => "account",
        }
    }

    /// SQLite's FTS5 table of this entity's postings (rowid = the record's id).
    fn fts_table(self) -> &'static str {
        match self {
            Doc::Service => "search_fts_service",
            Doc::Application => "search_fts_application",
            Doc::Account => "search_fts_account",
        }
    }

    /// The table whose ids are this entity's ids.
    fn table(self) -> &'static str {
        match self {
            Doc::Service => "services",
            Doc::Application => "applications",
            Doc::Account => "accounts",
        }
    }
}

/// Text as it is indexed and searched: full-width ASCII (U+FF01–FF5E) as half-width, the
/// ideographic space and every other whitespace as a plain space, then lower case. Nothing else
/// is folded (no kana folding, no half-width katakana): simple, and the same for text and query.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c if c.is_whitespace() => ' ',
            c => c,
        };
        out.extend(c.to_lowercase());
    }
    out
}

/// The postings of a normalised text: every distinct character and pair of adjacent characters,
/// none containing whitespace.
pub(crate) fn grams(body: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut prev: Option<char> = None;
    for c in body.chars() {
        if c.is_whitespace() {
            prev = None;
            continue;
        }
        out.insert(c.to_string());
        if let Some(p) = prev {
            out.insert([p, c].iter().collect());
        }
        prev = Some(c);
    }
    out
}

/// At most this many of a word's bigrams are looked up: any subset finds every document that
/// has the word (the LIKE confirms), so a long word costs no more than a moderate one.
const MAX_BIGRAMS_PER_WORD: usize = 12;

/// The bigrams of a word, distinct, at most `MAX_BIGRAMS_PER_WORD` spread over the word.
fn word_bigrams(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let all: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let step = all.len().div_ceil(MAX_BIGRAMS_PER_WORD).max(1);
    for (i, g) in all.iter().enumerate() {
        if (i % step == 0 || i + 1 == all.len()) && seen.insert(g.clone()) {
            out.push(g.clone());
        }
    }
    out
}

/// The grams a word is looked up by: a word of one or two characters is its own posting (the
/// index answers it exactly, with no LIKE to confirm: 会議 is the commonest search there is);
/// a longer one its bigrams.
fn word_grams(word: &str) -> Vec<String> {
    if is_short(word) {
        vec![word.to_string()]
    } else {
        word_bigrams(word)
    }
}

fn is_short(word: &str) -> bool {
    word.chars().count() <= 2
}

/// `%`, `_` and the escape character itself, escaped for `LIKE … ESCAPE '\'`.
fn like_literal(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    out.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The words of a query as they are searched (normalised, split on whitespace).
pub fn query_words(q: &str) -> Vec<String> {
    normalise(q)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// A gram as an FTS5 token: the hex of its UTF-8, so that the `ascii` tokenizer keeps it whole
/// whatever characters it holds (punctuation would otherwise split it).
fn fts_token(gram: &str) -> String {
    hex::encode(gram.as_bytes())
}

/// An FTS5 query matching the documents that hold every gram (tokens are quoted: hex may
/// start with a digit).
fn fts_all(grams: &[String]) -> String {
    let toks: Vec<String> = grams
        .iter()
        .map(|g| format!("\"{}\"", fts_token(g)))
        .collect();
    toks.join(" ")
}

/// An SQL condition that holds for the rows whose `id_column` is the id of a `doc` document
/// matching every word of `q`; its `$n` placeholders follow `vals`, onto which their values are
/// pushed. `None` when `q` has no words (no condition).
///
/// The postings are an FTS5 table per entity on SQLite (a doclist per gram: written as a
/// segment per transaction, where a B-tree of (gram, id) took a random page per gram) and the
/// `search_grams` B-tree on PostgreSQL.
pub(crate) fn matching(
    backend: Backend,
    doc: Doc,
    id_column: &str,
    q: &str,
    vals: &mut Vec<Val>,
) -> Option<String> {
    let words = query_words(q);
    if words.is_empty() {
        return None;
    }
    let mut parts = Vec::with_capacity(words.len());
    for word in words {
        let short = is_short(&word);
        let grams = word_grams(&word);
        let postings = match backend {
            Backend::Sqlite => {
                vals.push(fts_all(&grams).into());
                let fts = doc.fts_table();
                format!("SELECT rowid FROM {fts} WHERE {fts} MATCH ${}", vals.len())
            }
            Backend::Postgres => {
                vals.push(doc.as_str().into());
                let e = vals.len();
                let first = vals.len() + 1;
                for g in &grams {
                    vals.push(g.as_str().into());
                }
                let params: Vec<String> = (first..=vals.len()).map(|i| format!("${i}")).collect();
                // The primary key (entity, gram, entity_id) makes a document's bigram unique,
                // so COUNT(*) counts its distinct bigrams.
                if short {
                    format!(
                        "SELECT g.entity_id FROM search_grams g WHERE g.entity = ${e} \
                         AND g.gram = {}",
                        params.join("")
                    )
                } else {
                    format!(
                        "SELECT g.entity_id FROM search_grams g WHERE g.entity = ${e} \
                         AND g.gram IN ({}) GROUP BY g.entity_id HAVING COUNT(*) = {}",
                        params.join(", "),
                        grams.len()
                    )
                }
            }
        };
        if short {
            parts.push(format!("{id_column} IN ({postings})"));
            continue;
        }
        // The bigrams say the characters are there, the LIKE that they are there in order.
        vals.push(doc.as_str().into());
        let e = vals.len();
        vals.push(like_literal(&word).into());
        let like = vals.len();
        parts.push(format!(
            "{id_column} IN (SELECT d.entity_id FROM search_docs d \
             WHERE d.entity = ${e} AND d.body LIKE ${like} ESCAPE '\\' AND d.entity_id IN \
             ({postings}))"
        ));
    }
    Some(format!("({})", parts.join(" AND ")))
}

/// A search that drives its query: the postings table to put first in FROM, the condition
/// that joins it and confirms the words, and the column that orders by the searched id.
pub(crate) struct Driving {
    pub from: String,
    pub cond: String,
    pub order_col: &'static str,
}

/// On SQLite, the search of `q` as the outer loop of a query ordered by `id_column`: one FTS5
/// `MATCH` of every word's grams (its doclists are read in rowid order, either way, and stop
/// with the page), each word of three or more characters confirmed on its document by LIKE.
/// `None` on PostgreSQL (its planner chooses from statistics) or when `q` has no words.
pub(crate) fn driving(
    backend: Backend,
    doc: Doc,
    id_column: &str,
    q: &str,
    vals: &mut Vec<Val>,
) -> Option<Driving> {
    if backend != Backend::Sqlite {
        return None;
    }
    let words = query_words(q);
    if words.is_empty() {
        return None;
    }
    let grams: Vec<String> = words.iter().flat_map(|w| word_grams(w)).collect();
    let fts = doc.fts_table();
    vals.push(fts_all(&grams).into());
    let mut cond = format!("{id_column} = sx.rowid AND sx.{fts} MATCH ${}", vals.len());
    for w in words.iter().filter(|w| !is_short(w)) {
        vals.push(doc.as_str().into());
        let e = vals.len();
        vals.push(like_literal(w).into());
        cond.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM search_docs d WHERE d.entity = ${e} \
             AND d.entity_id = sx.rowid AND d.body LIKE ${} ESCAPE '\\')",
            vals.len()
        ));
    }
    Some(Driving {
        from: format!("{fts} sx"),
        cond,
        order_col: "sx.rowid",
    })
}

impl Store {
    /// The ids of the `entity` documents matching `q`, newest first, at most `limit` (for
    /// tools and tests; lists join the condition of `matching` into their own query).
    pub async fn search_ids(&self, doc: Doc, q: &str, limit: i64) -> Result<Vec<i64>> {
        let mut vals = Vec::new();
        let Some(cond) = matching(self.backend, doc, "t.id", q, &mut vals) else {
            return Ok(vec![]);
        };
        vals.push(limit.into());
        let sql = format!(
            "SELECT t.id FROM {} t WHERE {cond} ORDER BY t.id DESC LIMIT ${}",
            doc.table(),
            vals.len()
        );
        let rows = crate::write::bind_all(sqlx::query(&sql), vals)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?)
    }

    /// The query plan of a search for `q` over `entity`, one line per step, as the backend
    /// explains it (SQLite `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`), for tests that show the
    /// index is used.
    pub async fn explain_search(&self, doc: Doc, q: &str) -> Result<Vec<String>> {
        let mut vals = Vec::new();
        let Some(cond) = matching(self.backend, doc, "t.id", q, &mut vals) else {
            return Ok(vec![]);
        };
        let sql = format!("SELECT t.id FROM {} t WHERE {cond}", doc.table());
        let lines = match self.backend {
            crate::Backend::Sqlite => {
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let rows = crate::write::bind_all(sqlx::query(&explain), vals)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| r.try_get::<String, _>("detail"))
                    .collect::<Result<_, _>>()?
            }
            crate::Backend::Postgres => {
                let explain = format!("EXPLAIN {sql}");
                let rows = crate::write::bind_all(sqlx::query(&explain), vals)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| r.try_get::<String, _>(0))
                    .collect::<Result<_, _>>()?
            }
        };
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_ascii_and_case_fold() {
        assert_eq!(normalise("Ｗｅｂ会議　ＳＥＲＶＩＣＥ"), "web会議 service");
        assert_eq!(normalise("ＡＢＣ１２３！"), "abc123!");
    }

    #[test]
    fn grams_are_characters_and_pairs_within_words() {
        let g = grams("web会議 x");
        for want in ["w", "e", "b", "会", "議", "x", "we", "eb", "b会", "会議"] {
            assert!(g.contains(want), "{want}");
        }
        assert!(!g.iter().any(|g| g.contains(' ')));
        assert_eq!(g.len(), 10);
    }

    #[test]
    fn long_words_look_up_a_bounded_spread_of_bigrams() {
        let w: String = "あいうえおかきくけこさしすせそたちつてと".into();
        let b = word_bigrams(&w);
        assert!(b.len() <= MAX_BIGRAMS_PER_WORD + 1);
        assert_eq!(b.first().map(String::as_str), Some("あい"));
        assert_eq!(b.last().map(String::as_str), Some("てと"));
        assert_eq!(word_bigrams("会議"), vec!["会議".to_string()]);
        assert_eq!(word_bigrams("ああああ"), vec!["ああ".to_string()]);
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(like_literal("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[test]
    fn placeholders_follow_the_values_already_bound() {
        let mut vals: Vec<Val> = vec![1_i64.into(), 2_i64.into()];
        let c = matching(
            Backend::Postgres,
            Doc::Service,
            "s.id",
            "会議室　x",
            &mut vals,
        )
        .expect("a condition");
        assert!(
            c.contains("g.entity = $3") && c.contains("g.gram IN ($4, $5)"),
            "{c}"
        );
        assert!(c.contains("d.entity = $6") && c.contains("LIKE $7"), "{c}");
        assert!(c.contains("g.gram = $9"), "{c}");
        assert_eq!(vals.len(), 9);
        // Two characters are one posting: exact, no LIKE.
        let mut vals: Vec<Val> = Vec::new();
        let c = matching(Backend::Postgres, Doc::Service, "s.id", "会議", &mut vals)
            .expect("a condition");
        assert!(c.contains("g.gram = $2") && !c.contains("LIKE"), "{c}");
        let none = matching(Backend::Sqlite, Doc::Service, "s.id", " 　 ", &mut vals);
        assert!(none.is_none());
    }

    #[test]
    fn sqlite_matches_hex_tokens_of_the_fts5_table() {
        let mut vals: Vec<Val> = Vec::new();
        let c = matching(
            Backend::Sqlite,
            Doc::Service,
            "s.id",
            "会議 web会",
            &mut vals,
        )
        .expect("a condition");
        assert!(c.contains("search_fts_service MATCH $1"), "{c}");
        assert!(c.contains("LIKE $4") && c.contains("MATCH $2"), "{c}");
        let Val::Text(Some(t)) = &vals[0] else {
            panic!("{vals:?}")
        };
        assert_eq!(t, "\"e4bc9ae8adb0\"");
        let Val::Text(Some(t)) = &vals[1] else {
            panic!("{vals:?}")
        };
        assert_eq!(t, "\"7765\" \"6562\" \"62e4bc9a\"");
    }
}
