//! The data sets embedded in the binary.

/// `world2024`: every country, the common groups, and the critical minerals
/// with sourced 2024 shares (see `data/world2024.lode`).
pub const WORLD2024: &str = include_str!("../data/world2024.lode");

/// Name and text of every embedded data set.
pub const DATASETS: &[(&str, &str)] = &[("world2024", WORLD2024)];

pub fn dataset(name: &str) -> Option<&'static str> {
    DATASETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
