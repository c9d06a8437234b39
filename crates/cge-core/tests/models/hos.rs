//! Tests of the HOS families.
