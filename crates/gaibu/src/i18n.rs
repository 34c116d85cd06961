//! User-facing text in Japanese (first) and English, from `i18n/messages/*.toml`. `build.rs`
//! turns each entry into a variant of [`Msg`] and a method of [`Tr`] (`t.nav_home()`), so a
//! missing or misspelt message is a compile error. Labels of the domain's enumerations go
//! through a `match` (a new variant without a label does not compile); only keys that come
//! from data (a domain refusal's code `X` reads as `error.X`) are looked up at run time, with
//! a visible fallback and a warning.

use gaibu_domain::account::AccountKind;
use gaibu_domain::application::State;
use gaibu_domain::calendar::DateStyle;
use gaibu_domain::classification::Track;
use gaibu_domain::contractor::SubmissionState;
use gaibu_domain::ledger::LedgerStatus;
use gaibu_domain::policy::PolicyStatus;
use gaibu_domain::review::Decision;
use gaibu_domain::role::Role;
use gaibu_domain::sheet::AnswerType;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    /// From an Accept-Language header: English only when it is preferred over Japanese.
    pub fn from_accept_language(h: &str) -> Lang {
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("ja") {
                return Lang::Ja;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Ja
    }
}

pub fn state_label(s: State) -> Msg {
    match s {
        State::Draft => Msg::StateDraft,
        State::Submitted => Msg::StateSubmitted,
        State::Returned => Msg::StateReturned,
        State::Rejected => Msg::StateRejected,
        State::Approved => Msg::StateApproved,
    }
}

pub fn track_label(t: Track) -> Msg {
    match t {
        Track::Class1 => Msg::TrackClass1,
        Track::Class2Plus => Msg::TrackClass2plus,
    }
}

/// The requirement sheet a track answers.
pub fn sheet_for_label(t: Track) -> Msg {
    match t {
        Track::Class1 => Msg::SheetForClass1,
        Track::Class2Plus => Msg::SheetForClass2plus,
    }
}

pub fn ledger_label(s: LedgerStatus) -> Msg {
    match s {
        LedgerStatus::Building => Msg::LedgerBuilding,
        LedgerStatus::InOperation => Msg::LedgerInOperation,
        LedgerStatus::Suspended => Msg::LedgerSuspended,
        LedgerStatus::Retired => Msg::LedgerRetired,
    }
}

pub fn submission_state_label(s: SubmissionState) -> Msg {
    match s {
        SubmissionState::Draft => Msg::SubmissionStateDraft,
        SubmissionState::Submitted => Msg::SubmissionStateSubmitted,
        SubmissionState::Verified => Msg::SubmissionStateVerified,
        SubmissionState::Returned => Msg::SubmissionStateReturned,
    }
}

pub fn role_label(r: Role) -> Msg {
    match r {
        Role::SystemAdministrator => Msg::RoleSystemAdministrator,
        Role::Ciso => Msg::RoleCiso,
        Role::InformationSecurityManager => Msg::RoleInformationSecurityManager,
        Role::InformationManager => Msg::RoleInformationManager,
        Role::BusinessSystemManager => Msg::RoleBusinessSystemManager,
        Role::InfrastructureManager => Msg::RoleInfrastructureManager,
        Role::Staff => Msg::RoleStaff,
    }
}

pub fn decision_label(d: Decision) -> Msg {
    match d {
        Decision::Approve => Msg::DecisionApprove,
        Decision::Reject => Msg::DecisionReject,
        Decision::Return => Msg::DecisionReturn,
    }
}

pub fn policy_status_label(s: PolicyStatus) -> Msg {
    match s {
        PolicyStatus::Pending => Msg::PolicyStatusPending,
        PolicyStatus::Approved => Msg::PolicyStatusApproved,
        PolicyStatus::Superseded => Msg::PolicyStatusSuperseded,
    }
}

pub fn account_kind_label(k: AccountKind) -> Msg {
    match k {
        AccountKind::User => Msg::AccountKindUser,
        AccountKind::Admin => Msg::AccountKindAdmin,
        AccountKind::Shared => Msg::AccountKindShared,
    }
}

pub fn answer_type_label(a: AnswerType) -> Msg {
    match a {
        AnswerType::YesNoNa => Msg::AnswerTypeYesNoNa,
        AnswerType::Text => Msg::AnswerTypeText,
        AnswerType::Date => Msg::AnswerTypeDate,
        AnswerType::Choice => Msg::AnswerTypeChoice,
    }
}

/// The message of `prefix.key` where the key comes from data; `None` when there is none.
pub fn data_key(prefix: &str, key: &str) -> Option<Msg> {
    Msg::from_key(&format!("{prefix}.{key}"))
}

/// The message for a refusal code held in data (`error.<code>`); an unknown code reads as the
/// generic error message and is logged, never shown raw.
pub fn error_msg(code: &str) -> Msg {
    data_key("error", code).unwrap_or_else(|| {
        tracing::warn!(code, "no message for this error code");
        Msg::ErrorUnknown
    })
}

/// The translator handed to templates: a language, and how its pages write dates (see
/// `dates`, which adds `t.date(d)`, `t.when(ts)` and `t.range(a, b)`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tr {
    lang: Lang,
    dates: DateStyle,
}

