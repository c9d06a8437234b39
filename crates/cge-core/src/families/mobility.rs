//! Factor-mobility model families (under construction).
