//! The evaluation a class-2+ application carries, item by item (S3.2a–g).
//!
//! These items are the standard's own clauses, not the city's sheet, so they are a fixed
//! structure; what each must contain is free text the ISM reads.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Evaluation {
    /// (a) security requirements set from the classification and handling restrictions, and
    /// the evaluation against the city's policy (international standards where needed).
    pub security_requirements: String,
    /// (b) security design over the whole information flow, with roles and responsibilities.
    pub security_design: String,
    /// (c) the provider's reliability, judged from audit reports and certifications.
    pub provider_reliability: String,
    /// (d) required clauses in the contract / ToS: incident reporting, damages …
    pub contract_clauses: String,
    /// (d) the SLA agreed (uptime, RTO, redundancy …).
    pub sla: String,
    /// (d) the backup level chosen by the system's importance, and separate backups.
    pub backup_level: String,
    /// (d) "yes" when the ToS can be changed by agreement, "no" when they cannot.
    pub tos_changeable: String,
    /// (d) when the ToS cannot be changed: why they are acceptable to the city.
    pub tos_acceptability: String,
    /// (d) a special agreement that overrides the ToS, if any.
    pub special_agreement: String,
    /// (e) unfavourable terms such as a cap on damages, and the judgement on them.
    pub unfavourable_terms: String,
    /// (f) the split of security roles and responsibilities with the provider.
    pub responsibility_split: String,
    /// (g) that development and operation security information can be had before the contract.
    pub dev_ops_information: String,
}

/// The fields, in the standard's order, with the clause each carries.
pub const FIELDS: [(&str, &str); 12] = [
    ("security_requirements", "S3.2a"),
    ("security_design", "S3.2b"),
    ("provider_reliability", "S3.2c"),
    ("contract_clauses", "S3.2d"),
    ("sla", "S3.2d"),
    ("backup_level", "S3.2d"),
    ("tos_changeable", "S3.2d"),
    ("tos_acceptability", "S3.2d"),
    ("special_agreement", "S3.2d"),
    ("unfavourable_terms", "S3.2e"),
    ("responsibility_split", "S3.2f"),
    ("dev_ops_information", "S3.2g"),
];

impl Evaluation {
    pub fn get(&self, field: &str) -> &str {
        match field {
            "security_requirements" => &self.security_requirements,
            "security_design" => &self.security_design,
            "provider_reliability" => &self.provider_reliability,
            "contract_clauses" => &self.contract_clauses,
            "sla" => &self.sla,
            "backup_level" => &self.backup_level,
            "tos_changeable" => &self.tos_changeable,
            "tos_acceptability" => &self.tos_acceptability,
            "special_agreement" => &self.special_agreement,
            "unfavourable_terms" => &self.unfavourable_terms,
            "responsibility_split" => &self.responsibility_split,
            "dev_ops_information" => &self.dev_ops_information,
            _ => "",
        }
    }

    /// Values of the wrong form, refused at save.
    pub fn check_values(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if !matches!(self.tos_changeable.trim(), "" | "yes" | "no") {
            errs.push(FieldError::new(
                "evaluation.tos_changeable",
                "invalid_choice",
            ));
        }
        for (f, _) in FIELDS {
            if self.get(f).chars().count() > 8000 {
                errs.push(FieldError::new(format!("evaluation.{f}"), "too_long"));
            }
        }
        errs
    }

    /// Complete enough to submit (S3.2a–g): every item stated; when the ToS cannot be changed,
    /// either the judgement that they are acceptable or the special agreement that overrides
    /// them (S3.2d). The special agreement itself is optional otherwise.
    pub fn check_complete(&self) -> Vec<FieldError> {
        let mut errs = self.check_values();
        for (f, _) in FIELDS {
            if matches!(f, "tos_acceptability" | "special_agreement") {
                continue;
            }
            if self.get(f).trim().is_empty() {
                errs.push(FieldError::new(format!("evaluation.{f}"), "required"));
            }
        }
        if self.tos_changeable.trim() == "no"
            && self.tos_acceptability.trim().is_empty()
            && self.special_agreement.trim().is_empty()
        {
            errs.push(FieldError::new(
                "evaluation.tos_acceptability",
                "tos_judgement_required",
            ));
        }
        errs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn complete() -> Evaluation {
        Evaluation {
            security_requirements:
                "機密性2・完全性2に応じ、通信と保存の暗号化、多要素認証を要件とする".into(),
            security_design: "端末→LGWAN→インターネット分離→サービス。各区間の責任を図示".into(),
            provider_reliability: "ISMAP登録（C23-0001）、SOC2 Type2報告書を確認".into(),
            contract_clauses: "インシデント報告義務（24時間以内）、損害賠償条項あり".into(),
            sla: "稼働率99.9%、RTO 4時間".into(),
            backup_level: "日次バックアップ、別途月次で庁内に保管".into(),
            tos_changeable: "yes".into(),
            tos_acceptability: String::new(),
            special_agreement: String::new(),
            unfavourable_terms: "賠償上限は年間利用料。代替手段を確保した上で受容".into(),
            responsibility_split: "基盤は事業者、アカウントと設定は本市".into(),
            dev_ops_information: "開発・運用手順書の提供を契約前に確認".into(),
        }
    }

    // clause: S3.2a, S3.2b, S3.2c, S3.2d, S3.2e, S3.2f, S3.2g
    #[test]
    fn every_item_of_the_evaluation_is_required() {
        assert!(complete().check_complete().is_empty());
        let errs = Evaluation::default().check_complete();
        assert_eq!(errs.len(), 10, "{errs:?}");
        assert!(errs.iter().all(|e| e.code == "required"));
    }

    // clause: S3.2d — unchangeable ToS need an acceptability judgement or a special agreement
    #[test]
    fn unchangeable_terms_need_a_judgement() {
        let mut e = complete();
        e.tos_changeable = "no".into();
        assert_eq!(
            e.check_complete(),
            vec![FieldError::new(
                "evaluation.tos_acceptability",
                "tos_judgement_required"
            )]
        );
        e.special_agreement = "規約に優先する特約を締結（報告義務を追加）".into();
        assert!(e.check_complete().is_empty());
        e.special_agreement.clear();
        e.tos_acceptability = "個人情報を扱わず、賠償上限も受容可能".into();
        assert!(e.check_complete().is_empty());
        e.tos_changeable = "maybe".into();
        assert_eq!(e.check_values()[0].code, "invalid_choice");
    }
}
