//! Symbolic route reasoning — not yet implemented.
