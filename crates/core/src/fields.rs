//! Field-level validation errors, shared by every parsed type and reported as 422 `errors[]`.
use serde::Serialize;

/// One invalid field: which one, and a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Collects the errors of every field of a request before answering, so a form shows them all.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.to_owned(), message: message.into() });
    }

    /// Parses one field, recording the error under `field` and returning `None` on failure.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The field of the first error: a form with errors puts the focus there (`autofocus`).
    pub fn first_field(&self) -> Option<&str> {
        self.0.first().map(|e| e.field.as_str())
    }

    /// The message for one field, for templates that show it next to the input.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}
