//! contacts through HTTP.
