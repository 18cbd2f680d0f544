//! The one error type of the crate, with stable numeric codes that every binding maps.

use std::fmt;

/// Where in an input a problem was found: 1-based line and, when known, the column
/// (by name) and the byte offset from the start of the input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// 1-based line number in the input (0 when unknown).
    pub line: u64,
    /// The column (field) name, when the problem belongs to one.
    pub column: Option<String>,
    /// Byte offset from the start of the input, when known.
    pub byte: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column \"{c}\"")?;
        }
        if let Some(b) = self.byte {
            write!(f, " (byte {b})")?;
        }
        Ok(())
    }
}

/// Stable error codes: the numbers never change meaning between releases, so C, PHP,
/// Python and Node callers can switch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorCode {
    /// Bad input data or arguments (a malformed CSV, a wrong value kind, a bad option).
    InvalidInput = 1,
    /// A model file or byte string that is not a valid leadscore model.
    ModelFormat = 2,
    /// Too few rows or positives to train a trustworthy model.
    InsufficientData = 3,
    /// An operating-system I/O failure (file not found, permission denied, disk full).
    Io = 4,
    /// A column or field named by the caller does not exist.
    UnknownColumn = 5,
    /// Training failed numerically.
    Training = 6,
    /// No model for a tenant (and no fallback) in a store.
    NotFound = 7,
    /// A bug inside leadscore (an invariant did not hold).
    Internal = 99,
}

impl ErrorCode {
    /// The code's stable upper-snake-case name, as Node and the CLI print it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::ModelFormat => "MODEL_FORMAT",
            ErrorCode::InsufficientData => "INSUFFICIENT_DATA",
            ErrorCode::Io => "IO",
            ErrorCode::UnknownColumn => "UNKNOWN_COLUMN",
            ErrorCode::Training => "TRAINING",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// Every failure leadscore reports. Messages are one line and name the field, line or
/// byte at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed input data, located where possible.
    #[error("{at}: {message}")]
    Parse {
        /// Where the problem is.
        at: Location,
        /// What is wrong, in one line.
        message: String,
    },
    /// An invalid argument, option or value that has no file position.
    #[error("{0}")]
    InvalidInput(String),
    /// A value of the wrong kind for a field at scoring or training time.
    #[error("field \"{field}\": {message}")]
    InvalidValue {
        /// The raw field name.
        field: String,
        /// What is wrong with its value.
        message: String,
    },
    /// A column named by the caller (target, override, recipe) is not in the data.
    #[error("unknown column \"{name}\"{hint}")]
    UnknownColumn {
        /// The name that was asked for.
        name: String,
        /// A suggestion such as `; columns are: a, b, c`.
        hint: String,
    },
    /// A recipe that does not parse or does not fit the data: the line and column
    /// in the recipe text, and what was expected there.
    #[error("recipe line {line}, column {column}: {message}")]
    Recipe {
        /// 1-based line of the recipe.
        line: u32,
        /// 1-based column (in characters).
        column: u32,
        /// What is wrong, in one line.
        message: String,
        /// [`ErrorCode::UnknownColumn`] when the recipe names a column the data
        /// lacks, else [`ErrorCode::InvalidInput`].
        code: ErrorCode,
    },
    /// The bytes are not a readable leadscore model.
    #[error("model format: {0}")]
    ModelFormat(String),
    /// Too little data to train: the thresholds come from `TrainConfig`.
    #[error(
        "insufficient data: {rows} rows with {positives} positives; need at least {min_rows} rows and {min_positives} positives"
    )]
    InsufficientData {
        /// Rows available.
        rows: usize,
        /// Positive rows available.
        positives: usize,
        /// The `min_rows` that applied.
        min_rows: usize,
        /// The `min_positives` that applied.
        min_positives: usize,
    },
    /// The solver could not produce finite coefficients.
    #[error("training failed: {0}")]
    Training(String),
    /// A store has no model for the tenant and no fallback.
    #[error("no model \"{name}\" for tenant \"{tenant}\" and no fallback ({reason})")]
    ModelNotFound {
        /// The tenant asked for.
        tenant: String,
        /// The model name asked for.
        name: String,
        /// Why the tenant's own model could not answer.
        reason: String,
    },
    /// An I/O error, with the path it concerns.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// A broken internal invariant: please report it.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Parse { .. } | Error::InvalidInput(_) | Error::InvalidValue { .. } => {
                ErrorCode::InvalidInput
            }
            Error::UnknownColumn { .. } => ErrorCode::UnknownColumn,
            Error::Recipe { code, .. } => *code,
            Error::ModelFormat(_) => ErrorCode::ModelFormat,
            Error::InsufficientData { .. } => ErrorCode::InsufficientData,
            Error::Training(_) => ErrorCode::Training,
            Error::ModelNotFound { .. } => ErrorCode::NotFound,
            Error::Io { .. } => ErrorCode::Io,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Builds a [`Error::Parse`] at a line (and optional column name).
    pub fn parse(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Error::Parse {
            at: Location {
                line,
                column: column.map(str::to_owned),
                byte: None,
            },
            message: message.into(),
        }
    }

    /// Builds an [`Error::Io`] for a path.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    /// Builds an [`Error::UnknownColumn`] listing the columns that do exist.
    pub fn unknown_column<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Self {
        let known: Vec<&str> = known.into_iter().collect();
        let hint = if known.is_empty() {
            String::new()
        } else if known.len() <= 30 {
            format!("; columns are: {}", known.join(", "))
        } else {
            format!(
                "; columns include: {}, ... ({} in all)",
                known[..30].join(", "),
                known.len()
            )
        };
        Error::UnknownColumn {
            name: name.to_owned(),
            hint,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
