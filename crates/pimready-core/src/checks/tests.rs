//! Table-driven check tests.
