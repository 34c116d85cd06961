//! The proof of the end of use: how the information was disposed of (S7.1-4, S3.7-3) and the
//! end-of-use measures checked and recorded (S3.7-2).

use crate::FieldError;
use crate::service_life::MeasureStatus;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the information was disposed of (S7.1-4, S3.7-3). A return of the data is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DisposalMethod {
    /// The provider's deletion certificate (データ消去証明書), kept as a file.
    ProviderCertificate,
    /// Deletion of the encryption key (crypto-shredding, S3.7-3).
    KeyDeletion,
}

impl DisposalMethod {
    pub const ALL: [DisposalMethod; 2] = [
        DisposalMethod::ProviderCertificate,
        DisposalMethod::KeyDeletion,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            DisposalMethod::ProviderCertificate => "provider_certificate",
            DisposalMethod::KeyDeletion => "key_deletion",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The disposal record as a form or JSON sends it (the proof file comes beside it).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DisposalInput {
    /// `provider_certificate` or `key_deletion`.
    pub method: String,
    /// `YYYY-MM-DD`
    pub disposed_on: String,
    /// Which key was deleted (e.g. the KMS key id) — required for `key_deletion`.
    pub key_reference: String,
    pub note: String,
    /// `yes` / `no`: the data was stored encrypted (S3.7-3). Required for highly confidential
    /// information and for key deletion.
    pub stored_encrypted: String,
    /// The day the data was returned, if it was (recorded, but not a disposal).
    pub data_returned_on: String,
    pub data_return_note: String,
}

/// A recorded disposal (S7.1-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Disposal {
    pub method: DisposalMethod,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub disposed_on: Date,
    pub key_reference: String,
    pub note: String,
    /// S3.7-3: whether the data was stored encrypted; None when not asked.
    pub stored_encrypted: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub data_returned_on: Option<Date>,
    pub data_return_note: String,
}

fn yes_no(field: &str, v: &str, errs: &mut Vec<FieldError>) -> Option<bool> {
    match v.trim() {
        "" => None,
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => {
            errs.push(FieldError::new(field, "invalid_choice"));
            None
        }
    }
}

impl DisposalInput {
    /// `highly_confidential`: S3.7-3 applies; `has_proof_file`: a file comes with the record.
    pub fn parse(
        &self,
        highly_confidential: bool,
        has_proof_file: bool,
    ) -> Result<Disposal, Vec<FieldError>> {
        let mut errs = Vec::new();
        let method = match self.method.trim() {
            "" => {
                errs.push(FieldError::new("method", "required"));
                None
            }
            // Returning the data leaves the provider's copies: it is recorded, not a disposal.
            "data_return" | "return" => {
                errs.push(FieldError::new("method", "return_is_not_disposal"));
                None
            }
            m => {
                let parsed = DisposalMethod::parse(m);
                if parsed.is_none() {
                    errs.push(FieldError::new("method", "invalid_choice"));
                }
                parsed
            }
        };
        let disposed_on =
            crate::application::parse_date("disposed_on", &self.disposed_on, &mut errs);
        let key_reference = self.key_reference.trim().to_string();
        let stored_encrypted = yes_no("stored_encrypted", &self.stored_encrypted, &mut errs);
        match method {
            Some(DisposalMethod::ProviderCertificate) if !has_proof_file => {
                errs.push(FieldError::new("file", "deletion_certificate_required"));
            }
            Some(DisposalMethod::KeyDeletion) => {
                if key_reference.is_empty() {
                    errs.push(FieldError::new("key_reference", "required"));
                }
                // Deleting the key makes the data unrecoverable only if it was encrypted.
                if stored_encrypted != Some(true) {
                    errs.push(FieldError::new(
                        "stored_encrypted",
                        "key_deletion_needs_encryption",
                    ));
                }
            }
            _ => {}
        }
        if highly_confidential && stored_encrypted.is_none() {
            errs.push(FieldError::new(
                "stored_encrypted",
                "encryption_statement_required",
            ));
        }
        let data_returned_on = match self.data_returned_on.trim() {
            "" => None,
            v => crate::application::parse_date("data_returned_on", v, &mut errs),
        };
        match (method, disposed_on) {
            (Some(method), Some(disposed_on)) if errs.is_empty() => Ok(Disposal {
                method,
                disposed_on,
                key_reference,
                note: self.note.trim().to_string(),
                stored_encrypted,
                data_returned_on,
                data_return_note: self.data_return_note.trim().to_string(),
            }),
            _ => Err(errs),
        }
    }
}

/// One end-of-use measure's status as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MeasureInput {
    /// `implemented`, `partly`, `not_yet` or `not_applicable`; empty: not recorded now.
    pub status: String,
    pub note: String,
}

/// S3.7-2: statuses of the end-of-use measures, by measure id.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MeasuresInput {
    pub measures: BTreeMap<String, MeasureInput>,
}

/// A measure's recorded status (S3.7-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureRecord {
    pub status: MeasureStatus,
    pub note: String,
}

impl MeasuresInput {
    /// The statuses given, for the measures `known` (the policy's end-of-use measures). A
    /// measure left empty is not recorded now; 該当なし needs its reason.
    pub fn parse(
        &self,
        known: &[&str],
    ) -> Result<BTreeMap<String, MeasureRecord>, Vec<FieldError>> {
        let mut errs = Vec::new();
        let mut out = BTreeMap::new();
        for (id, m) in &self.measures {
            let field = format!("measure.{id}");
            if !known.contains(&id.as_str()) {
                errs.push(FieldError::new(field, "unknown_item"));
                continue;
            }
            let note = m.note.trim().to_string();
            match m.status.trim() {
                "" => {}
                s => match MeasureStatus::parse(s) {
                    None => errs.push(FieldError::new(field, "invalid_choice")),
                    Some(MeasureStatus::NotApplicable) if note.is_empty() => {
                        errs.push(FieldError::new(field, "reason_required"))
                    }
                    Some(status) => {
                        out.insert(id.clone(), MeasureRecord { status, note });
                    }
                },
            }
        }
        if out.is_empty() && errs.is_empty() {
            errs.push(FieldError::new("measures", "required"));
        }
        if errs.is_empty() { Ok(out) } else { Err(errs) }
    }
}
