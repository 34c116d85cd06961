//! Statements a write sends together at its end. On SQLite every statement is a hand-off to the
//! connection's thread and back, and a write holds the one writer's turn through all of them
//! (issue 8: seeding rate), so there they go in one call, their parameters numbered on from one
//! statement to the next (SQLite binds `$N` by number across a multi-statement text). On
//! PostgreSQL, which takes one statement per call with parameters, one by one.

use crate::Result;
use crate::write::{Val, bind_all};
use sqlx::AnyConnection;

#[derive(Debug, Clone, Default)]
pub(crate) struct Batch {
    stmts: Vec<(String, Vec<Val>)>,
}

impl Batch {
    /// Adds a statement whose parameters are `$1`… of its own `vals`.
    pub(crate) fn push(&mut self, sql: impl Into<String>, vals: Vec<Val>) {
        self.stmts.push((sql.into(), vals));
    }

    /// Adds `other`'s statements after these.
    pub(crate) fn extend(&mut self, other: Batch) {
        self.stmts.extend(other.stmts);
    }

    /// Runs the statements in order, in the caller's transaction.
    pub(crate) async fn run(self, conn: &mut AnyConnection) -> Result<()> {
        if conn.backend_name() == "SQLite" && self.stmts.len() > 1 {
            let mut sql = String::new();
            let mut vals = Vec::new();
            for (s, v) in self.stmts {
                sql.push_str(&renumber(&s, vals.len()));
                sql.push_str(";\n");
                vals.extend(v);
            }
            bind_all(sqlx::query(&sql), vals).execute(conn).await?;
        } else {
            for (s, v) in self.stmts {
                bind_all(sqlx::query(&s), v).execute(&mut *conn).await?;
            }
        }
        Ok(())
    }
}

/// `sql` with each parameter `$N` written `$(N + by)`. Our statements hold no `$` in literals.
fn renumber(sql: &str, by: usize) -> String {
    if by == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut rest = sql;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_on() {
        assert_eq!(
            renumber("INSERT INTO t (a, b) VALUES ($1, $2) -- $", 3),
            "INSERT INTO t (a, b) VALUES ($4, $5) -- $"
        );
        assert_eq!(renumber("x = $10 AND y = $2", 0), "x = $10 AND y = $2");
        assert_eq!(renumber("x = $10 AND y = $2", 5), "x = $15 AND y = $7");
    }

    /// SQLite runs every statement of the text and binds each `$N` by number.
    #[tokio::test]
    async fn sqlite_runs_the_statements_in_one_call() {
        let store = crate::Store::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        let mut conn = store.pool().acquire().await.expect("conn");
        sqlx::query("CREATE TABLE t (a INTEGER, b TEXT)")
            .execute(&mut *conn)
            .await
            .expect("create");
        let mut b = Batch::default();
        b.push(
            "INSERT INTO t (a, b) VALUES ($1, $2)",
            vec![1_i64.into(), "x".into()],
        );
        b.push(
            "INSERT INTO t (b, a) VALUES ($1, $2)",
            vec!["y".into(), 2_i64.into()],
        );
        b.push(
            "UPDATE t SET b = b || $1 WHERE a = $2",
            vec!["!".into(), 2_i64.into()],
        );
        b.run(&mut conn).await.expect("run");
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT a, b FROM t ORDER BY a")
            .fetch_all(&mut *conn)
            .await
            .expect("read");
        assert_eq!(rows, vec![(1, "x".into()), (2, "y!".into())]);
    }
}
