//! Tests of the factor-mobility families.
