//! The pest binding. Nothing outside `syntax` sees pest types.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/lode.pest"]
pub(crate) struct LodeParser;

#[cfg(test)]
mod tests {
    use pest::Parser;

    use super::{LodeParser, Rule};
    use crate::syntax::KEYWORDS;

    /// Whether `rule` matches the whole of `word`.
    fn whole(rule: Rule, word: &str) -> bool {
        LodeParser::parse(rule, word).is_ok_and(|mut p| p.next().unwrap().as_str() == word)
    }

    /// The grammar's keyword rules (matched letter by letter for speed)
    /// accept exactly the words of `KEYWORDS`: each keyword, in any case
    /// for `ci_keyword`; no word one letter longer or shorter, which an
    /// ordered choice gets wrong when a keyword that begins another is
    /// tried first.
    #[test]
    fn keyword_rules_match_the_keyword_list() {
        for kw in KEYWORDS {
            assert!(whole(Rule::keyword, kw), "`{kw}` is a keyword");
            assert!(!whole(Rule::ident, kw), "`{kw}` is not a name");
            assert!(whole(Rule::ci_keyword, kw), "`{kw}`");
            assert!(
                whole(Rule::ci_keyword, &kw.to_uppercase()),
                "`{kw}` upper case"
            );
            let mut capital = kw.to_string();
            capital[..1].make_ascii_uppercase();
            assert!(whole(Rule::ci_keyword, &capital), "`{capital}`");
            let near = [
                format!("{kw}s"),
                format!("{kw}_"),
                format!("{kw}2"),
                kw[..kw.len() - 1].to_string(),
                format!("x{kw}"),
            ];
            for word in near {
                if word.is_empty() || KEYWORDS.contains(&word.as_str()) {
                    continue;
                }
                assert!(!whole(Rule::keyword, &word), "`{word}` is not a keyword");
                assert!(whole(Rule::ident, &word), "`{word}` is a name");
                let upper = word.to_uppercase();
                if upper != "MT" {
                    assert!(!whole(Rule::ci_keyword, &upper), "`{upper}`");
                }
            }
        }
        // `Mt` is a unit in any case, and still a name in lower case.
        assert!(whole(Rule::ci_keyword, "Mt") && whole(Rule::ci_keyword, "mt"));
        assert!(!whole(Rule::keyword, "mt") && whole(Rule::ident, "mt"));
        // Names that no keyword begins with, and one that is only a letter.
        for word in ["ha", "iron", "nickel", "platinum", "zinc", "w"] {
            assert!(whole(Rule::ident, word) && !whole(Rule::keyword, word));
        }
    }
}
