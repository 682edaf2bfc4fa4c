//! Turns tokens into a typed expression tree, checking every field name, operator and value
//! at parse time so that evaluation cannot fail.
//!
//! Grammar (precedence `not` > `and` > `or`, as in Wireshark):
//!
//! ```text
//! filter  := ε | or EOF
//! or      := and (("or" | "||") and)*
//! and     := not (("and" | "&&") not)*
//! not     := ("not" | "!") not | primary
//! primary := "(" or ")" | test
//! test    := PROTO | "frame"
//!          | FIELD
//!          | FIELD CMP (VALUE | FIELD)
//!          | FIELD ("&" | "bitwise_and") INT [CMP INT]
//!          | FIELD "contains" STRING
//!          | FIELD ["not"] "in" "{" item ("," item)* "}"     item := VALUE | VALUE ".." VALUE
//! ```

use std::cmp::Ordering;
use std::fmt;

use super::error::FilterError;
use super::field::{Field, FieldKind, Proto, suggest};
use super::lexer::{CmpOp, Tok, Token, is_miscased_keyword, lex};
use super::value::{Literal, classify_value, literal_cmp, parse_literal};

/// How deep parentheses and `not`s may nest; deeper filters are refused, not overflowed.
const MAX_DEPTH: usize = 200;

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rhs {
    /// A value.
    Lit(Literal),
    /// Another field of a compatible kind (`tcp.srcport > tcp.dstport`).
    Field(Field),
}

/// A member of an `in { ... }` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SetItem {
    /// One value (possibly a CIDR block).
    One(Literal),
    /// An inclusive range `lo..hi`.
    Range(Literal, Literal),
}

/// A parsed, type-checked filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// Always true: the empty filter, or `frame`.
    True,
    /// The frame has this protocol layer.
    Proto(Proto),
    /// The field is present (has at least one value).
    Present(Field),
    /// `field op rhs`.
    Cmp {
        /// Left-hand field.
        field: Field,
        /// Operator.
        op: CmpOp,
        /// Value or field compared with.
        rhs: Rhs,
    },
    /// `field & mask`, true when some `value & mask` is non-zero, or, with `cmp`,
    /// `field & mask op value`.
    BitAnd {
        /// A number field.
        field: Field,
        /// The mask.
        mask: u64,
        /// An optional comparison of the masked value.
        cmp: Option<(CmpOp, u64)>,
    },
    /// `field in {items}`: some value matches some item.
    In {
        /// Left-hand field.
        field: Field,
        /// At least one item.
        items: Vec<SetItem>,
    },
    /// `field contains "needle"` (string fields).
    Contains {
        /// A string field.
        field: Field,
        /// The substring looked for.
        needle: String,
    },
    /// Logical not.
    Not(Box<Expr>),
    /// All of (at least two).
    And(Vec<Expr>),
    /// Any of (at least two).
    Or(Vec<Expr>),
}

/// Parses filter text into a checked expression. An empty (or blank) filter is [`Expr::True`].
pub(crate) fn parse(src: &str) -> Result<Expr, FilterError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        last_bare: None,
    };
    if p.peek().tok == Tok::Eof {
        return Ok(Expr::True);
    }
    let expr = p.or()?;
    let t = p.peek();
    match t.tok {
        Tok::Eof => Ok(expr),
        Tok::RParen => Err(FilterError::new(
            t.col,
            "unbalanced parentheses: this \")\" has no matching \"(\"",
        )),
        _ => Err(p.after_test_error("the end of the filter")),
    }
}

/// The name just parsed as a complete test on its own (no operator), for "missing
/// operator" errors.
#[derive(Clone, Copy)]
enum Bare<'a> {
    Field(&'a str),
    Proto(&'a str),
}

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    last_bare: Option<Bare<'a>>,
}

