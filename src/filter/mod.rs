//! The display filter: parser and evaluator.
