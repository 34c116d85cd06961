//! Every export is in the audit trail (`list.exported`): who took which list, with which
//! filters, in which format, how many rows, and how many characters Shift_JIS could not hold.
//! A download that stops part way (the reader left, the connection broke) is recorded too,
//! with the rows sent and `complete: false`.

use super::columns::ListKind;
use super::format::Format;
use crate::error::AppResult;
use crate::state::AppState;
use gaibu_domain::audit::{Action, Entity};
use gaibu_store::Who;

/// What an export took.
#[derive(Debug, Clone)]
pub struct Taken {
    pub who: Who,
    pub kind: ListKind,
    pub filters: serde_json::Value,
    pub format: Format,
    /// Where it was taken: `web`, `api` or `cli`.
    pub via: &'static str,
    pub rows: u64,
    pub replaced: u64,
}

impl Taken {
    fn detail(&self, complete: bool) -> String {
        serde_json::json!({
            "list": self.kind.as_str(),
            "filters": self.filters,
            "format": self.format.as_str(),
            "via": self.via,
            "rows": self.rows,
            "replaced_characters": self.replaced,
            "complete": complete,
        })
        .to_string()
    }

    /// Writes the event.
    pub async fn record(&self, st: &AppState, complete: bool) -> AppResult<()> {
        st.store
            .audit_alone(
                &self.who,
                st.now(),
                Action::ListExported,
                Entity::List,
                None,
                Some(self.detail(complete)),
            )
            .await?;
        Ok(())
    }
}

/// An export being streamed: recorded when it ends, or — if it is dropped before — as
/// incomplete, from a task of its own.
pub struct Guard {
    st: AppState,
    pub taken: Taken,
    recorded: bool,
}

impl Guard {
    pub fn new(st: AppState, taken: Taken) -> Guard {
        Guard {
            st,
            taken,
            recorded: false,
        }
    }

    /// The whole list was sent.
    pub async fn finish(mut self) {
        self.recorded = true;
        if let Err(e) = self.taken.record(&self.st, true).await {
            tracing::error!(error = %e, list = self.taken.kind.as_str(), "export not audited");
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.recorded {
            return;
        }
        let (st, taken) = (self.st.clone(), self.taken.clone());
        match tokio::runtime::Handle::try_current() {
            Ok(h) => {
                h.spawn(async move {
                    if let Err(e) = taken.record(&st, false).await {
                        tracing::error!(error = %e, "an interrupted export not audited");
                    }
                });
            }
            Err(_) => tracing::error!("an interrupted export not audited: no runtime"),
        }
    }
}