/// The token returned past the end (never reached: the lexer always ends with one).
const EOF: Token<'static> = Token {
    tok: Tok::Eof,
    text: "",
    col: 1,
};

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token<'a> {
        self.toks.get(self.pos).or(self.toks.last()).unwrap_or(&EOF)
    }

    fn peek2(&self) -> &Token<'a> {
        self.toks
            .get(self.pos + 1)
            .or(self.toks.last())
            .unwrap_or(&EOF)
    }

    fn bump(&mut self) -> Token<'a> {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    /// Text of the token before the current one, for "after X" messages.
    fn prev_text(&self) -> &'a str {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or("", |t| t.text)
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let first = self.and()?;
        let mut all = vec![first];
        while self.peek().tok == Tok::Or {
            self.bump();
            all.push(self.and()?);
        }
        Ok(collapse(all, Expr::Or))
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let first = self.not()?;
        let mut all = vec![first];
        while self.peek().tok == Tok::And {
            self.bump();
            all.push(self.not()?);
        }
        Ok(collapse(all, Expr::And))
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if self.peek().tok != Tok::Not {
            return self.primary();
        }
        let t = self.bump();
        self.enter(t.col)?;
        let inner = self.not()?;
        self.depth -= 1;
        Ok(Expr::Not(Box::new(inner)))
    }

    fn enter(&mut self, col: usize) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::new(
                col,
                format!("the filter nests too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::LParen => {
                self.bump();
                self.enter(t.col)?;
                let inner = self.or()?;
                let close = self.peek().clone();
                match close.tok {
                    Tok::RParen => {
                        self.bump();
                    }
                    Tok::Eof => {
                        return Err(FilterError::new(
                            t.col,
                            "unbalanced parentheses: this \"(\" is never closed",
                        ));
                    }
                    _ => return Err(self.after_test_error("\")\"")),
                }
                self.depth -= 1;
                self.last_bare = None;
                Ok(inner)
            }
            Tok::Word => self.test(),
            Tok::Eof => Err(FilterError::new(
                t.col,
                format!(
                    "unexpected end of filter: expected a test after \"{}\"",
                    self.prev_text()
                ),
            )),
            Tok::RParen if self.prev_text() == "(" => Err(FilterError::new(
                t.col,
                "empty parentheses: expected a test inside",
            )),
            Tok::RParen if self.depth == 0 || self.pos == 0 => Err(FilterError::new(
                t.col,
                "unbalanced parentheses: this \")\" has no matching \"(\"",
            )),
            Tok::And | Tok::Or | Tok::RParen if self.pos > 0 => Err(FilterError::new(
                t.col,
                format!(
                    "expected a test after \"{}\", found \"{}\"",
                    self.prev_text(),
                    t.text
                ),
            )),
            Tok::And | Tok::Or | Tok::RParen => Err(FilterError::new(
                t.col,
                format!("\"{}\" needs a test on its left", t.text),
            )),
            Tok::Cmp(_) | Tok::Contains | Tok::In | Tok::BitAnd | Tok::Matches => {
                Err(FilterError::new(
                    t.col,
                    format!("expected a field or protocol name before \"{}\"", t.text),
                ))
            }
            Tok::Str(_) => Err(FilterError::new(
                t.col,
                format!(
                    "{} is a value, not a field or protocol (a test looks like simp.user == {})",
                    t.text, t.text
                ),
            )),
            Tok::Not | Tok::LBrace | Tok::RBrace | Tok::Comma => Err(FilterError::new(
                t.col,
                format!(
                    "unexpected \"{}\": expected a field or protocol name",
                    t.text
                ),
            )),
        }
    }

    /// The error for a token that follows a complete test but cannot continue the filter.
    fn after_test_error(&self, expected_end: &str) -> FilterError {
        let t = self.peek();
        let col = t.col;
        let is_name = |w: &str| {
            Field::from_name(w).is_some() || Proto::from_name(w).is_some() || w == "frame"
        };
        if t.tok == Tok::Word && is_miscased_keyword(t.text) {
            return FilterError::new(
                col,
                format!(
                    "keywords are lower-case: write \"{}\"",
                    t.text.to_ascii_lowercase()
                ),
            );
        }
        match (self.last_bare, &t.tok) {
            (Some(Bare::Field(name)), Tok::Word | Tok::Str(_)) if !is_name(t.text) => {
                return FilterError::new(
                    col,
                    format!(
                        "missing operator between \"{name}\" and \"{}\" (expected ==, !=, <, <=, >, >=, contains or in)",
                        t.text
                    ),
                );
            }
            (Some(Bare::Proto(name)), Tok::Word | Tok::Str(_)) if !is_name(t.text) => {
                return FilterError::new(
                    col,
                    format!(
                        "unexpected \"{}\" after the protocol \"{name}\" (a protocol is tested alone; to compare a value use one of its fields)",
                        t.text
                    ),
                );
            }
            _ => {}
        }
        match &t.tok {
            Tok::Word if is_name(t.text) => FilterError::new(
                col,
                format!("missing \"and\" or \"or\" before \"{}\"", t.text),
            ),
            Tok::Not | Tok::LParen => FilterError::new(
                col,
                format!("missing \"and\" or \"or\" before \"{}\"", t.text),
            ),
            Tok::Cmp(_) | Tok::Contains | Tok::In | Tok::BitAnd => FilterError::new(
                col,
                format!(
                    "unexpected \"{}\": a test has one comparison; join tests with \"and\" or \"or\"",
                    t.text
                ),
            ),
            _ => FilterError::new(
                col,
                format!(
                    "unexpected \"{}\" (expected \"and\", \"or\" or {expected_end})",
                    t.text
                ),
            ),
        }
    }

    fn test(&mut self) -> Result<Expr, FilterError> {
        let name = self.bump();
        self.last_bare = None;
        let field = match resolve_name(&name)? {
            Name::Field(f) => f,
            Name::Proto(p) => {
                self.refuse_operator(name.text)?;
                self.last_bare = Some(Bare::Proto(name.text));
                return Ok(p.map_or(Expr::True, Expr::Proto));
            }
        };
        let op = self.peek().clone();
        match op.tok {
            Tok::Cmp(cmp) => {
                self.bump();
                self.comparison(field, cmp, &op)
            }
            Tok::BitAnd => {
                self.bump();
                self.bit_and(field, &op)
            }
            Tok::Contains => {
                self.bump();
                if field.kind() != FieldKind::Str {
                    return Err(FilterError::new(
                        op.col,
                        format!(
                            "\"contains\" needs a string field (such as simp.user); {} is {}",
                            field.name(),
                            field.kind().describe()
                        ),
                    ));
                }
                let v = self.value_token(&op)?;
                let Literal::Str(needle) = parse_literal(field, &v, true)? else {
                    return Err(FilterError::new(v.col, "expected a string"));
                };
                Ok(Expr::Contains { field, needle })
            }
            Tok::In => {
                self.bump();
                self.set(field, &op)
            }
            Tok::Not if self.peek2().tok == Tok::In => {
                self.bump();
                let in_tok = self.bump();
                Ok(Expr::Not(Box::new(self.set(field, &in_tok)?)))
            }
            Tok::Matches => Err(FilterError::new(
                op.col,
                "regular expressions (matches, ~) are not supported; use == or contains",
            )),
            _ => {
                self.last_bare = Some(Bare::Field(name.text));
                Ok(Expr::Present(field))
            }
        }
    }

    /// After a protocol name: an operator is an error.
    fn refuse_operator(&self, proto: &str) -> Result<(), FilterError> {
        let t = self.peek();
        if matches!(
            t.tok,
            Tok::Cmp(_) | Tok::Contains | Tok::In | Tok::BitAnd | Tok::Matches
        ) {
            let example = Field::ALL
                .iter()
                .find(|f| {
                    f.name()
                        .strip_prefix(proto)
                        .is_some_and(|r| r.starts_with('.'))
                })
                .map_or(String::new(), |f| format!(", e.g. {}", f.name()));
            return Err(FilterError::new(
                t.col,
                format!(
                    "\"{proto}\" is a protocol, not a field with a value: test it alone or compare one of its fields{example}"
                ),
            ));
        }
        Ok(())
    }

    /// Reads the token that must hold a value after operator `op`.
    fn value_token(&mut self, op: &Token<'_>) -> Result<Token<'a>, FilterError> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Word | Tok::Str(_) => {
                self.bump();
                Ok(t)
            }
            Tok::Eof => Err(FilterError::new(
                t.col,
                format!(
                    "unexpected end of filter: expected a value after \"{}\"",
                    op.text
                ),
            )),
            _ => Err(FilterError::new(
                t.col,
                format!(
                    "expected a value after \"{}\", found \"{}\"",
                    op.text, t.text
                ),
            )),
        }
    }

    fn comparison(
        &mut self,
        field: Field,
        op: CmpOp,
        op_tok: &Token<'_>,
    ) -> Result<Expr, FilterError> {
        if field.kind() == FieldKind::Presence {
            return Err(FilterError::new(
                op_tok.col,
                format!(
                    "{0} has no value to compare; test it alone: \"{0}\"",
                    field.name()
                ),
            ));
        }
        let v = self.value_token(op_tok)?;
        if v.tok == Tok::Word {
            if let Some(other) = Field::from_name(v.text) {
                if !compatible(field.kind(), other.kind()) {
                    return Err(FilterError::new(
                        v.col,
                        format!(
                            "{} ({}) and {} ({}) cannot be compared",
                            field.name(),
                            field.kind().describe(),
                            other.name(),
                            other.kind().describe()
                        ),
                    ));
                }
                return Ok(Expr::Cmp {
                    field,
                    op,
                    rhs: Rhs::Field(other),
                });
            }
            if Proto::from_name(v.text).is_some() || v.text == "frame" {
                return Err(FilterError::new(
                    v.col,
                    format!(
                        "\"{}\" is a protocol, not a value: {} cannot be compared with it",
                        v.text,
                        field.name()
                    ),
                ));
            }
        }
        let lit = parse_literal(field, &v, !op.is_ordering())?;
        Ok(Expr::Cmp {
            field,
            op,
            rhs: Rhs::Lit(lit),
        })
    }

    fn bit_and(&mut self, field: Field, op_tok: &Token<'_>) -> Result<Expr, FilterError> {
        if !matches!(field.kind(), FieldKind::Uint { .. }) {
            return Err(FilterError::new(
                op_tok.col,
                format!(
                    "\"{}\" needs a number field; {} is {}",
                    op_tok.text,
                    field.name(),
                    field.kind().describe()
                ),
            ));
        }
        let m = self.value_token(op_tok)?;
        let Literal::Int(mask) = parse_literal(field, &m, false)? else {
            return Err(FilterError::new(m.col, "expected a number"));
        };
        let cmp_tok = self.peek().clone();
        let cmp = match cmp_tok.tok {
            Tok::Cmp(op) => {
                self.bump();
                let v = self.value_token(&cmp_tok)?;
                let Literal::Int(n) = parse_literal(field, &v, false)? else {
                    return Err(FilterError::new(v.col, "expected a number"));
                };
                Some((op, n))
            }
            _ => None,
        };
        Ok(Expr::BitAnd { field, mask, cmp })
    }

    fn set(&mut self, field: Field, in_tok: &Token<'_>) -> Result<Expr, FilterError> {
        if field.kind() == FieldKind::Presence {
            return Err(FilterError::new(
                in_tok.col,
                format!(
                    "{0} has no value to compare; test it alone: \"{0}\"",
                    field.name()
                ),
            ));
        }
        let open = self.peek().clone();
        if open.tok != Tok::LBrace {
            return Err(FilterError::new(
                open.col,
                format!(
                    "expected \"{{\" after \"{}\", e.g. {} in {{{}}}",
                    in_tok.text,
                    field.name(),
                    example_set(field.kind())
                ),
            ));
        }
        self.bump();
        if self.peek().tok == Tok::RBrace {
            return Err(FilterError::new(
                self.peek().col,
                "a set needs at least one value",
            ));
        }
        let mut items = Vec::new();
        loop {
            let sep = self
                .toks
                .get(self.pos.wrapping_sub(1))
                .cloned()
                .unwrap_or(EOF);
            let first = self.peek().clone();
            if first.tok == Tok::Eof {
                return Err(FilterError::new(
                    open.col,
                    "this \"{\" is never closed (missing \"}\")",
                ));
            }
            let v = self.value_token(&sep)?;
            items.push(self.set_item(field, &v)?);
            let t = self.peek().clone();
            match t.tok {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RBrace => {
                    self.bump();
                    break;
                }
                Tok::Eof => {
                    return Err(FilterError::new(
                        open.col,
                        "this \"{\" is never closed (missing \"}\")",
                    ));
                }
                Tok::Word | Tok::Str(_) => {
                    return Err(FilterError::new(
                        t.col,
                        "separate set members with commas, e.g. {80, 443}",
                    ));
                }
                _ => {
                    return Err(FilterError::new(
                        t.col,
                        format!(
                            "unexpected \"{}\" in a set (expected \",\" or \"}}\")",
                            t.text
                        ),
                    ));
                }
            }
        }
        Ok(Expr::In { field, items })
    }

    /// One set member starting with word `v`: a value, or a range written `lo..hi`
    /// (spaces around `..` allowed).
    fn set_item(&mut self, field: Field, v: &Token<'a>) -> Result<SetItem, FilterError> {
        if v.tok != Tok::Word || field.kind() == FieldKind::Str {
            return Ok(SetItem::One(parse_literal(field, v, true)?));
        }
        // Split "lo..hi", "lo..", "lo" followed by "..hi" or by ".." "hi".
        let (lo_text, mut hi) = match v.text.split_once("..") {
            Some((lo, hi)) => (lo, Some((hi, v.col + lo.chars().count() + 2))),
            None => {
                let next = self.peek().clone();
                match next.text.strip_prefix("..") {
                    Some(rest) if next.tok == Tok::Word => {
                        self.bump();
                        (v.text, Some((rest, next.col + 2)))
                    }
                    _ => (v.text, None),
                }
            }
        };
        let lo_tok = Token {
            tok: Tok::Word,
            text: lo_text,
            col: v.col,
        };
        let Some((hi_text, hi_col)) = hi.take() else {
            return Ok(SetItem::One(parse_literal(field, &lo_tok, true)?));
        };
        if lo_text.is_empty() {
            return Err(FilterError::new(
                v.col,
                "a range needs a start value before \"..\"",
            ));
        }
        let hi_tok = if hi_text.is_empty() {
            let dots = Token {
                tok: Tok::Word,
                text: "..",
                col: hi_col.saturating_sub(2),
            };
            self.value_token(&dots)?
        } else {
            Token {
                tok: Tok::Word,
                text: hi_text,
                col: hi_col,
            }
        };
        let lo = parse_literal(field, &lo_tok, false)?;
        let hi = parse_literal(field, &hi_tok, false)?;
        if literal_cmp(&lo, &hi) == Some(Ordering::Greater) {
            return Err(FilterError::new(
                v.col,
                format!("the range starts above its end ({lo} > {hi})"),
            ));
        }
        Ok(SetItem::Range(lo, hi))
    }
}

