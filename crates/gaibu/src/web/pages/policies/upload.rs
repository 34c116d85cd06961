//! What the load form sends: a policy file (multipart, under the pages' default body limit)
//! or TOML pasted into the text area (in the same multipart form, or as a plain url-encoded
//! form), and the one text that is loaded from it.

use super::super::FormPairs;
use crate::error::{AppError, ErrorCode};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use gaibu_domain::FieldError;

/// The largest policy file taken (the shipped ones are a few KiB). The route reads bodies up
/// to [`BODY_LIMIT`], so a file over this one is read to its end and refused at its field,
/// never by a connection closed under the sender.
pub const MAX_POLICY_BYTES: usize = 1024 * 1024;
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The form's input, as the user gave it.
#[derive(Debug, Default)]
pub struct LoadInput {
    /// The chosen file: its name and bytes (`None` when the file field was left empty).
    pub file: Option<(String, Vec<u8>)>,
    /// The pasted text.
    pub pasted: String,
    /// The body passed the size limit: the file is too large.
    pub too_large: bool,
}

/// The text to load and the field it came from (`file` or `content`), or why there is none.
pub struct Source {
    pub field: &'static str,
    pub text: String,
}

impl LoadInput {
    /// The name of the chosen file, if one was.
    pub fn file_name(&self) -> &str {
        self.file.as_ref().map(|(n, _)| n.as_str()).unwrap_or("")
    }

    /// The text to load: the file when one was chosen, else the pasted text.
    pub fn source(&self) -> Result<Source, FieldError> {
        if self.too_large {
            return Err(FieldError::new("file", "file_too_large"));
        }
        if let Some((_, bytes)) = &self.file {
            if bytes.is_empty() {
                return Err(FieldError::new("file", "empty_file"));
            }
            return policy_text(bytes)
                .map(|text| Source {
                    field: "file",
                    text,
                })
                .ok_or_else(|| FieldError::new("file", "policy_not_text"));
        }
        if self.pasted.trim().is_empty() {
            return Err(FieldError::new("file", "policy_file_required"));
        }
        policy_text(self.pasted.as_bytes())
            .map(|text| Source {
                field: "content",
                text,
            })
            .ok_or_else(|| FieldError::new("content", "policy_not_text"))
    }
}

/// The bytes as a policy's text: UTF-8 (a leading byte-order mark dropped), no control
/// characters but line breaks and tabs, lines ending in `\n`. `None` for anything else (a
/// spreadsheet, a PDF, a text in Shift_JIS).
pub fn policy_text(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).ok()?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return None;
    }
    Some(text.replace("\r\n", "\n"))
}

fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

impl<S: Send + Sync> FromRequest<S> for LoadInput {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        // Only a CISO's body is read: anyone else is refused by the handler (and audited)
        // without the server taking in up to the route's 4 MiB first.
        let ciso = req
            .extensions()
            .get::<crate::auth::CurrentUser>()
            .is_some_and(|u| u.has_role(gaibu_domain::role::Role::Ciso));
        if !ciso {
            return Ok(LoadInput::default());
        }
        if !is_multipart(&req) {
            let form = FormPairs::from_request(req, state).await?;
            return Ok(LoadInput {
                pasted: form.get("content").to_string(),
                ..Default::default()
            });
        }
        let malformed = || AppError::Refused(ErrorCode::MalformedForm);
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| malformed())?;
        let mut input = LoadInput::default();
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    input.too_large = true;
                    break;
                }
                Err(_) => return Err(malformed()),
            };
            let name = field.name().unwrap_or("").to_string();
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = match field.bytes().await {
                Ok(b) => b,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    input.too_large = true;
                    break;
                }
                Err(_) => return Err(malformed()),
            };
            if bytes.len() > MAX_POLICY_BYTES {
                input.too_large = true;
                continue;
            }
            match name.as_str() {
                // A file input left empty sends a part with no name and no bytes.
                "file" if !file_name.is_empty() || !bytes.is_empty() => {
                    input.file = Some((file_name, bytes.to_vec()));
                }
                "content" => input.pasted = String::from_utf8_lossy(&bytes).into_owned(),
                _ => {}
            }
        }
        Ok(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_utf8_text_is_a_policy_text() {
        assert_eq!(
            policy_text(b"kind = \"x\"\r\n").as_deref(),
            Some("kind = \"x\"\n")
        );
        assert_eq!(
            policy_text("\u{feff}title = \"版\"".as_bytes()).as_deref(),
            Some("title = \"版\"")
        );
        // Shift_JIS, a PDF's binary, a NUL.
        assert_eq!(policy_text(&[0x94, 0xc5]), None);
        assert_eq!(policy_text(b"%PDF-1.4\n\x00\x01"), None);
        assert_eq!(policy_text(b"a\x00b"), None);
    }

    #[test]
    fn the_file_wins_over_the_pasted_text() {
        let both = LoadInput {
            file: Some(("p.toml".into(), b"kind = 1".to_vec())),
            pasted: "kind = 2".into(),
            too_large: false,
        };
        let s = both.source().map_err(|e| e.code);
        assert_eq!(
            s.as_ref().map(|s| (s.field, s.text.as_str())),
            Ok(("file", "kind = 1"))
        );
        let pasted = LoadInput {
            pasted: "kind = 2".into(),
            ..Default::default()
        };
        assert_eq!(
            pasted.source().map(|s| s.field).map_err(|e| e.code),
            Ok("content")
        );
        let none = LoadInput::default();
        assert_eq!(
            none.source()
                .map(|s| s.field)
                .map_err(|e| (e.field, e.code)),
            Err(("file".to_string(), "policy_file_required"))
        );
        let empty = LoadInput {
            file: Some(("p.toml".into(), Vec::new())),
            ..Default::default()
        };
        assert_eq!(
            empty.source().map(|s| s.field).map_err(|e| e.code),
            Err("empty_file")
        );
    }
}
