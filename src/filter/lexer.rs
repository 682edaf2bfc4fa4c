//! Splits filter text into tokens, each with its 1-based char column.
//!
//! Like Wireshark's scanner, a value such as `10.0.3.0/24`, `aa:bb:cc:dd:ee:ff` or
//! `fe80::1` is one *word*: a run of letters, digits and `_ . : / -`. The parser decides
//! what a word means from the field it is compared with.

use super::error::FilterError;

/// Comparison operators, with Wireshark's multi-value meaning (see [`super::Field::is_multi`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    /// `==`, `eq`, `any_eq`: some value equals.
    Eq,
    /// `!=`, `ne`, `all_ne`: the field is present and no value equals.
    Ne,
    /// `===`, `all_eq`: the field is present and every value equals.
    AllEq,
    /// `!==`, `~=`, `any_ne`: some value differs.
    AnyNe,
    /// `<`, `lt`: some value is less.
    Lt,
    /// `<=`, `le`: some value is less or equal.
    Le,
    /// `>`, `gt`: some value is greater.
    Gt,
    /// `>=`, `ge`: some value is greater or equal.
    Ge,
}

impl CmpOp {
    /// The symbol used when printing a filter back.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::AllEq => "===",
            CmpOp::AnyNe => "!==",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Is this an ordering (`<`, `<=`, `>`, `>=`) rather than an equality test?
    pub(crate) fn is_ordering(self) -> bool {
        matches!(self, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
    }
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A field or protocol name, or an unquoted value; see [`Token::text`].
    Word,
    /// A double-quoted string, escapes decoded.
    Str(String),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `,`
    Comma,
    /// A comparison operator.
    Cmp(CmpOp),
    /// `contains`
    Contains,
    /// `in`
    In,
    /// `matches` or `~` (recognised only to say it is unsupported).
    Matches,
    /// `and`, `&&`
    And,
    /// `or`, `||`
    Or,
    /// `not`, `!`
    Not,
    /// `&`, `bitwise_and`
    BitAnd,
    /// End of the filter.
    Eof,
}

/// One token and where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// What it is.
    pub(crate) tok: Tok,
    /// Its text as written (quotes included for strings; empty at the end).
    pub(crate) text: &'a str,
    /// 1-based char column of its first char.
    pub(crate) col: usize,
}

/// Chars that make up a word (names and unquoted values).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-')
}

/// Splits `src` into tokens, ending with one [`Tok::Eof`] at column `chars + 1`.
pub(crate) fn lex(src: &str) -> Result<Vec<Token<'_>>, FilterError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(src.len(), |&(b, _)| b);
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut i = 0;
    while let Some(c) = char_at(i) {
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let next = char_at(i + 1);
        let (tok, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '{' => (Tok::LBrace, 1),
            '}' => (Tok::RBrace, 1),
            ',' => (Tok::Comma, 1),
            '=' if next == Some('=') && char_at(i + 2) == Some('=') => (Tok::Cmp(CmpOp::AllEq), 3),
            '=' if next == Some('=') => (Tok::Cmp(CmpOp::Eq), 2),
            '=' => {
                return Err(FilterError::new(
                    col,
                    "use \"==\" to compare (a single \"=\" is not an operator)",
                ));
            }
            '!' if next == Some('=') && char_at(i + 2) == Some('=') => (Tok::Cmp(CmpOp::AnyNe), 3),
            '!' if next == Some('=') => (Tok::Cmp(CmpOp::Ne), 2),
            '!' => (Tok::Not, 1),
            '~' if next == Some('=') => (Tok::Cmp(CmpOp::AnyNe), 2),
            '~' => (Tok::Matches, 1),
            '<' if next == Some('=') => (Tok::Cmp(CmpOp::Le), 2),
            '<' => (Tok::Cmp(CmpOp::Lt), 1),
            '>' if next == Some('=') => (Tok::Cmp(CmpOp::Ge), 2),
            '>' => (Tok::Cmp(CmpOp::Gt), 1),
            '&' if next == Some('&') => (Tok::And, 2),
            '&' => (Tok::BitAnd, 1),
            '|' if next == Some('|') => (Tok::Or, 2),
            '|' => {
                return Err(FilterError::new(
                    col,
                    "use \"||\" or \"or\" (a single \"|\" is not an operator)",
                ));
            }
            '"' => {
                let (value, len) = lex_string(&chars, i)?;
                (Tok::Str(value), len)
            }
            '\'' => {
                return Err(FilterError::new(
                    col,
                    "strings are written in double quotes: \"like this\"",
                ));
            }
            c if is_word_char(c) => {
                let mut j = i;
                while char_at(j).is_some_and(is_word_char) {
                    j += 1;
                }
                let word = src.get(byte_at(i)..byte_at(j)).unwrap_or_default();
                (keyword(word).unwrap_or(Tok::Word), j - i)
            }
            c => {
                return Err(FilterError::new(col, format!("unexpected character {c:?}")));
            }
        };
        i += len;
        out.push(Token {
            tok,
            text: src.get(byte_at(start)..byte_at(i)).unwrap_or_default(),
            col,
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        text: "",
        col: chars.len() + 1,
    });
    Ok(out)
}