/// Wraps two or more operands with `make`, or returns a single one unchanged.
fn collapse(mut all: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Expr {
    if all.len() == 1 {
        all.pop().unwrap_or(Expr::True)
    } else {
        make(all)
    }
}

/// A name in test position.
enum Name {
    Field(Field),
    /// A protocol, or `None` for `frame` (always true).
    Proto(Option<Proto>),
}

fn resolve_name(t: &Token<'_>) -> Result<Name, FilterError> {
    let w = t.text;
    if w == "frame" {
        return Ok(Name::Proto(None));
    }
    if let Some(p) = Proto::from_name(w) {
        return Ok(Name::Proto(Some(p)));
    }
    if let Some(f) = Field::from_name(w) {
        return Ok(Name::Field(f));
    }
    if is_miscased_keyword(w) {
        return Err(FilterError::new(
            t.col,
            format!(
                "keywords are lower-case: write \"{}\"",
                w.to_ascii_lowercase()
            ),
        ));
    }
    if let Some((kind, field)) = classify_value(w) {
        let hint = match field {
            Some(f) => format!("did you mean {f} == {w}?"),
            None => format!("a test looks like tcp.port == {w}"),
        };
        return Err(FilterError::new(
            t.col,
            format!("\"{w}\" is {kind}, not a field or protocol ({hint})"),
        ));
    }
    let what = if w.contains('.') {
        "field"
    } else {
        "protocol or field"
    };
    let message = match suggest(w) {
        Some(s) => format!("unknown {what} \"{w}\" (did you mean \"{s}\"?)"),
        None => format!("unknown {what} \"{w}\""),
    };
    Err(FilterError::new(t.col, message))
}

/// Can fields of these two kinds be compared with each other?
fn compatible(a: FieldKind, b: FieldKind) -> bool {
    match (a, b) {
        (FieldKind::Uint { .. }, FieldKind::Uint { .. }) => true,
        (FieldKind::Presence, _) | (_, FieldKind::Presence) => false,
        _ => a == b,
    }
}

fn example_set(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Ipv4 => "10.0.0.1, 10.0.3.0/24",
        FieldKind::Ipv6 => "::1, fe80::/10",
        FieldKind::Mac => "aa:bb:cc:dd:ee:ff",
        FieldKind::Str => "\"alice\", \"bob\"",
        FieldKind::Bool => "0, 1",
        FieldKind::Uint { .. } | FieldKind::Presence => "80, 443, 8000..8080",
    }
}

