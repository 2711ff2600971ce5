//! Tenant emulator.
