//! Integration tests.

mod desktop;
