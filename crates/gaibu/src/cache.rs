//! What an instance keeps between requests, so that it stays correct beside other instances on
//! the same database.
//!
//! - The organisation tree, keyed by the version number the database keeps for it (moved by a
//!   trigger with every change to the org units). The query that identifies the caller reads
//!   the current version, so a change made through another instance is seen on the next
//!   request; within one request the tree is read at most once (`org`).
//! - Parsed policy versions, by id: what a version says never changes once loaded (the
//!   database refuses it), so a parse is good for ever. Which version is in force is read
//!   again each time.
//!
//! - The dashboard's counts, keyed by their query and the audit trail's sequence number: every
//!   write appends an audit event in its transaction, so while the number stands still no
//!   count can have changed, on any instance. One query (`audit_seq`) replaces six aggregates.
//!
//! Sessions, tokens and roles are not cached: the identity query reads them on every request.

use gaibu_domain::policy::PolicyDocument;
use gaibu_domain::role::OrgTree;
use gaibu_store::DashboardCounts;
use gaibu_store::OrgUnitRow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// Org units as a select offers them: id and indented name, in tree order.
pub type OrgOptions = Arc<Vec<(i64, String)>>;

/// The organisation as of one version.
#[derive(Debug)]
pub struct Org {
    pub version: i64,
    pub units: Arc<Vec<OrgUnitRow>>,
    pub tree: OrgTree,
    /// The units as a list filter offers them (indented names), per language, made once per
    /// version: every list page shows them, 321 units in the benchmark's city.
    options: [std::sync::OnceLock<OrgOptions>; 2],
}

impl Org {
    pub fn new(version: i64, units: Vec<OrgUnitRow>) -> Self {
        let tree = OrgTree::new(units.iter().map(|u| (u.id, u.parent_id)));
        Org {
            version,
            units: Arc::new(units),
            tree,
            options: Default::default(),
        }
    }

    /// The units in tree order with indented names in `t`'s language (see `org_options`).
    pub fn options(&self, t: crate::i18n::Tr) -> OrgOptions {
        let slot = match t.language() {
            crate::i18n::Lang::Ja => &self.options[0],
            crate::i18n::Lang::En => &self.options[1],
        };
        slot.get_or_init(|| Arc::new(crate::web::pages::org_options(t, &self.units)))
            .clone()
    }
}

/// What a policy version says, as loaded: the parts of its row that never change, and its
/// parsed document. (Its status moves: read it from the database, never from here.)
#[derive(Debug, Clone)]
pub struct PolicyMeta {
    pub id: i64,
    pub kind: String,
    pub version: String,
    pub title_ja: String,
    pub title_en: String,
    pub content_sha256: String,
    pub loaded_at: jiff::Timestamp,
}

#[derive(Debug)]
pub struct ParsedPolicy {
    pub meta: PolicyMeta,
    pub doc: PolicyDocument,
}

/// Policy versions are few (a handful a year); the bound only guards against surprises.
const MAX_POLICIES: usize = 1024;

/// Dashboards kept at once (one per scope and day asked for); past it all are dropped.
const MAX_DASHBOARDS: usize = 256;

#[derive(Default)]
pub struct Caches {
    org: RwLock<Option<Arc<Org>>>,
    policies: RwLock<HashMap<i64, Arc<ParsedPolicy>>>,
    /// Dashboard counts by their query, with the audit sequence number they were counted at.
    dashboards: Mutex<HashMap<String, (i64, Arc<DashboardCounts>)>>,
}

impl Caches {
    /// The cached organisation if it is at least as new as `version`.
    pub fn org_at(&self, version: i64) -> Option<Arc<Org>> {
        let g = self.org.read().unwrap_or_else(|p| p.into_inner());
        g.as_ref().filter(|o| o.version >= version).cloned()
    }

    /// Keeps `org` unless a newer one is kept already.
    pub fn keep_org(&self, org: Arc<Org>) {
        let mut g = self.org.write().unwrap_or_else(|p| p.into_inner());
        if g.as_ref().is_none_or(|o| o.version < org.version) {
            *g = Some(org);
        }
    }

    /// The counts of the dashboard `key` if they were counted at audit sequence `seq` (no
    /// record has changed since).
    pub fn dashboard(&self, key: &str, seq: i64) -> Option<Arc<DashboardCounts>> {
        let g = self.dashboards.lock().unwrap_or_else(|p| p.into_inner());
        g.get(key)
            .filter(|(at, _)| *at == seq)
            .map(|(_, c)| c.clone())
    }

    /// Keeps the counts of `key`, counted after audit sequence `seq` was read: if a write
    /// landed in between they are newer than `seq` says, and the next request counts again.
    pub fn keep_dashboard(&self, key: String, seq: i64, counts: Arc<DashboardCounts>) {
        let mut g = self.dashboards.lock().unwrap_or_else(|p| p.into_inner());
        if g.len() >= MAX_DASHBOARDS {
            g.clear();
        }
        g.insert(key, (seq, counts));
    }

    pub fn policy(&self, id: i64) -> Option<Arc<ParsedPolicy>> {
        let g = self.policies.read().unwrap_or_else(|p| p.into_inner());
        g.get(&id).cloned()
    }

    pub fn keep_policy(&self, p: Arc<ParsedPolicy>) {
        let mut g = self.policies.write().unwrap_or_else(|p| p.into_inner());
        if g.len() >= MAX_POLICIES {
            g.clear();
        }
        g.insert(p.meta.id, p);
    }
}

/// One request's view of the organisation: the version its identity query read, and the tree
/// once it has been read.
pub struct RequestOrg {
    state: Mutex<(Option<i64>, Option<Arc<Org>>)>,
}

impl RequestOrg {
    pub fn at(version: i64) -> Self {
        RequestOrg {
            state: Mutex::new((Some(version), None)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<i64>, Option<Arc<Org>>)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The version to read at (`None`: unknown, read it) and the tree if already read.
    pub fn get(&self) -> (Option<i64>, Option<Arc<Org>>) {
        self.lock().clone()
    }

    pub fn set(&self, org: Arc<Org>) {
        let mut g = self.lock();
        g.0 = Some(org.version);
        g.1 = Some(org);
    }

    /// This request changed the organisation: what it read before is no longer current.
    pub fn forget(&self) {
        *self.lock() = (None, None);
    }
}

tokio::task_local! {
    /// Set by the `authenticate` middleware around each signed-in request.
    pub static REQUEST_ORG: RequestOrg;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent_id: Option<i64>) -> OrgUnitRow {
        OrgUnitRow {
            id,
            parent_id,
            code: format!("u{id}"),
            name_ja: String::new(),
            name_en: String::new(),
        }
    }

    #[test]
    fn an_older_tree_never_replaces_a_newer_one() {
        let c = Caches::default();
        assert!(c.org_at(1).is_none());
        c.keep_org(Arc::new(Org::new(3, vec![unit(1, None)])));
        c.keep_org(Arc::new(Org::new(2, vec![])));
        let kept = c.org_at(3).expect("kept");
        assert_eq!(kept.version, 3);
        assert!(kept.tree.contains(1));
        // A request that read a newer version does not get the cached one.
        assert!(c.org_at(4).is_none());
    }

    #[test]
    fn a_request_that_changed_the_tree_reads_it_again() {
        let r = RequestOrg::at(5);
        r.set(Arc::new(Org::new(5, vec![])));
        assert!(r.get().1.is_some());
        r.forget();
        assert_eq!(r.get().0, None);
        assert!(r.get().1.is_none());
    }
}
