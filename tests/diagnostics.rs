//! Every diagnostic code has a fixture in `tests/diagnostics/`; its rendered
//! diagnostics (theme and width pinned) are snapshots, reviewed by eye.

use std::path::Path;

use lode::diagnostic::{Code, Diag, Style, render_all};
use lode::eval::{self, EvalOptions};
use lode::pipeline::{self, Input};

/// What `lode run` prints to stderr for a file: errors, or warnings.
fn diagnose(path: &Path) -> String {
    let root = Path::new("tests/diagnostics");
    match pipeline::compile(
        Input::File(path),
        &lode::loader::FsLoader::for_file(path, Some(root)),
    ) {
        Ok(c) => {
            let ev = eval::evaluate(&c.checked, &c.sources, &EvalOptions::default());
            let mut all: Vec<Diag> = c.warnings.clone();
            all.extend(ev.warnings);
            render_all(&all, &c.sources, Style::plain())
        }
        Err(f) => render_all(&f.diags, &f.sources, Style::plain()),
    }
}

fn relative(path: &Path) -> &Path {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).unwrap_or(path)
}

#[test]
fn every_fixture_renders_its_diagnostic() {
    insta::glob!("diagnostics/*.lode", |path| {
        let out = diagnose(relative(path));
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(env!("CARGO_MANIFEST_DIR"), "[ROOT]");
        settings.bind(|| insta::assert_snapshot!(out));
    });
}

/// The fixture named after a code produces that code.
#[test]
fn every_code_has_a_fixture_that_produces_it() {
    // Limits that need generated input are covered in tests/limits.rs;
    // the codes of `lode import`, about trade tables rather than programs,
    // in tests/import.rs.
    let generated = [
        Code::FileTooLarge,
        Code::TooMany,
        Code::ImportColumn,
        Code::ImportNoRows,
        Code::ImportNumber,
        Code::ImportShape,
        Code::ImportOption,
        Code::ImportUnmapped,
        Code::ImportMissing,
    ];
    for code in Code::ALL {
        if generated.contains(code) {
            continue;
        }
        let short = &code.as_str()[6..];
        let dir = Path::new("tests/diagnostics");
        let fixture = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with(short) || (short == "W0304" && n.starts_with("W0303"))
                })
            })
            .unwrap_or_else(|| panic!("no fixture for {code}"));
        let out = diagnose(&fixture);
        assert!(
            out.contains(code.as_str()),
            "{} does not produce {code}:\n{out}",
            fixture.display()
        );
    }
}

/// One run reports every independent error (SPEC §6).
#[test]
fn independent_errors_are_all_reported() {
    let out = diagnose(Path::new("tests/diagnostics/many_errors.lode"));
    for code in [
        "lode::E0202",
        "lode::E0201",
        "lode::E0401",
        "lode::E0402",
        "lode::E0206",
    ] {
        assert!(out.contains(code), "missing {code} in:\n{out}");
    }
}

/// An unknown actor in a share list does not hide that the list is over
/// 100% (SPEC §6), and a file with its own data is told why world2024's
/// names are unknown.
#[test]
fn share_sums_are_checked_even_with_unknown_actors() {
    let out = diagnose(Path::new("tests/diagnostics/E0201_world_not_loaded.lode"));
    assert!(out.contains("lode::E0301"), "{out}");
    assert!(out.contains("shares add up to 110%"), "{out}");
    assert!(
        out.contains("this file declares its own data, so world2024 is not loaded"),
        "{out}"
    );
}
