//! Search conditions for lists. (Interim: substring match; the n-gram index replaces it.)

use crate::write::Val;

/// An SQL condition that `id_column` is one of `entity`'s records matching every word of `q`,
/// with its values appended to `vals`; `None` for a blank query.
pub(crate) fn matching(
    entity: &str,
    id_column: &str,
    q: &str,
    vals: &mut Vec<Val>,
) -> Option<String> {
    let words: Vec<&str> = q.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let (table, cols): (&str, &[&str]) = match entity {
        "application" => ("applications", &["service_name", "provider"]),
        "account" => ("accounts", &["account_id", "purpose"]),
        _ => ("services", &["name", "provider"]),
    };
    let mut conds = Vec::new();
    for w in words {
        vals.push(crate::lists::people::like_pattern(&w.to_lowercase()).into());
        let p = format!("${}", vals.len());
        let any: Vec<String> = cols
            .iter()
            .map(|c| format!("LOWER({c}) LIKE {p} ESCAPE '\\'"))
            .collect();
        conds.push(format!("({})", any.join(" OR ")));
    }
    Some(format!(
        "{id_column} IN (SELECT id FROM {table} WHERE {})",
        conds.join(" AND ")
    ))
}