/// The token a reserved word stands for. Keywords are lower-case only, as in Wireshark.
fn keyword(word: &str) -> Option<Tok> {
    Some(match word {
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "eq" | "any_eq" => Tok::Cmp(CmpOp::Eq),
        "ne" | "all_ne" => Tok::Cmp(CmpOp::Ne),
        "all_eq" => Tok::Cmp(CmpOp::AllEq),
        "any_ne" => Tok::Cmp(CmpOp::AnyNe),
        "lt" => Tok::Cmp(CmpOp::Lt),
        "le" => Tok::Cmp(CmpOp::Le),
        "gt" => Tok::Cmp(CmpOp::Gt),
        "ge" => Tok::Cmp(CmpOp::Ge),
        "contains" => Tok::Contains,
        "in" => Tok::In,
        "matches" => Tok::Matches,
        "bitwise_and" => Tok::BitAnd,
        _ => return None,
    })
}

/// Is `word` a keyword written in the wrong case (`AND`, `Or`)? Used for a helpful error.
pub(crate) fn is_miscased_keyword(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    lower != word && keyword(&lower).is_some()
}

/// Reads the double-quoted string starting at char index `start`; returns its decoded
/// value and its length in chars, quotes included.
///
/// Escapes as in Wireshark: `\\ \" \' \a \b \f \n \r \t \v`, `\xHH` (1-2 hex digits) and
/// `\OOO` (1-3 octal digits), which give bytes; the result must be UTF-8.
fn lex_string(chars: &[(usize, char)], start: usize) -> Result<(String, usize), FilterError> {
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut bytes = Vec::new();
    let mut i = start + 1;
    loop {
        let Some(c) = char_at(i) else {
            return Err(FilterError::new(
                start + 1,
                "this string is never closed (missing '\"')",
            ));
        };
        match c {
            '"' => break,
            '\\' => {
                let esc_col = i + 1;
                let Some(e) = char_at(i + 1) else {
                    return Err(FilterError::new(
                        start + 1,
                        "this string is never closed (missing '\"')",
                    ));
                };
                i += 2;
                let simple = match e {
                    '\\' => Some(b'\\'),
                    '"' => Some(b'"'),
                    '\'' => Some(b'\''),
                    'a' => Some(0x07),
                    'b' => Some(0x08),
                    'f' => Some(0x0c),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(0x0b),
                    _ => None,
                };
                if let Some(b) = simple {
                    bytes.push(b);
                } else if e == 'x' {
                    let mut value: u32 = 0;
                    let mut digits = 0;
                    while digits < 2 {
                        match char_at(i).and_then(|d| d.to_digit(16)) {
                            Some(d) => value = value * 16 + d,
                            None => break,
                        }
                        digits += 1;
                        i += 1;
                    }
                    if digits == 0 {
                        return Err(FilterError::new(
                            esc_col,
                            "\"\\x\" must be followed by hex digits, e.g. \\x41",
                        ));
                    }
                    bytes.push(u8::try_from(value).unwrap_or(u8::MAX));
                } else if e.is_digit(8) {
                    let mut value: u32 = 0;
                    i -= 1;
                    let mut digits = 0;
                    while digits < 3 {
                        match char_at(i).and_then(|d| d.to_digit(8)) {
                            Some(d) => value = value * 8 + d,
                            None => break,
                        }
                        digits += 1;
                        i += 1;
                    }
                    let Ok(b) = u8::try_from(value) else {
                        return Err(FilterError::new(
                            esc_col,
                            "octal escape is larger than \\377",
                        ));
                    };
                    bytes.push(b);
                } else {
                    return Err(FilterError::new(
                        esc_col,
                        format!("unknown escape \"\\{e}\" (use \\\\ for a backslash)"),
                    ));
                }
                continue;
            }
            c => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        i += 1;
    }
    let len = i + 1 - start;
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, len)),
        Err(_) => Err(FilterError::new(
            start + 1,
            "this string's escapes do not make valid UTF-8 text",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Tok, &str, usize)> {
        lex(src)
            .unwrap()
            .into_iter()
            .map(|t| (t.tok, t.text, t.col))
            .collect()
    }

    #[test]
    fn words_operators_and_columns() {
        assert_eq!(
            kinds("ip.src==10.0.0.1&&!tcp"),
            vec![
                (Tok::Word, "ip.src", 1),
                (Tok::Cmp(CmpOp::Eq), "==", 7),
                (Tok::Word, "10.0.0.1", 9),
                (Tok::And, "&&", 17),
                (Tok::Not, "!", 19),
                (Tok::Word, "tcp", 20),
                (Tok::Eof, "", 23),
            ]
        );
    }

    #[test]
    fn every_operator_spelling() {
        let table: &[(&str, Tok)] = &[
            ("==", Tok::Cmp(CmpOp::Eq)),
            ("eq", Tok::Cmp(CmpOp::Eq)),
            ("any_eq", Tok::Cmp(CmpOp::Eq)),
            ("!=", Tok::Cmp(CmpOp::Ne)),
            ("ne", Tok::Cmp(CmpOp::Ne)),
            ("all_ne", Tok::Cmp(CmpOp::Ne)),
            ("===", Tok::Cmp(CmpOp::AllEq)),
            ("all_eq", Tok::Cmp(CmpOp::AllEq)),
            ("!==", Tok::Cmp(CmpOp::AnyNe)),
            ("~=", Tok::Cmp(CmpOp::AnyNe)),
            ("any_ne", Tok::Cmp(CmpOp::AnyNe)),
            ("<", Tok::Cmp(CmpOp::Lt)),
            ("lt", Tok::Cmp(CmpOp::Lt)),
            ("<=", Tok::Cmp(CmpOp::Le)),
            ("le", Tok::Cmp(CmpOp::Le)),
            (">", Tok::Cmp(CmpOp::Gt)),
            ("gt", Tok::Cmp(CmpOp::Gt)),
            (">=", Tok::Cmp(CmpOp::Ge)),
            ("ge", Tok::Cmp(CmpOp::Ge)),
            ("&&", Tok::And),
            ("and", Tok::And),
            ("||", Tok::Or),
            ("or", Tok::Or),
            ("!", Tok::Not),
            ("not", Tok::Not),
            ("&", Tok::BitAnd),
            ("bitwise_and", Tok::BitAnd),
            ("contains", Tok::Contains),
            ("in", Tok::In),
            ("matches", Tok::Matches),
            ("~", Tok::Matches),
            ("AND", Tok::Word),
        ];
        for (src, tok) in table {
            let toks = lex(src).unwrap();
            assert_eq!(toks.len(), 2, "{src}");
            assert_eq!(&toks[0].tok, tok, "{src}");
            assert_eq!(toks[0].text, *src);
        }
    }

    #[test]
    fn values_are_single_words() {
        for v in [
            "10.0.3.0/24",
            "aa:bb:cc:dd:ee:ff",
            "fe80::1/64",
            "0x0800",
            "-1",
        ] {
            let toks = lex(v).unwrap();
            assert_eq!(toks[0].tok, Tok::Word);
            assert_eq!(toks[0].text, v);
        }
    }

    #[test]
    fn strings_and_escapes() {
        let toks = lex(r#"simp.user == "a\"b\\c\x41\101\n""#).unwrap();
        assert_eq!(toks[2].tok, Tok::Str("a\"b\\cAA\n".to_string()));
        assert_eq!(toks[2].col, 14);
        assert_eq!(toks[3].col, toks[2].col + toks[2].text.chars().count());
        assert_eq!(lex(r#""\xc3\xa9""#).unwrap()[0].tok, Tok::Str("é".into()));
        assert_eq!(lex(r#""é""#).unwrap()[1].col, 4);
    }

    #[test]
    fn errors_have_columns() {
        let table: &[(&str, usize)] = &[
            ("tcp.port = 80", 10),
            ("tcp | udp", 5),
            ("a == 'x'", 6),
            ("a == \"abc", 6),
            ("a == \"ab\\", 6),
            ("a == \"a\\qb\"", 8),
            ("a == \"\\x\"", 7),
            ("a == \"\\777\"", 7),
            ("a == \"\\xff\"", 6),
            ("tcp.port == 80 $", 16),
            ("é $", 3),
        ];
        for (src, col) in table {
            let err = lex(src).unwrap_err();
            assert_eq!(err.column, *col, "{src}: {err}");
        }
    }
}
