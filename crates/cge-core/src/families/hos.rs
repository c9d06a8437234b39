//! Heckscher–Ohlin–Samuelson model families (under construction).
