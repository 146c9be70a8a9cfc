//! To-do lists and tasks (R-TODO-1).
