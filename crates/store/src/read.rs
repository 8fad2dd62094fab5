//! The read side's values, the same for every backend: rows as typed cells handed to a sink one at a time (so a
//! result of any size streams in flat memory), and the questions behind `gazette query`, `search` and `stats`.
//!
//! The web view (issue 17) will want more fixed questions (latest articles, an article with its mentions and quotes,
//! an entity's daily counts and partners, feed health and fetch history): each goes here as a request type and in
//! [`Archive`](crate::Archive) as a method, answered by each backend, rows returned as [`Cell`]s or typed structs.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{EntityType, FeedId};

/// A cell as read: text keeps its type so that callers can treat text and numbers differently.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => Ok(()),
            Cell::Integer(i) => write!(f, "{i}"),
            Cell::Real(x) => write!(f, "{x}"),
            Cell::Text(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Integer(i)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Null, Into::into)
    }
}

/// Where rows go: a renderer, a file, a test's vector. Its errors (a closed pipe, a full disk) end the read and come
/// back as [`StoreError::Output`](crate::StoreError::Output).
pub trait RowSink {
    /// Called once, before any row, with the column names.
    fn header(&mut self, columns: &[String]) -> std::io::Result<()>;
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()>;
}

/// Rows kept in memory (for small results and tests).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl RowSink for Rows {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        self.rows.push(cells.to_vec());
        Ok(())
    }
}

/// Ad-hoc read-only SQL (`gazette query`): one statement that must not write, its named parameters bound (never
/// pasted into the SQL; every one it uses must be given), and a time limit.
#[derive(Debug, Clone)]
pub struct SqlQuery {
    pub sql: String,
    /// `(name, value)`: the name with or without its `:`, `@` or `$`; the value binds as a number when it is spelt
    /// as a plain number (`42`, `-7`, `0.5`), else as text.
    pub params: Vec<(String, String)>,
    /// Stop the query after this long (also the longest wait for a lock); `None`: no limit.
    pub timeout: Option<Duration>,
}

/// Full-text search over titles and bodies, best matches first, with snippets (`gazette search`).
#[derive(Debug, Clone)]
pub struct Search {
    /// The backend's full-text syntax; a query it cannot parse is retried as plain words.
    pub query: String,
    pub since: Option<DateTime<Utc>>,
    pub feed: Option<FeedId>,
    pub limit: i64,
}

/// What the archive holds (`gazette stats`).
#[derive(Debug, Clone)]
pub struct Stats {
    /// Where it is (a file path).
    pub location: String,
    pub size_bytes: u64,
    /// Recent writes still in the write-ahead log beside the file.
    pub wal_bytes: u64,
    /// Rows per table, in a fixed order.
    pub tables: Vec<(&'static str, i64)>,
    /// The first and last publication times, as stored.
    pub published: Option<(String, String)>,
    /// The latest day with mentions up to today, and its top named entities.
    pub top_day: Option<NaiveDate>,
    pub top: Vec<TopEntity>,
}

/// An entity among a day's most mentioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopEntity {
    /// As stored (a label [`EntityType`] knows, or whatever plain SQL wrote).
    pub entity_type: String,
    pub name: String,
    pub mentions: i64,
    pub articles: i64,
}

impl TopEntity {
    pub fn known_type(&self) -> Option<EntityType> {
        EntityType::from_label(&self.entity_type)
    }
}

/// Stories first published in a range, most sites first (`gazette stories`).
#[derive(Debug, Clone)]
pub struct StoryList {
    pub since: DateTime<Utc>,
    /// Exclusive; `None`: up to now.
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
}
