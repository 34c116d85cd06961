//! Reading the city's directory over LDAP (`ldap3`): one bind with the server's credential,
//! then a paged search of the staff under the base DN, each entry read by the attribute
//! mapping. Nothing is written to the directory.

use gaibu_domain::directory::{DirectorySettings, EntryProblem, Person, person_of};
use ldap3::adapters::{EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use std::time::Duration;

/// Where the directory is and how gaibu binds: the server's configuration (`gaibu serve
/// --ldap-url …`), never a setting a user edits.
#[derive(Clone)]
pub struct Connection {
    /// `ldap://host:389`, or `ldaps://host:636`.
    pub url: String,
    /// Empty: an anonymous bind.
    pub bind_dn: String,
    pub bind_password: String,
    /// Upgrade `ldap://` with StartTLS before binding.
    pub starttls: bool,
    /// How long connecting may take; the whole read may take ten times this.
    pub timeout: Duration,
}

impl std::fmt::Debug for Connection {
    /// Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.url)
            .field("bind_dn", &self.bind_dn)
            .field("starttls", &self.starttls)
            .finish_non_exhaustive()
    }
}

/// Why the directory could not be read; the text is the server's or the network's own words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("cannot reach {url}: {why}")]
    Unreachable { url: String, why: String },
    #[error("the directory refused the bind as {dn}: {why}")]
    BindRefused { dn: String, why: String },
    #[error("the search under {base} failed: {why}")]
    SearchFailed { base: String, why: String },
}

/// Entries per page of the search (Active Directory answers at most 1,000 a page).
const PAGE: i32 = 500;

/// More entries than a city has staff: a filter that matches too much is refused rather than
/// read into memory.
pub const MAX_ENTRIES: usize = 200_000;

/// Every staff entry under the base DN: those the mapping reads, and those it cannot (with why).
pub async fn read(
    c: &Connection,
    s: &DirectorySettings,
) -> Result<(Vec<Person>, Vec<EntryProblem>), ReadError> {
    let whole = c.timeout.saturating_mul(10);
    match tokio::time::timeout(whole, read_within(c, s)).await {
        Ok(r) => r,
        Err(_) => Err(ReadError::Unreachable {
            url: c.url.clone(),
            why: format!("no answer within {} seconds", whole.as_secs()),
        }),
    }
}

async fn read_within(
    c: &Connection,
    s: &DirectorySettings,
) -> Result<(Vec<Person>, Vec<EntryProblem>), ReadError> {
    let settings = LdapConnSettings::new()
        .set_conn_timeout(c.timeout)
        .set_starttls(c.starttls);
    let unreachable = |e: ldap3::LdapError| ReadError::Unreachable {
        url: c.url.clone(),
        why: e.to_string(),
    };
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &c.url)
        .await
        .map_err(unreachable)?;
    ldap3::drive!(conn);
    if !c.bind_dn.is_empty() {
        ldap.simple_bind(&c.bind_dn, &c.bind_password)
            .await
            .map_err(unreachable)?
            .success()
            .map_err(|e| ReadError::BindRefused {
                dn: c.bind_dn.clone(),
                why: e.to_string(),
            })?;
    }
    let failed = |e: ldap3::LdapError| ReadError::SearchFailed {
        base: s.base_dn.clone(),
        why: e.to_string(),
    };
    let adapters: Vec<Box<dyn ldap3::adapters::Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(PAGE)),
    ];
    let wanted = s.wanted();
    let mut stream = ldap
        .streaming_search_with(
            adapters,
            s.base_dn.trim(),
            Scope::Subtree,
            s.user_filter.trim(),
            wanted,
        )
        .await
        .map_err(failed)?;
    let (mut people, mut problems) = (Vec::new(), Vec::new());
    while let Some(entry) = stream.next().await.map_err(failed)? {
        if people.len() + problems.len() >= MAX_ENTRIES {
            let _ = stream.finish().await;
            return Err(ReadError::SearchFailed {
                base: s.base_dn.clone(),
                why: format!("more than {MAX_ENTRIES} entries: narrow the filter"),
            });
        }
        // The crate panics on an entry it cannot decode; a directory's bad answer is a failed
        // search, not a crash.
        let entry = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            SearchEntry::construct(entry)
        }))
        .map_err(|_| ReadError::SearchFailed {
            base: s.base_dn.clone(),
            why: "an entry could not be decoded".into(),
        })?;
        let a = &s.attributes;
        match person_of(a, &s.inactive_values, &entry.dn, &entry.attrs) {
            Ok(p) => people.push(p),
            Err(e) => problems.push(e),
        }
    }
    stream.finish().await.success().map_err(failed)?;
    let _ = ldap.unbind().await;
    Ok((people, problems))
}
