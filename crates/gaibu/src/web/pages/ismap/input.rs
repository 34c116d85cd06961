//! What the ISMAP page's form sends: a list file (multipart, under the route's larger body
//! limit) or the SHA-256 of one checked before, its kind and encoding, the columns chosen and
//! the action. Only the body of someone who keeps the lists is read.

use crate::error::{AppError, ErrorCode};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;

/// What the form sends.
#[derive(Default)]
pub(super) struct Input {
    pub kind: String,
    pub encoding: String,
    pub file: Option<(String, Vec<u8>)>,
    /// A file checked before: its SHA-256 and name.
    pub upload: String,
    pub file_name: String,
    pub map: Vec<(String, String)>,
    pub action: String,
    pub too_large: bool,
}

impl<S: Send + Sync> FromRequest<S> for Input {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        // Only the body of someone who keeps the lists is read (the handler refuses others).
        let allowed = req
            .extensions()
            .get::<crate::auth::CurrentUser>()
            .is_some_and(|u| gaibu_domain::ismap::permits_keeping(&u.actor).is_ok());
        if !allowed {
            return Ok(Input::default());
        }
        let malformed = || AppError::Refused(ErrorCode::MalformedForm);
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| malformed())?;
        let mut input = Input::default();
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
            let text = || String::from_utf8_lossy(&bytes).trim().to_string();
            match name.as_str() {
                // A file input left empty sends a part with no name and no bytes.
                "file" if !file_name.is_empty() || !bytes.is_empty() => {
                    input.file = Some((file_name, bytes.to_vec()));
                }
                "kind" => input.kind = text(),
                "encoding" => input.encoding = text(),
                "upload" => input.upload = text(),
                "file_name" => input.file_name = text(),
                "action" => input.action = text(),
                // `0` is the "not used" choice, kept: it overrides the guess.
                n if n.starts_with("map.") => {
                    let key = n.trim_start_matches("map.").to_string();
                    input.map.push((key, text()));
                }
                _ => {}
            }
        }
        Ok(input)
    }
}
