//! Country codes of trade tables → the ISO 3166-1 alpha-2 codes world2024
//! declares.
//!
//! The ISO tables come from the `celes` crate (alpha-3 and numeric). On top
//! of ISO, the codes the two sources use for themselves:
//!
//! | source | code | meaning | mapped to |
//! |---|---|---|---|
//! | Comtrade | `W00` | World (the reporter's total) | the total, never a partner |
//! | Comtrade | `_X` | Areas, nes | left to the pooled market, silently |
//! | Comtrade | `S19` | Other Asia, nes | `TW` (see below) |
//! | BACI | `0` | World | the total, never a partner |
//! | BACI | `251` | France (with Monaco) | `FR` |
//! | BACI | `381` | Italy (with San Marino) | `IT` |
//! | BACI | `579` | Norway (with Svalbard and Jan Mayen) | `NO` |
//! | BACI | `699` | India | `IN` |
//! | BACI | `757` | Switzerland (with Liechtenstein) | `CH` |
//! | BACI | `842` | USA (with Puerto Rico and the US Virgin Islands) | `US` |
//! | BACI | `490` | Other Asia, nes | `TW` (see below) |
//!
//! The BACI codes are those of BACI's `country_codes` file, which gives
//! each of them the ISO alpha-3 code in the last column (FRA, ITA, NOR, IND,
//! CHE, USA); for 490 it gives `S19` and no alpha-2 code. UN Comtrade does
//! not list Taiwan as a country: its trade is reported under 490 "Other
//! Asia, nes", which in practice is Taiwan alone, and BACI inherits that.
//! lode maps it to `TW` rather than dropping the world's largest buyer of
//! some refined metals. Every other code that ISO does not know (BACI's
//! historical 58 "Belgium-Luxembourg" and 711 "Southern African Customs
//! Union", Comtrade's "Bunkers", "Free Zones", "Special Categories", a
//! group such as the EU) maps to no country: it is reported once, never
//! guessed, and its imports stay in the pooled market.

use std::collections::HashSet;
use std::sync::OnceLock;

/// What a code in a trade table stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// A country world2024 declares, by its alpha-2 code.
    Country(&'static str),
    /// The World row: a reporter's total imports.
    World,
    /// An area that is not a country (`Areas, nes`): counted in the total,
    /// named nowhere, without a warning.
    Area,
    /// No country: reported once.
    Unknown,
}

/// The actor codes world2024 declares (`actor XX "Name" …`, one a line).
fn world_codes() -> &'static HashSet<&'static str> {
    static CODES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        crate::data::WORLD2024
            .lines()
            .filter_map(|l| l.strip_prefix("actor "))
            .filter_map(|rest| rest.split([' ', ',']).next())
            .collect()
    })
}

/// `celes` knows a few codes world2024 does not (Kosovo's user-assigned
/// `XK`); those are no country here.
fn declared(alpha2: &'static str) -> Party {
    if world_codes().contains(alpha2) {
        Party::Country(alpha2)
    } else {
        Party::Unknown
    }
}

/// A Comtrade ISO alpha-3 code (`reporterISO`, `partnerISO`).
pub fn comtrade(code: &str) -> Party {
    let code = code.trim();
    match code.to_ascii_uppercase().as_str() {
        "W00" => Party::World,
        "_X" => Party::Area,
        "S19" => declared("TW"),
        // Alpha-3 codes only: celes would also take a numeric string.
        c if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
            match celes::Country::from_alpha3(c) {
                Ok(country) => declared(country.alpha2),
                Err(_) => Party::Unknown,
            }
        }
        _ => Party::Unknown,
    }
}

/// A BACI numeric code (`i`, `j`): UN M49 with BACI's own codes.
pub fn baci(code: &str) -> Party {
    let Ok(n) = code.trim().parse::<usize>() else {
        return Party::Unknown;
    };
    match n {
        0 => Party::World,
        251 => declared("FR"),
        381 => declared("IT"),
        579 => declared("NO"),
        699 => declared("IN"),
        757 => declared("CH"),
        842 => declared("US"),
        490 => declared("TW"),
        n => match celes::Country::from_value(n) {
            Ok(country) => declared(country.alpha2),
            Err(_) => Party::Unknown,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world2024_declares_every_iso_country() {
        // 249 officially assigned ISO 3166-1 codes (iso-codes 4.15).
        assert_eq!(world_codes().len(), 249);
        for c in ["CN", "JP", "US", "TW", "CD", "FR"] {
            assert!(world_codes().contains(c), "{c}");
        }
    }

    #[test]
    fn comtrade_alpha3_codes() {
        assert_eq!(comtrade("JPN"), Party::Country("JP"));
        assert_eq!(comtrade("chn"), Party::Country("CN"));
        assert_eq!(comtrade(" RUS "), Party::Country("RU"));
        assert_eq!(comtrade("COD"), Party::Country("CD"));
        assert_eq!(comtrade("W00"), Party::World);
        assert_eq!(comtrade("_X"), Party::Area);
        // Other Asia, nes: Taiwan in practice.
        assert_eq!(comtrade("S19"), Party::Country("TW"));
        // Kosovo: celes knows it, world2024 (ISO 3166-1 proper) does not.
        assert_eq!(comtrade("XKX"), Party::Unknown);
        assert_eq!(comtrade("EUR"), Party::Unknown);
        assert_eq!(comtrade("392"), Party::Unknown);
        assert_eq!(comtrade(""), Party::Unknown);
    }

    #[test]
    fn baci_numeric_codes() {
        assert_eq!(baci("392"), Party::Country("JP"));
        assert_eq!(baci("156"), Party::Country("CN"));
        assert_eq!(baci("4"), Party::Country("AF"));
        assert_eq!(baci("004"), Party::Country("AF"));
        assert_eq!(baci("608"), Party::Country("PH"));
        // BACI's own codes.
        assert_eq!(baci("842"), Party::Country("US"));
        assert_eq!(baci("251"), Party::Country("FR"));
        assert_eq!(baci("381"), Party::Country("IT"));
        assert_eq!(baci("579"), Party::Country("NO"));
        assert_eq!(baci("699"), Party::Country("IN"));
        assert_eq!(baci("757"), Party::Country("CH"));
        assert_eq!(baci("490"), Party::Country("TW"));
        // The ISO codes of the same countries work too.
        assert_eq!(baci("840"), Party::Country("US"));
        assert_eq!(baci("250"), Party::Country("FR"));
        // Aggregates and historical codes are no country.
        assert_eq!(baci("0"), Party::World);
        assert_eq!(baci("58"), Party::Unknown);
        assert_eq!(baci("711"), Party::Unknown);
        assert_eq!(baci("NA"), Party::Unknown);
    }
}
