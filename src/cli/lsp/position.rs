//! LSP positions are (line, UTF-16 code unit) pairs; lode's spans are byte
//! offsets. The conversion happens here and nowhere else.

use lsp_types::{Position, Range};

/// Where each line of a text starts. Lines end at `\n`, `\r\n` or a lone
/// `\r`, as LSP and lode's grammar both say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// The byte range of line `line` without its line ending.
    fn line(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.starts.get(line).copied().unwrap_or(text.len());
        let mut end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len())
            .max(start);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        (start, end)
    }

    /// The position of byte `offset` (clamped to the text, and back to a
    /// character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let (start, end) = self.line(text, line);
        let upto = offset.min(end).max(start);
        let character: usize = text[start..upto].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of `pos`. A character past the end of its line is
    /// the end of the line, a line past the end of the text is its end, and
    /// a position inside a surrogate pair is the start of that character.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let (start, end) = self.line(text, line);
        let mut units = 0usize;
        for (i, c) in text[start..end].char_indices() {
            let next = units + c.len_utf16();
            if next > pos.character as usize {
                return start + i;
            }
            units = next;
        }
        end
    }

    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `é` is one UTF-16 unit and two bytes; `🙂` two units and four bytes.
    #[test]
    fn columns_are_utf16_units() {
        let text = "é🙂x\r\nlet y\rz";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(x, 2 + 4);
        assert_eq!(idx.position(text, x), Position::new(0, 3)); // 1 + 2 units before x
        assert_eq!(idx.offset(text, Position::new(0, 3)), x);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(idx.offset(text, Position::new(0, 2)), 2);
        // `\r\n` and a lone `\r` both end a line.
        assert_eq!(
            idx.position(text, text.find('y').unwrap()),
            Position::new(1, 4)
        );
        assert_eq!(
            idx.position(text, text.find('z').unwrap()),
            Position::new(2, 0)
        );
        // Past the end of a line, and past the last line.
        assert_eq!(
            idx.offset(text, Position::new(1, 99)),
            text.find("let y").unwrap() + 5
        );
        assert_eq!(idx.offset(text, Position::new(9, 0)), text.len());
        // A byte offset inside a character counts from its start.
        assert_eq!(idx.position(text, 1), Position::new(0, 0));
    }
}
