//! What joining and leaving do to records (R-JOIN-1, R-DEL-1, R-ARC-1).
