//! Tests of the parsing layer: real AWS lines, hand-made edge cases, property tests.

mod aws_examples;
mod edge_cases;
mod objects;
mod prop;
