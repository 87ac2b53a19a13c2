//! The data sets embedded in the binary.

/// `world2024`: every country, the common groups, and the critical minerals
/// with sourced 2024 shares (see `data/world2024.lode`).
pub const WORLD2024: &str = include_str!("../data/world2024.lode");

/// `policies2025`: China's export ban of 3 December 2024 and its
/// suspension, as dated statements (see `data/policies2025.lode`). It uses
/// world2024; its policies join `base` of the program that uses it.
pub const POLICIES2025: &str = include_str!("../data/policies2025.lode");

/// Name and text of every embedded data set.
pub const DATASETS: &[(&str, &str)] = &[("world2024", WORLD2024), ("policies2025", POLICIES2025)];

pub fn dataset(name: &str) -> Option<&'static str> {
    DATASETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
