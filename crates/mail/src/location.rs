//! Where in a template source something went wrong: line and column, both counted from 1.

use std::fmt;

use serde::Serialize;

/// A position in a template part. `column` counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `source` (clamped to the source; a cut inside a
    /// character counts that character).
    pub fn at_offset(source: &str, offset: usize) -> Self {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Self { line, column }
    }

    /// The location of a MiniJinja error in `source`: from its byte range when it has one, else
    /// column 1 of its line, else nothing.
    pub(crate) fn of_error(source: &str, err: &minijinja::Error) -> Option<Self> {
        match (err.range(), err.line()) {
            (Some(range), _) => Some(Self::at_offset(source, range.start)),
            (None, Some(line)) => Some(Self { line, column: 1 }),
            (None, None) => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// `", line L, column C"` when there is a location, nothing otherwise (for error messages).
pub(crate) fn at(location: &Option<Location>) -> String {
    location.map(|l| format!(", {l}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_character_columns() {
        let src = "ab\nçd{{ x }\n";
        assert_eq!(Location::at_offset(src, 0), Location { line: 1, column: 1 });
        assert_eq!(Location::at_offset(src, 3), Location { line: 2, column: 1 });
        // `ç` is two bytes: `d` is byte 5 but column 2.
        assert_eq!(Location::at_offset(src, 5), Location { line: 2, column: 2 });
        assert_eq!(Location::at_offset(src, 4), Location { line: 2, column: 1 });
        assert_eq!(Location::at_offset(src, 999), Location { line: 3, column: 1 });
    }
}
