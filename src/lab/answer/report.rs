//! What `wirelab lab answer` produces: every serde type of its `--json` output, in one place.
//!
//! A [`Report`] holds, per question, the answer computed from the captures, the frames it
//! rests on ([`Evidence`]: file index and frame numbers, as Wireshark numbers them), the
//! values it was computed from (`values`, for scripts and tests) and, where the lab shows one,
//! a table. Nothing here is canned: other captures give other numbers, frames and words.

use std::collections::BTreeMap;

use serde::Serialize;

/// The answers to one lab's questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The lab's number, e.g. `"003"`.
    pub lab: String,
    /// The lab's title.
    pub title: String,
    /// The captures read, in the order given (evidence refers to them by index).
    pub files: Vec<CaptureFile>,
    /// The server the answers are about, and how it was chosen.
    pub server: Option<ServerChoice>,
    /// One per question, in the lab's order.
    pub answers: Vec<Answer>,
}

impl Report {
    /// The answer with this id, if any.
    pub fn answer(&self, id: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.id == id)
    }
}

/// One capture file that was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaptureFile {
    /// 0-based index, used by [`Evidence::file`].
    pub index: usize,
    /// The path as given.
    pub path: String,
    /// Frames read.
    pub frames: u64,
    /// Problems found while reading it (a truncated file, a damaged block).
    pub warnings: Vec<String>,
    /// What the file holds, in a few words ("TCP with 10.0.3.1:8080, 2 connections").
    pub summary: String,
}

/// The server the answers are about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerChoice {
    /// Its IP address.
    pub ip: String,
    /// `"given"` (`--server`) or `"inferred"`.
    pub how: String,
    /// Why this address, when inferred.
    pub reason: String,
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// The lab's numbering, e.g. `"I.1(b)"`.
    pub id: String,
    /// The question, shortened.
    pub question: String,
    /// The answer in words, with the numbers from the captures.
    pub answer: String,
    /// The frames it rests on.
    pub evidence: Vec<Evidence>,
    /// The values it was computed from, by name.
    pub values: BTreeMap<String, serde_json::Value>,
    /// A table (lab 002's Figure 3, lists of sockets…), if the question calls for one.
    pub table: Option<Table>,
}

impl Answer {
    /// An answer with no evidence, values or table yet.
    pub fn new(id: &str, question: &str, answer: String) -> Answer {
        Answer {
            id: id.to_string(),
            question: question.to_string(),
            answer,
            evidence: Vec::new(),
            values: BTreeMap::new(),
            table: None,
        }
    }

    /// Adds evidence (ignored when `frames` is empty).
    pub fn cite(mut self, file: usize, what: &str, frames: Vec<u64>) -> Answer {
        if !frames.is_empty() {
            self.evidence.push(Evidence {
                file,
                what: what.to_string(),
                frames,
            });
        }
        self
    }

    /// Adds a named value.
    pub fn value(mut self, name: &str, v: impl Serialize) -> Answer {
        self.values.insert(
            name.to_string(),
            serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
        );
        self
    }

    /// Sets the table.
    pub fn with_table(mut self, t: Table) -> Answer {
        self.table = Some(t);
        self
    }
}

/// Frames an answer rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Index into [`Report::files`].
    pub file: usize,
    /// What these frames are ("handshake", "ARP requests").
    pub what: String,
    /// Frame numbers (1-based, as Wireshark's No. column); at most a few dozen.
    pub frames: Vec<u64>,
}

/// A table of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    /// Column titles.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
    /// A line under the table (e.g. rows left out), if any.
    pub note: Option<String>,
}

impl Table {
    /// A table with these columns and no rows.
    pub fn new(columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}
