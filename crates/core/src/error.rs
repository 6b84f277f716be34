//! The core's error type. Every message is written for the person using Herald and never
//! carries a secret or a whole contact record; `code()` is for front ends that branch on it.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem with one input field, shown next to that field in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", validation_summary(.0))]
    Validation(Vec<FieldError>),

    #[error("There is no workspace named “{0}”.")]
    WorkspaceNotFound(String),

    #[error("A workspace named “{0}” already exists.")]
    WorkspaceExists(String),

    #[error("No workspace is open. Create one or choose one first.")]
    NoWorkspace,

    #[error("To delete “{0}”, type its name exactly as shown.")]
    ConfirmationMismatch(String),

    #[error(
        "This workspace was made by a newer version of Herald (database schema {found}; this \
         version understands up to {supported}). Update Herald to open it. Nothing was changed."
    )]
    SchemaTooNew { found: u32, supported: u32 },

    #[error("{} is not a Herald workspace database. Nothing was changed.", .0.display())]
    NotAHeraldDatabase(PathBuf),

    #[error("The workspace database could not be used: {0}")]
    Database(#[from] rusqlite::Error),

    #[error("{} could not be {action}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("The system keychain could not be used: {0}")]
    Keychain(String),

    #[error("{message}")]
    Ses { kind: SesErrorKind, message: String },

    #[error(
        "The IT policy file {} is not valid, so Herald cannot tell which settings are managed. \
         Ask your IT department to fix it: {}", .path.display(), policy_problems(.problems)
    )]
    PolicyInvalid {
        path: PathBuf,
        problems: Vec<FieldError>,
    },

    #[error("There is no campaign with id {0}.")]
    CampaignNotFound(i64),

    #[error("A campaign that is {from} cannot be {}.", .to.verb())]
    IllegalTransition {
        from: crate::campaigns::CampaignStatus,
        to: crate::campaigns::CampaignStatus,
    },

    #[error("There is no template “{0}”.")]
    TemplateNotFound(String),

    #[error("“{0}” comes with Herald and cannot be changed. Duplicate it to make your own copy.")]
    TemplateReadOnly(String),

    #[error("{0}")]
    Template(crate::render::TemplateError),

    #[error("There is no asset “{0}”.")]
    AssetNotFound(String),

    #[error("{0}")]
    AssetRejected(String),

    #[error("“{asset}” is used by {}: {}. Remove it from them first, or delete anyway.",
        if .templates.len() == 1 { "a template" } else { "templates" }, .templates.join(", "))]
    AssetInUse {
        asset: String,
        templates: Vec<String>,
    },

    #[error("{0}")]
    Publishing(String),

    /// Another contact already has this address; `existing_id` lets a front end link to it.
    #[error("{}", .field[0].message)]
    DuplicateEmail {
        existing_id: i64,
        field: [FieldError; 1],
    },

    #[error("There is no {what} with id {id}. It may have been deleted.")]
    NotFound { what: &'static str, id: i64 },

    #[error("The import was cancelled. Nothing was changed.")]
    Cancelled,

    /// The pre-send review found problems that must be fixed first; one entry per problem,
    /// `field` being the review code (e.g. `sender_not_verified`).
    #[error("The campaign cannot be sent yet: {}", review_problems(.0))]
    ReviewBlocked(Vec<FieldError>),

    /// A capability that a later part of Herald provides (e.g. segment conditions on events).
    #[error("{0}")]
    NotAvailable(String),

    /// Herald Relay could not be reached or refused a call (events poll, registration).
    #[error("{message}")]
    Relay {
        kind: RelayErrorKind,
        message: String,
    },
}

/// What went wrong talking to Herald Relay, so a front end can point at the right setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayErrorKind {
    /// No relay URL or token is set for the workspace.
    NotConfigured,
    /// The relay refused the token.
    Unauthorized,
    /// Network, DNS, TLS or timeout.
    Unreachable,
    /// Anything else the relay answered.
    Service,
}

/// What went wrong talking to SES, so a front end can point at the right setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SesErrorKind {
    /// No credentials could be found anywhere in the chain.
    NoCredentials,
    /// No region is set and none could be found in the environment or profile.
    NoRegion,
    /// AWS rejected the key, signature or token.
    Auth,
    /// The credentials work but lack permission.
    Permission,
    /// Network, DNS, TLS or timeout.
    Unreachable,
    /// Anything else SES answered.
    Service,
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, message)])
    }

    /// A short stable code that front ends may branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::WorkspaceNotFound(_) => "workspace_not_found",
            Error::WorkspaceExists(_) => "workspace_exists",
            Error::NoWorkspace => "no_workspace",
            Error::ConfirmationMismatch(_) => "confirmation_mismatch",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::NotAHeraldDatabase(_) => "not_a_herald_database",
            Error::Database(_) => "database",
            Error::Io { .. } => "io",
            Error::Keychain(_) => "keychain",
            Error::PolicyInvalid { .. } => "policy_invalid",
            Error::CampaignNotFound(_) => "campaign_not_found",
            Error::IllegalTransition { .. } => "illegal_transition",
            Error::Ses { kind, .. } => match kind {
                SesErrorKind::NoCredentials => "ses_no_credentials",
                SesErrorKind::NoRegion => "ses_no_region",
                SesErrorKind::Auth => "ses_auth",
                SesErrorKind::Permission => "ses_permission",
                SesErrorKind::Unreachable => "ses_unreachable",
                SesErrorKind::Service => "ses_service",
            },
            Error::TemplateNotFound(_) => "template_not_found",
            Error::TemplateReadOnly(_) => "template_read_only",
            Error::Template(_) => "template",
            Error::AssetNotFound(_) => "asset_not_found",
            Error::AssetRejected(_) => "asset_rejected",
            Error::AssetInUse { .. } => "asset_in_use",
            Error::Publishing(_) => "publishing",
            Error::DuplicateEmail { .. } => "duplicate_email",
            Error::NotFound { .. } => "not_found",
            Error::Cancelled => "cancelled",
            Error::NotAvailable(_) => "not_available",
            Error::ReviewBlocked(_) => "review_blocked",
            Error::Relay { kind, .. } => match kind {
                RelayErrorKind::NotConfigured => "relay_not_configured",
                RelayErrorKind::Unauthorized => "relay_unauthorized",
                RelayErrorKind::Unreachable => "relay_unreachable",
                RelayErrorKind::Service => "relay_error",
            },
        }
    }

    /// Field-level problems, empty unless this is a validation error.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Error::Validation(fields) => fields,
            Error::PolicyInvalid { problems, .. } => problems,
            Error::DuplicateEmail { field, .. } => field,
            Error::ReviewBlocked(problems) => problems,
            _ => &[],
        }
    }

    /// The contact that already has the address, for a `duplicate_email` error.
    pub fn existing_contact_id(&self) -> Option<i64> {
        match self {
            Error::DuplicateEmail { existing_id, .. } => Some(*existing_id),
            _ => None,
        }
    }
}

fn validation_summary(fields: &[FieldError]) -> String {
    match fields {
        [one] => one.message.clone(),
        many => format!("{} fields need attention: {}", many.len(), {
            let names: Vec<&str> = many.iter().map(|f| f.field.as_str()).collect();
            names.join(", ")
        }),
    }
}

fn review_problems(problems: &[FieldError]) -> String {
    let each: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    each.join(" ")
}

fn policy_problems(problems: &[FieldError]) -> String {
    let each: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    each.join("; ")
}
