//! `lode data world2024 --coverage`: the figures are those of
//! `data/gen/minerals.lode`, added up here by hand.

use std::process::Command;

use lode::coverage::{self, Labels, MineralCoverage};

fn mineral<'a>(c: &'a coverage::Coverage, name: &str) -> &'a MineralCoverage {
    c.minerals.iter().find(|m| m.name == name).unwrap()
}

fn named(m: &MineralCoverage, line: &str) -> (f64, usize) {
    let l = m.lines.iter().find(|l| l.line == line).unwrap();
    (l.named, l.countries)
}

#[test]
fn rare_earths_coverage_by_hand() {
    let c = coverage::dataset("world2024").unwrap_or_else(|_| panic!("world2024 compiles"));
    let re = mineral(&c, "rare_earths");
    let lines: Vec<&str> = re.lines.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(lines, ["mining", "refining", "magnets", "demand"]);
    let close = |(v, n): (f64, usize), want: f64, countries: usize| {
        assert!((v - want).abs() < 1e-9, "{v} != {want}");
        assert_eq!(n, countries);
    };
    // mining: CN 68.5 + US 11.4 + MM 7.9 + AU 3.3 + NG 3.3 + TH 3.3 + IN 0.7
    // + RU 0.6 + MG 0.5 + VN 0.1 = 99.6% in 10 countries (ROW 0.4% named
    // explicitly, not a country).
    close(named(re, "mining"), 0.996, 10);
    // refining: CN 91.3 + MY 4.5 + US 1.2 = 97.0%.
    close(named(re, "refining"), 0.970, 3);
    // magnets: CN 87 + JP 6 = 93%.
    close(named(re, "magnets"), 0.93, 2);
    // demand: CN 67.4 + JP 6.7 + DE 4.0 + US 2.4 + KR 1.8 + VN 1.5 + TH 1.2
    // + IT 0.9 = 85.9%.
    close(named(re, "demand"), 0.859, 8);

    // Six figures: volume (IEA, no label), mining (USGS, no label),
    // refining (IEA, no label), magnets ([S] three times, [U] twice),
    // demand ([D], [S], [U]), `JP sources refining` ([S]).
    assert_eq!(re.figures, 6);
    assert_eq!(
        re.labels,
        Labels {
            verified: 0,
            secondary: 3,
            derived: 1,
            unverified: 2,
            none: 3,
        }
    );

    // G7 (7) + AU, IN, KR, MX + the EU's 27, less DE, FR and IT counted
    // in the G7: 35 countries. Rare-earth demand names JP, DE, US, KR and
    // IT among them, so 30 have no figure.
    assert_eq!(c.coalition.len(), 35);
    assert_eq!(re.no_demand.len(), 30);
    for code in ["JP", "DE", "US", "KR", "IT", "CN"] {
        assert!(!re.no_demand.contains(&code.to_string()), "{code}");
    }
    for code in ["FR", "GB", "CA", "AU", "IN", "MX", "PL", "SE"] {
        assert!(re.no_demand.contains(&code.to_string()), "{code}");
    }
}

/// Germanium has no demand line: all of its demand is ROW, and no
/// coalition member has a figure.
#[test]
fn a_mineral_without_demand_line() {
    let c = coverage::dataset("world2024").unwrap_or_else(|_| panic!("world2024 compiles"));
    let ge = mineral(&c, "germanium");
    // refining: CN 60%, the one figure, cited with four [U] sources.
    assert_eq!(named(ge, "refining"), (0.6, 1));
    assert_eq!(named(ge, "demand"), (0.0, 0));
    assert_eq!(ge.figures, 1);
    assert_eq!(ge.labels.unverified, 1);
    assert_eq!(ge.no_demand.len(), 35);
}

fn lode(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run lode");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_prints_aligned_tables() {
    let (code, out, err) = lode(&["data", "world2024", "--coverage"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.contains(&"mineral      line       named     ROW  countries"),
        "{out}"
    );
    assert!(
        lines.contains(&"rare_earths  mining     99.6%    0.4%         10"),
        "{out}"
    );
    assert!(
        lines.contains(&"             demand     85.9%   14.1%          8"),
        "{out}"
    );
    assert!(
        lines.contains(&"rare_earths        6    0    3    1    2     3"),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("rare_earths     30  AT AU BE")),
        "{out}"
    );

    // --coverage needs a data set; an unknown one is a usage error.
    assert_eq!(lode(&["data", "--coverage"]).0, 2);
    let (code, _, err) = lode(&["data", "world2025", "--coverage"]);
    assert_eq!(code, 2);
    assert!(err.contains("no data set `world2025`"), "{err}");
}
