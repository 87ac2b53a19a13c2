//! Progress of long work, reported through a callback the host gives.
//!
//! The library only counts steps; a front end decides whether and how to
//! show them (the command line draws a bar on a terminal after a second).
//! Steps may be reported from several threads at once.

/// Receives progress reports. Every method has a do-nothing default.
pub trait Progress: Sync {
    /// `steps` units of work are about to start; `what` names them
    /// (`12 scenarios`).
    fn begin(&self, steps: usize, what: &str) {
        let _ = (steps, what);
    }

    /// One unit done (from any thread).
    fn step(&self) {}

    /// All done.
    fn finish(&self) {}
}

/// Reports to no one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
