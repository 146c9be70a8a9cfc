//! Projects and tags (R-PRJ-1).