impl fmt::Display for Expr {
    /// Prints the filter back in canonical Wireshark syntax, with parentheses around every
    /// nested `and`/`or` so that precedence is visible.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn nested(e: &Expr, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match e {
                Expr::And(_) | Expr::Or(_) => write!(f, "({e})"),
                _ => write!(f, "{e}"),
            }
        }
        fn joined(all: &[Expr], sep: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            for (i, e) in all.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                nested(e, f)?;
            }
            Ok(())
        }
        match self {
            Expr::True => f.write_str("frame"),
            Expr::Proto(p) => f.write_str(p.name()),
            Expr::Present(field) => f.write_str(field.name()),
            Expr::Cmp { field, op, rhs } => {
                write!(f, "{} {} ", field.name(), op.symbol())?;
                match rhs {
                    Rhs::Lit(l) => write!(f, "{l}"),
                    Rhs::Field(other) => f.write_str(other.name()),
                }
            }
            Expr::BitAnd { field, mask, cmp } => {
                write!(f, "{} & 0x{mask:x}", field.name())?;
                match cmp {
                    Some((op, n)) => write!(f, " {} {n}", op.symbol()),
                    None => Ok(()),
                }
            }
            Expr::In { field, items } => {
                write!(f, "{} in {{", field.name())?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match item {
                        SetItem::One(l) => write!(f, "{l}")?,
                        SetItem::Range(lo, hi) => write!(f, "{lo}..{hi}")?,
                    }
                }
                f.write_str("}")
            }
            Expr::Contains { field, needle } => {
                write!(
                    f,
                    "{} contains {}",
                    field.name(),
                    Literal::Str(needle.clone())
                )
            }
            Expr::Not(e) => {
                f.write_str("not ")?;
                nested(e, f)
            }
            Expr::And(all) => joined(all, " and ", f),
            Expr::Or(all) => joined(all, " or ", f),
        }
    }
}
