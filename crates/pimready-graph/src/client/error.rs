//! Typed Graph errors. Classification branches on HTTP status and Graph `error.code`,
//! never on message text (messages change and are localised).

use std::fmt;

use pimready_core::snapshot::GapReason;

/// What kind of failure a [`GraphError`] is: what the collector records as a gap reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphErrorKind {
    /// 400 `AadPremiumLicenseRequired`, 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant`.
    NotLicensed,
    /// 403 `Authorization_RequestDenied`.
    PermissionDenied,
    /// 404.
    NotFound,
    /// 401 even with a fresh token, or no token could be had.
    Unauthorized,
    /// The Graph host could not be connected to.
    Unreachable,
    /// Anything else: 5xx beyond the retry budget, malformed or wrongly shaped bodies,
    /// timeouts, dropped connections, refused nextLinks, loops.
    Error,
}

impl GraphErrorKind {
    /// The gap reason a dataset gets when it fails this way.
    pub fn gap_reason(self) -> GapReason {
        match self {
            GraphErrorKind::NotLicensed => GapReason::NotLicensed,
            GraphErrorKind::PermissionDenied | GraphErrorKind::Unauthorized => {
                GapReason::PermissionDenied
            }
            GraphErrorKind::NotFound => GapReason::NotFound,
            GraphErrorKind::Unreachable | GraphErrorKind::Error => GapReason::Error,
        }
    }
}

/// A failed Graph request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// Graph `error.code`, when the body had one.
    pub code: Option<String>,
    pub kind: GraphErrorKind,
    /// One human sentence (never contains the token).
    pub detail: String,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for GraphError {}

/// The kind of an HTTP error answer.
pub fn classify(status: u16, code: Option<&str>) -> GraphErrorKind {
    match (status, code) {
        (400, Some("AadPremiumLicenseRequired"))
        | (403, Some("Authentication_RequestFromNonPremiumTenantOrB2CTenant")) => {
            GraphErrorKind::NotLicensed
        }
        // Graph; Azure Resource Manager says `AuthorizationFailed`.
        (403, Some("Authorization_RequestDenied" | "AuthorizationFailed")) => {
            GraphErrorKind::PermissionDenied
        }
        (401, _) => GraphErrorKind::Unauthorized,
        (404, _) => GraphErrorKind::NotFound,
        _ => GraphErrorKind::Error,
    }
}

impl GraphError {
    /// A failure without an HTTP answer, or with an unusable one.
    pub fn other(status: Option<u16>, detail: impl Into<String>) -> Self {
        GraphError {
            status,
            code: None,
            kind: GraphErrorKind::Error,
            detail: detail.into(),
        }
    }

    /// An HTTP error answer; `body` is Graph's `{"error": {"code", "message"}}` if it parses.
    pub fn from_response(what: &str, status: u16, body: &[u8]) -> Self {
        let value: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        Self::from_value(what, status, value.as_ref())
    }

    /// Like [`GraphError::from_response`] for a body already parsed (inner `$batch` answers).
    pub fn from_value(what: &str, status: u16, body: Option<&serde_json::Value>) -> Self {
        let error = body.and_then(|v| v.get("error"));
        let code = error
            .and_then(|e| e.get("code"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let message: Option<String> = error
            .and_then(|e| e.get("message"))
            .and_then(serde_json::Value::as_str)
            .map(|m| m.chars().take(200).collect());
        let kind = classify(status, code.as_deref());
        let mut detail = format!("{what}: HTTP {status}");
        if let Some(c) = &code {
            detail.push(' ');
            detail.push_str(c);
        }
        if let Some(m) = message.filter(|m| !m.is_empty()) {
            detail.push_str(" (");
            detail.push_str(&m);
            detail.push(')');
        }
        GraphError {
            status: Some(status),
            code,
            kind,
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: u16, body: &str, expected: GraphErrorKind, expected_code: Option<&str>) {
        let e = GraphError::from_response("GET /v1.0/x", status, body.as_bytes());
        assert_eq!(
            (e.kind, e.code.as_deref(), e.status),
            (expected, expected_code, Some(status)),
            "{status} {body}"
        );
    }

    #[test]
    fn classification_table() {
        use GraphErrorKind::*;
        let body =
            |code: &str| format!(r#"{{"error":{{"code":"{code}","message":"whatever text"}}}}"#);
        check(
            400,
            &body("AadPremiumLicenseRequired"),
            NotLicensed,
            Some("AadPremiumLicenseRequired"),
        );
        check(
            403,
            &body("Authentication_RequestFromNonPremiumTenantOrB2CTenant"),
            NotLicensed,
            Some("Authentication_RequestFromNonPremiumTenantOrB2CTenant"),
        );
        check(
            403,
            &body("Authorization_RequestDenied"),
            PermissionDenied,
            Some("Authorization_RequestDenied"),
        );
        // The code decides, not the status alone nor the message.
        check(
            400,
            &body("Authorization_RequestDenied"),
            Error,
            Some("Authorization_RequestDenied"),
        );
        check(
            403,
            &body("AadPremiumLicenseRequired"),
            Error,
            Some("AadPremiumLicenseRequired"),
        );
        check(
            403,
            r#"{"error":{"code":"Forbidden","message":"AadPremiumLicenseRequired"}}"#,
            Error,
            Some("Forbidden"),
        );
        check(
            404,
            &body("Request_ResourceNotFound"),
            NotFound,
            Some("Request_ResourceNotFound"),
        );
        check(404, "", NotFound, None);
        check(
            401,
            &body("InvalidAuthenticationToken"),
            Unauthorized,
            Some("InvalidAuthenticationToken"),
        );
        check(500, &body("UnknownError"), Error, Some("UnknownError"));
        check(503, "<html>busy</html>", Error, None);
        check(400, r#"{"error":"not an object"}"#, Error, None);
    }

    #[test]
    fn detail_names_status_and_code() {
        let e = GraphError::from_response("GET /v1.0/x", 403, br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#);
        assert_eq!(
            e.detail,
            "GET /v1.0/x: HTTP 403 Authorization_RequestDenied (Insufficient privileges)"
        );
        assert_eq!(e.kind.gap_reason(), GapReason::PermissionDenied);
    }
}
