//! The one error that crosses into the UI: a stable `kind` the UI branches on, a human
//! message it shows, and what to do about it when the app knows better than the kind's
//! generic advice. Serialised as `{ "kind": "...", "message": "...", "hint"?: "..." }`.

use serde::Serialize;

/// Stable wire words; the UI's `switch (error.kind)` depends on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    SignInRequired,
    ConsentRequired,
    Network,
    NotLicensed,
    PermissionDenied,
    Io,
    InvalidInput,
    Cancelled,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// The `Problem`'s own hint; absent when there is none (the UI then shows the kind's
    /// generic advice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
        }
    }
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn io(what: &str, err: &std::io::Error) -> Self {
        Error::new(ErrorKind::Io, format!("{what}: {err}"))
    }
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }
    pub fn cancelled() -> Self {
        Error::new(ErrorKind::Cancelled, "Cancelled.")
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, message)
    }
}

impl From<pimready_core::snapshot::SnapshotError> for Error {
    fn from(err: pimready_core::snapshot::SnapshotError) -> Self {
        use pimready_core::snapshot::SnapshotError;
        let kind = match err {
            SnapshotError::Read { .. } => ErrorKind::Io,
            SnapshotError::Malformed { .. } | SnapshotError::Version { .. } => {
                ErrorKind::InvalidInput
            }
        };
        Error::new(kind, err.to_string())
    }
}

impl From<pimready_app::Problem> for Error {
    fn from(p: pimready_app::Problem) -> Self {
        use pimready_app::ProblemKind as K;
        let kind = match p.kind {
            K::InvalidInput => ErrorKind::InvalidInput,
            K::SignInRequired => ErrorKind::SignInRequired,
            K::ConsentRequired => ErrorKind::ConsentRequired,
            K::SignInUnreachable | K::GraphUnreachable => ErrorKind::Network,
            K::PermissionDenied => ErrorKind::PermissionDenied,
            K::Output | K::Storage => ErrorKind::Io,
            K::Cancelled => ErrorKind::Cancelled,
            K::Internal => ErrorKind::Internal,
        };
        Error {
            kind,
            message: p.message,
            hint: p.hint,
        }
    }
}

impl From<tauri::Error> for Error {
    fn from(err: tauri::Error) -> Self {
        Error::internal(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_is_pinned() {
        let cases = [
            (ErrorKind::SignInRequired, "sign_in_required"),
            (ErrorKind::ConsentRequired, "consent_required"),
            (ErrorKind::Network, "network"),
            (ErrorKind::NotLicensed, "not_licensed"),
            (ErrorKind::PermissionDenied, "permission_denied"),
            (ErrorKind::Io, "io"),
            (ErrorKind::InvalidInput, "invalid_input"),
            (ErrorKind::Cancelled, "cancelled"),
            (ErrorKind::Internal, "internal"),
        ];
        for (kind, word) in cases {
            let json = serde_json::to_value(Error::new(kind, "m")).unwrap();
            assert_eq!(json, serde_json::json!({ "kind": word, "message": "m" }));
        }
    }

    /// A `Problem`'s own hint crosses with it; the kind's generic advice is the UI's.
    #[test]
    fn a_problem_hint_crosses_the_boundary() {
        let problem = pimready_app::Problem::invalid_input("the journal is not valid")
            .with_hint("use the -journal.json file PIM Ready wrote, unedited");
        let json = serde_json::to_value(Error::from(problem)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "invalid_input",
                "message": "the journal is not valid",
                "hint": "use the -journal.json file PIM Ready wrote, unedited",
            })
        );
        let plain = Error::from(pimready_app::Problem::cancelled());
        assert_eq!(plain.hint, None);
    }
}
