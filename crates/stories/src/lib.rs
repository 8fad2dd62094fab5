//! Stories: the same article across feeds and sites, recognised so that it can be counted once.
//!
//! (Design notes and the proposed storage follow once measured.)

pub mod archive;
pub mod config;
pub mod decide;
pub mod fingerprint;
pub mod labelled;
pub mod minhash;
pub mod score;
pub mod text;

pub use archive::{assign_stories, find_match, Archive, Match, MemoryArchive};
pub use config::{Candidates, Config, Rule, Scheme};
pub use decide::Similarity;
pub use fingerprint::{Computed, DecodeError, Fingerprint, Kind};

/// Version of the hashing (words, shingles, hash functions, band keys, stored bytes). Part of [`Scheme::id`]: bump
/// on any change that alters what is computed for the same text.
pub const SCHEME_VERSION: u32 = 1;
