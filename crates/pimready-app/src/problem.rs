//! One error for both faces: a typed kind, one sentence, and a hint of what to do.
//!
//! Every lower-level error (sign-in, collection, history, snapshot, price book, files) is
//! mapped here once, by its variant, never by its text. The CLI turns a [`ProblemKind`]
//! into an exit code, the desktop into its IPC error `kind`; both match exhaustively.

use std::fmt;

use pimready_core::pricebook::PriceBookError;
use pimready_core::snapshot::SnapshotError;
use pimready_graph::auth::AuthError;
use pimready_graph::collect::CollectError;
use pimready_history::HistoryError;

/// What went wrong, in the terms a face needs to react to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The input (flag, field, file content) cannot be used as given.
    InvalidInput,
    /// The sign-in did not complete or is no longer accepted.
    SignInRequired,
    /// The tenant has not consented to the permissions this client asks for.
    ConsentRequired,
    /// The sign-in service could not be reached.
    SignInUnreachable,
    /// Microsoft Graph could not be reached.
    GraphUnreachable,
    /// Graph was reached but refused every read (a reader role or consent is missing).
    PermissionDenied,
    /// A report, snapshot or setting could not be written.
    Output,
    /// The history database or the saved sign-ins cannot be used.
    Storage,
    /// The user cancelled.
    Cancelled,
    /// A bug: something that should not fail did.
    Internal,
}

/// An error with its kind, a message and an optional hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Problem> = std::result::Result<T, E>;

impl Problem {
    pub fn new(kind: ProblemKind, message: impl Into<String>) -> Self {
        Problem {
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

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Problem::new(ProblemKind::InvalidInput, message)
    }

    pub fn output(message: impl Into<String>) -> Self {
        Problem::new(ProblemKind::Output, message)
    }

    pub fn cancelled() -> Self {
        Problem::new(ProblemKind::Cancelled, "Cancelled.")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Problem::new(ProblemKind::Internal, message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl From<&AuthError> for Problem {
    fn from(e: &AuthError) -> Self {
        use ProblemKind as K;
        let (kind, hint) = match e {
            AuthError::ConsentRequired { .. } => (
                K::ConsentRequired,
                Some(
                    "a Global Administrator or Privileged Role Administrator of the tenant must grant the read-only permissions listed in the README, or use --client-id with an app your tenant allows",
                ),
            ),
            AuthError::BrowserUnavailable(_) => (
                K::SignInRequired,
                Some("use --device-code to sign in on another device"),
            ),
            AuthError::RedirectUriNotRegistered { .. } => (
                K::SignInRequired,
                Some(
                    "use --redirect-host localhost with this client id, or register http://127.0.0.1 in your own app (docs/sign-in.md)",
                ),
            ),
            AuthError::Timeout(_) => (
                K::SignInRequired,
                Some("the sign-in page was not completed in time; run the command again"),
            ),
            AuthError::TenantMismatch { .. } => (
                K::InvalidInput,
                Some(
                    "sign in with an account of that tenant (or a guest account in it), or check --tenant",
                ),
            ),
            AuthError::Network(_) => (
                K::SignInUnreachable,
                Some("check the network connection and --authority-host"),
            ),
            AuthError::Declined | AuthError::DeviceCodeExpired | AuthError::BadVerificationCode => {
                (
                    K::SignInRequired,
                    Some("run the command again and complete the sign-in"),
                )
            }
            AuthError::Io(_) => (K::Storage, None),
            AuthError::SignInRequired(_)
            | AuthError::AuthorizationFailed { .. }
            | AuthError::TokenRequestFailed { .. }
            | AuthError::InvalidResponse(_) => (K::SignInRequired, None),
        };
        Problem {
            kind,
            message: e.to_string(),
            hint: hint.map(str::to_owned),
        }
    }
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Self {
        Problem::from(&e)
    }
}

impl From<&CollectError> for Problem {
    fn from(e: &CollectError) -> Self {
        let message = e.to_string();
        match e {
            CollectError::SignIn(_) => Problem::new(ProblemKind::SignInRequired, message)
                .with_hint("sign in again (pimready signout --tenant X, then run the command again)"),
            CollectError::TenantMismatch { .. } => Problem::new(ProblemKind::InvalidInput, message)
                .with_hint("check --tenant, or sign in with an account of that tenant"),
            CollectError::Setup(_) => Problem::invalid_input(message),
            CollectError::Unreachable { .. } => Problem::new(ProblemKind::GraphUnreachable, message)
                .with_hint("check the network connection and --graph-host"),
            CollectError::NothingRead(_) => Problem::new(ProblemKind::PermissionDenied, message)
                .with_hint("the signed-in account needs a reader role in the tenant (e.g. Global Reader) and the consented read-only permissions"),
        }
    }
}

impl From<CollectError> for Problem {
    fn from(e: CollectError) -> Self {
        Problem::from(&e)
    }
}

impl From<&HistoryError> for Problem {
    fn from(e: &HistoryError) -> Self {
        let kind = match e {
            HistoryError::UnknownTenant(_)
            | HistoryError::AmbiguousTenant { .. }
            | HistoryError::DifferentTenants { .. }
            | HistoryError::NotFound(_)
            | HistoryError::TenantMismatch { .. } => ProblemKind::InvalidInput,
            HistoryError::NoDataDir
            | HistoryError::Io { .. }
            | HistoryError::NotHistory { .. }
            | HistoryError::Corrupt { .. }
            | HistoryError::NewerVersion { .. }
            | HistoryError::Unreadable { .. }
            | HistoryError::Sqlite(_) => ProblemKind::Storage,
        };
        Problem::new(kind, e.to_string())
    }
}

impl From<HistoryError> for Problem {
    fn from(e: HistoryError) -> Self {
        Problem::from(&e)
    }
}

impl From<SnapshotError> for Problem {
    fn from(e: SnapshotError) -> Self {
        let problem = match e {
            SnapshotError::Read { .. } => Problem::new(ProblemKind::Storage, e.to_string()),
            SnapshotError::Malformed { .. } | SnapshotError::Version { .. } => {
                Problem::invalid_input(e.to_string())
            }
        };
        problem.with_hint("collect the tenant again, or check the snapshot file was not edited")
    }
}

impl From<PriceBookError> for Problem {
    fn from(e: PriceBookError) -> Self {
        Problem::invalid_input(e.to_string()).with_hint(
            "fix the price book, or leave out --price-book to use the built-in list prices",
        )
    }
}
