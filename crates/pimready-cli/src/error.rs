//! CLI errors: one clear sentence plus a hint, and a meaningful exit code.

use std::fmt;

/// Exit codes (a contract): 0 done, 2 usage, 3 sign-in, 4 collection failed entirely,
/// 5 output could not be written, 6 a change of `pimready apply` failed (and was rolled back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Usage = 2,
    SignIn = 3,
    Collection = 4,
    Output = 5,
    Apply = 6,
}

#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn usage(message: impl Into<String>) -> Self {
        CliError::new(Exit::Usage, message)
    }

    pub fn output(message: impl Into<String>) -> Self {
        CliError::new(Exit::Output, message)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

impl From<pimready_app::Problem> for CliError {
    fn from(p: pimready_app::Problem) -> Self {
        use pimready_app::ProblemKind as K;
        let exit = match p.kind {
            K::InvalidInput | K::Storage | K::Cancelled | K::Internal => Exit::Usage,
            K::SignInRequired | K::ConsentRequired | K::SignInUnreachable => Exit::SignIn,
            K::GraphUnreachable | K::PermissionDenied => Exit::Collection,
            K::Output => Exit::Output,
        };
        CliError {
            exit,
            message: p.message,
            hint: p.hint,
        }
    }
}