impl Tr {
    /// Messages in `lang`, dates in the Western calendar.
    pub const fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            dates: DateStyle::Western,
        }
    }

    /// The same messages with dates in `dates` (Japanese pages only: English ignores the era).
    pub const fn with_dates(self, dates: DateStyle) -> Tr {
        Tr { dates, ..self }
    }

    pub fn language(&self) -> Lang {
        self.lang
    }

    pub fn date_style(&self) -> DateStyle {
        self.dates
    }

    pub fn lang(&self) -> &'static str {
        self.lang.code()
    }

    /// The text of a message in this language.
    pub fn get(&self, m: Msg) -> &'static str {
        match self.lang {
            Lang::Ja => m.ja(),
            Lang::En => m.en(),
        }
    }

    /// `prefix.key` where the key comes from data (an audit action, a notification kind, a
    /// field name): an unknown key reads as "(unknown)" and is logged.
    pub fn of(&self, prefix: &str, key: &str) -> String {
        self.get(data_key(prefix, key).unwrap_or_else(|| {
            tracing::warn!(prefix, key, "no message for this key");
            Msg::LabelUnknown
        }))
        .to_string()
    }

    /// The label of a value of a domain enumeration stored as text; a value the domain does
    /// not know reads as "(unknown)" and is logged.
    fn parsed<T>(
        &self,
        what: &str,
        s: &str,
        parse: fn(&str) -> Option<T>,
        label: fn(T) -> Msg,
    ) -> &'static str {
        match parse(s) {
            Some(v) => self.get(label(v)),
            None => {
                tracing::warn!(what, value = s, "not a known value");
                self.get(Msg::LabelUnknown)
            }
        }
    }

    pub fn state(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed("state", s, State::parse, state_label)
    }
    pub fn track(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed("track", s, Track::parse, track_label)
    }
    pub fn sheet_for(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed("track", s, Track::parse, sheet_for_label)
    }
    pub fn ledger(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed("ledger status", s, LedgerStatus::parse, ledger_label)
    }
    pub fn submission_state(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed(
            "submission state",
            s,
            SubmissionState::parse,
            submission_state_label,
        )
    }
    pub fn role(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed("role", s, Role::parse, role_label)
    }
    pub fn decision(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed("decision", s, Decision::parse, decision_label)
    }
    pub fn policy_status(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed("policy status", s, PolicyStatus::parse, policy_status_label)
    }
    pub fn account_kind(&self, s: impl AsRef<str>) -> &'static str {
        let s = s.as_ref();
        self.parsed("account kind", s, AccountKind::parse, account_kind_label)
    }
    pub fn answer_type(&self, a: &AnswerType) -> &'static str {
        self.get(answer_type_label(*a))
    }

    /// Picks the Japanese or the English of a pair held in data (policy documents).
    pub fn pick<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// The label of an input field: `evaluation.x`, `procurement.x`, `answers.<item>` or a
    /// plain field name.
    pub fn field(&self, field: &str) -> String {
        if let Some(f) = field.strip_prefix("evaluation.") {
            return self.of("evaluation_item", f);
        }
        if let Some(f) = field.strip_prefix("procurement.") {
            return self.of("procurement_item", f);
        }
        if let Some(item) = field.strip_prefix("answers.") {
            return item.to_string();
        }
        self.of("label", field)
    }

    /// "label: message" when the field has a label of its own, else the message alone (a
    /// summary never shows a raw field name).
    pub fn field_and(&self, field: &str, msg: &str) -> String {
        let label = if let Some(f) = field.strip_prefix("evaluation.") {
            data_key("evaluation_item", f)
        } else if let Some(f) = field.strip_prefix("procurement.") {
            data_key("procurement_item", f)
        } else {
            data_key("label", field)
        };
        match label {
            Some(l) => format!("{}: {msg}", self.get(l)),
            None => msg.to_string(),
        }
    }

    /// The message for a refusal code (see [`error_msg`]).
    pub fn error(&self, code: &str) -> String {
        self.get(error_msg(code)).to_string()
    }
}

/// An org unit's name in the user's language (its id when it is unknown).
pub fn org_name(t: Tr, units: &[gaibu_store::OrgUnitRow], id: i64) -> String {
    units
        .iter()
        .find(|u| u.id == id)
        .map(|u| t.pick(&u.name_ja, &u.name_en).to_string())
        .unwrap_or_else(|| format!("#{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_its_key_finds_it() {
        assert!(Msg::ALL.len() > 100);
        for &m in Msg::ALL {
            assert!(
                !m.ja().trim().is_empty() && !m.en().trim().is_empty(),
                "{m:?}"
            );
            assert_eq!(Msg::from_key(m.key()), Some(m));
        }
        assert_eq!(Tr::new(Lang::En).nav_home(), "Home");
        assert_eq!(Tr::new(Lang::Ja).get(Msg::NavHome), "ホーム");
    }

    #[test]
    fn every_domain_value_has_a_label() {
        let ja = Tr::new(Lang::Ja);
        let unknown = Msg::LabelUnknown.ja();
        for s in ["draft", "submitted", "returned", "rejected", "approved"] {
            assert_ne!(ja.state(s), unknown, "{s}");
        }
        for r in Role::ALL {
            assert_ne!(ja.role(r.as_str()), unknown, "{r:?}");
        }
        assert_ne!(ja.track("class2plus"), unknown);
        assert_ne!(ja.sheet_for("class1"), unknown);
        assert_eq!(ja.state("no-such-state"), unknown);
        assert_eq!(ja.of("audit", "no-such-action"), unknown);
        assert_eq!(ja.error("no_such_code"), Msg::ErrorUnknown.ja());
    }

    #[test]
    fn every_audit_action_and_notice_kind_has_a_message() {
        for a in gaibu_domain::audit::Action::ALL {
            assert!(data_key("audit", a.as_str()).is_some(), "audit.{a}");
        }
        for k in gaibu_domain::effects::NoticeKind::ALL {
            assert!(
                data_key("notification", k.as_str()).is_some(),
                "notification.{k}"
            );
        }
    }

    #[test]
    fn accept_language_prefers_japanese() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("ja,en-US;q=0.8"), Lang::Ja);
        assert_eq!(Lang::from_accept_language(""), Lang::Ja);
    }
}
