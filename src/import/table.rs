//! A CSV reader that keeps every field's place in the text, so a
//! diagnostic can point at the exact cell (the `csv` crate gives a record's
//! position, not its fields'). RFC 4180: fields separated by commas, records
//! by `\n` or `\r\n`; a field in double quotes may hold commas, newlines and
//! `""` for a quote. A UTF-8 byte-order mark before the header is skipped.

use std::borrow::Cow;
use std::ops::Range;

/// One field: where its text is, without the quotes around it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The field's text in the file (inside the quotes, when quoted).
    pub inner: Range<usize>,
    /// The whole field as written, quotes included.
    pub outer: Range<usize>,
    /// Quoted with `""` inside: the text must be unescaped.
    escaped: bool,
}

impl Field {
    /// The field's value, surrounding blanks removed.
    pub fn value<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let raw = &text[self.inner.clone()];
        if self.escaped {
            Cow::Owned(raw.replace("\"\"", "\"").trim().to_string())
        } else {
            Cow::Borrowed(raw.trim())
        }
    }
}

/// A record: its 1-based line and its fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    pub line: usize,
    /// The record as written, without its line end.
    pub span: Range<usize>,
    pub fields: Vec<Field>,
}

/// A quote that is never closed: the text from there on is one field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unclosed {
    pub line: usize,
    pub at: usize,
}

pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Reader { text, pos, line: 1 }
    }

    /// Reads the next record that is not blank into `rec` (its buffer is
    /// reused); `Ok(false)` at the end of the text.
    pub fn next_into(&mut self, rec: &mut Record) -> Result<bool, Unclosed> {
        let bytes = self.text.as_bytes();
        loop {
            if self.pos >= bytes.len() {
                return Ok(false);
            }
            rec.fields.clear();
            rec.line = self.line;
            let start = self.pos;
            let mut i = self.pos;
            loop {
                // One field starting at `i`.
                let field_start = i;
                if bytes.get(i) == Some(&b'"') {
                    let open = i;
                    i += 1;
                    let mut escaped = false;
                    loop {
                        match bytes.get(i) {
                            None => {
                                return Err(Unclosed {
                                    line: rec.line,
                                    at: open,
                                });
                            }
                            Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                                escaped = true;
                                i += 2;
                            }
                            Some(b'"') => break,
                            Some(b'\n') => {
                                self.line += 1;
                                i += 1;
                            }
                            Some(_) => i += 1,
                        }
                    }
                    let inner = open + 1..i;
                    i += 1; // the closing quote
                    // Anything between the closing quote and the separator
                    // (`"a" ,`) belongs to the field as written.
                    while let Some(&b) = bytes.get(i) {
                        if b == b',' || b == b'\n' || b == b'\r' {
                            break;
                        }
                        i += 1;
                    }
                    rec.fields.push(Field {
                        inner,
                        outer: field_start..i,
                        escaped,
                    });
                } else {
                    while let Some(&b) = bytes.get(i) {
                        if b == b','
                            || b == b'\n'
                            || (b == b'\r' && bytes.get(i + 1) == Some(&b'\n'))
                        {
                            break;
                        }
                        i += 1;
                    }
                    rec.fields.push(Field {
                        inner: field_start..i,
                        outer: field_start..i,
                        escaped: false,
                    });
                }
                match bytes.get(i) {
                    Some(b',') => i += 1,
                    Some(b'\r') => {
                        rec.span = start..i;
                        i += if bytes.get(i + 1) == Some(&b'\n') {
                            2
                        } else {
                            1
                        };
                        break;
                    }
                    Some(b'\n') => {
                        rec.span = start..i;
                        i += 1;
                        break;
                    }
                    _ => {
                        rec.span = start..i;
                        break;
                    }
                }
            }
            self.pos = i;
            self.line += 1;
            let blank = rec.fields.len() == 1 && self.text[rec.span.clone()].trim().is_empty();
            if !blank {
                return Ok(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<(usize, Vec<String>)> {
        let mut r = Reader::new(text);
        let mut rec = Record::default();
        let mut out = Vec::new();
        while r.next_into(&mut rec).unwrap() {
            out.push((
                rec.line,
                rec.fields
                    .iter()
                    .map(|f| f.value(text).into_owned())
                    .collect(),
            ));
        }
        out
    }

    #[test]
    fn plain_quoted_and_blank_lines() {
        let text = "\u{feff}a,b,c\r\n1,\"x, \"\"y\"\"\",3\n\n4,\"multi\nline\",6";
        assert_eq!(
            all(text),
            vec![
                (1, vec!["a".into(), "b".into(), "c".into()]),
                (2, vec!["1".into(), "x, \"y\"".into(), "3".into()]),
                (4, vec!["4".into(), "multi\nline".into(), "6".into()]),
            ]
        );
    }

    #[test]
    fn field_spans_point_into_the_text() {
        let text = "t,i\n2024,\"842\"\n";
        let mut r = Reader::new(text);
        let mut rec = Record::default();
        assert!(r.next_into(&mut rec).unwrap());
        assert!(r.next_into(&mut rec).unwrap());
        assert_eq!(&text[rec.fields[0].outer.clone()], "2024");
        assert_eq!(&text[rec.fields[1].outer.clone()], "\"842\"");
        assert_eq!(&text[rec.fields[1].inner.clone()], "842");
        assert_eq!(&text[rec.span.clone()], "2024,\"842\"");
        assert!(!r.next_into(&mut rec).unwrap());
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let text = "a,b\n1,\"open\n";
        let mut r = Reader::new(text);
        let mut rec = Record::default();
        assert!(r.next_into(&mut rec).unwrap());
        assert_eq!(r.next_into(&mut rec), Err(Unclosed { line: 2, at: 6 }));
    }
}
