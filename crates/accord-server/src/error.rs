//! Every error the service answers with: a status and
//! `{ "error": { "code", "message" } }`, never a stack trace. The messages
//! are the library's, the same the command line prints.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code for programs: `unauthenticated`, `forbidden`, ...
    pub code: &'static str,
    /// The message for people.
    pub message: String,
    /// Seconds to wait before retrying (503).
    pub retry_after: Option<u64>,
}

/// The body of an error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `unauthenticated`, `forbidden`, `not_found`,
    /// `refused`, `invalid_application`, `invalid_request`, `too_large`,
    /// `unsupported_media_type`, `busy`, `internal`.
    pub code: String,
    /// The message, as the command line would print it.
    pub message: String,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 401: no token, or one that authenticates no one.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    /// 422: a request whose parameters do not read.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 503 with `Retry-After`.
    pub fn busy(message: impl Into<String>) -> ApiError {
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message)
        }
    }

    /// 503: the register cannot be opened or reached; why (its location
    /// included) goes to the operator's log only.
    pub fn unreachable(err: accord_register::Error) -> ApiError {
        log(&err);
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the register cannot be reached: try again",
            )
        }
    }

    /// 500: something that should not happen; the message names it without internals.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<accord_register::Error> for ApiError {
    fn from(err: accord_register::Error) -> ApiError {
        use accord_register::Error as E;
        match err {
            E::Refused(m) if m.starts_with("no case `") => ApiError::not_found(m),
            E::Refused(m) => ApiError::new(StatusCode::CONFLICT, "refused", m),
            E::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
            E::Unauthenticated(m) => ApiError::unauthenticated(m),
            E::Corrupt(m) => ApiError::internal(format!("the register is damaged: {m}")),
            // The database's location (a path, a host, a user) and the
            // driver's words are for the operator's log, not for any caller:
            // /readyz answers without a token.
            E::Backend { .. } => ApiError::unreachable(err),
            E::NewerSchema { .. } => {
                log(&err);
                ApiError::internal("the register was written by a newer Accord")
            }
        }
    }
}

impl From<accord_core::Error> for ApiError {
    fn from(err: accord_core::Error) -> ApiError {
        match err {
            accord_core::Error::Rules(_) => ApiError::internal(err.to_string()),
            other => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_application",
                other.to_string(),
            ),
        }
    }
}

impl From<accord_app::DecideError> for ApiError {
    fn from(err: accord_app::DecideError) -> ApiError {
        match err {
            accord_app::DecideError::Input(e) => e.into(),
            gap @ accord_app::DecideError::Gap { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rule_gap", gap.to_string())
            }
        }
    }
}

impl From<accord_app::case::Error> for ApiError {
    fn from(err: accord_app::case::Error) -> ApiError {
        match err {
            accord_app::case::Error::Input(e) => e.into(),
            accord_app::case::Error::Decide(e) => e.into(),
            accord_app::case::Error::Register(e) => e.into(),
        }
    }
}

/// An error's full text on the service's standard error (the operator's log).
fn log(err: &dyn std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "accord serve: {err}");
}
