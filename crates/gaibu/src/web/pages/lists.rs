//! What every filtered list page shares: the options of its filters, the notice for a filter
//! value it does not know, and the links to the next and the first page.

use super::Cx;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::lists::ListError;
use crate::policies;

pub struct ListCtx {
    /// Org units as options, indented by depth.
    pub org_units: std::sync::Arc<Vec<(i64, String)>>,
    /// Confidentiality levels of the scheme in force: (code, label).
    pub levels: Vec<(String, String)>,
    pub next_url: Option<String>,
    /// The first page, when this is not it.
    pub first_url: Option<String>,
    /// The filter whose value was not understood, by its label.
    pub unknown: Option<String>,
}

fn label(t: Tr, param: &str) -> String {
    match param {
        "org_unit" => t.list_org_unit().to_string(),
        "classification" => t.list_classification().to_string(),
        "status" | "state" => t.list_status().to_string(),
        "track" => t.list_track().to_string(),
        "check" => t.list_check().to_string(),
        "certificate" => t.list_certificate().to_string(),
        "provider" => t.list_provider().to_string(),
        "in_scope" => t.fixes_in_scope().to_string(),
        "due" => t.list_due().to_string(),
        "due_from" => t.list_due_from().to_string(),
        "due_to" => t.list_due_to().to_string(),
        "overdue" => t.list_overdue().to_string(),
        "cause" => t.list_cause().to_string(),
        "actions" => t.recheck_actions().to_string(),
        "scope" => t.list_scope().to_string(),
        "dir" => t.list_dir().to_string(),
        "limit" | "sort" => t.list_sort().to_string(),
        other => other.to_string(),
    }
}

impl ListCtx {
    /// ` selected` for the option whose value is the one chosen.
    pub fn sel(&self, chosen: &str, value: &str) -> &'static str {
        if chosen == value { " selected" } else { "" }
    }

    /// For a list with no unit or classification filter: nothing to read.
    pub fn plain() -> ListCtx {
        ListCtx {
            org_units: Default::default(),
            levels: Vec::new(),
            next_url: None,
            first_url: None,
            unknown: None,
        }
    }

    pub async fn new(cx: &Cx) -> AppResult<ListCtx> {
        let t = cx.t();
        let org = crate::auth::org(&cx.st).await?;
        let levels = match policies::scheme_in_force(&cx.st).await {
            Ok(s) => s
                .doc
                .confidentiality
                .iter()
                .map(|l| (l.code.clone(), t.pick(&l.label_ja, &l.label_en).to_string()))
                .collect(),
            Err(_) => Vec::new(),
        };
        Ok(ListCtx {
            org_units: org.options(t),
            levels,
            next_url: None,
            first_url: None,
            unknown: None,
        })
    }

    /// A page was shown: where the next starts, and the first when this is a later one.
    pub fn paged(mut self, next_url: Option<String>, later: bool, first_url: String) -> ListCtx {
        self.next_url = next_url;
        self.first_url = later.then_some(first_url);
        self
    }

    /// The query could not be followed: an unknown value shows an empty list naming the
    /// filter; a forged cursor is a bad request.
    pub fn refused(mut self, t: Tr, e: ListError) -> AppResult<ListCtx> {
        match e {
            ListError::Unknown(p) => {
                self.unknown = Some(label(t, p));
                Ok(self)
            }
            ListError::BadCursor => Err(e.into()),
        }
    }
}
