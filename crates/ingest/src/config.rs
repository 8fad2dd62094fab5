//! Configuration: defaults, then a TOML file (`--config` or `GAZETTE_CONFIG`), then environment variables
//! (`GAZETTE_<KEY>`), then command-line flags (`--<key-with-dashes>`); the last one that sets a key wins.
//!
//! Every key is declared once, in the [`settings!`] table below: its name, its type and how its text is read, its
//! default and its doc (which is also its flag's help and its comment in `gazette config`). The table makes the typed
//! [`Config`] fields, the [`KEYS`] list the binary builds its flags from, and the resolution. Values travel as text
//! until they are resolved, so that an error names the key and where the bad value came from, and `gazette config`
//! prints each value as it was written, with its source. The file is therefore read as a TOML table of text, not
//! deserialised straight into the struct: serde would lose the text and the origin.
//!
//! The fetcher's keys take their defaults from [`gazette_fetch::FetchConfig::default`]: one default, in one place.
//! Every command that fetches builds its fetcher with [`Config::fetch_config`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A configuration error: the key, the value and where it came from, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

type Result<T, E = ConfigError> = std::result::Result<T, E>;

macro_rules! bail {
    ($($arg:tt)*) => { return Err(ConfigError(format!($($arg)*))) };
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(PathBuf),
    Env(String),
    Flag(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => write!(f, "default"),
            Origin::File(p) => write!(f, "file {}", p.display()),
            Origin::Env(v) => write!(f, "env {v}"),
            Origin::Flag(v) => write!(f, "flag {v}"),
        }
    }
}

/// How a key's text is written: decides how `gazette config` prints it and what a TOML file may give for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Count,
    Duration,
    Bytes,
    /// A number from 0 to 1.
    Fraction,
}

/// A configuration key, for the binary (its flags) and for `gazette config`.
#[derive(Debug, Clone)]
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
    /// The flag's value name (`N`, `DURATION`, ...) when the commands that fetch take the key as a flag; `None` for
    /// the global flags (`--db`, `--log-format`), which the binary declares itself.
    pub flag: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// How each kind of value is read from text. Each module: the Rust type, the [`Kind`], and `parse`.
mod read {
    use super::*;

    /// Where the archive is: a SQLite file path, or a `postgres://` URL.
    pub mod location {
        use super::*;
        pub type T = gazette_store::Location;
        pub const KIND: Kind = Kind::Text;
        pub fn parse(v: &str) -> Result<gazette_store::Location, String> {
            match v.is_empty() {
                true => Err("the database path is empty".into()),
                false => gazette_store::Location::parse(v).map_err(|e| e.to_string()),
            }
        }
    }

    pub mod count {
        pub fn parse(v: &str) -> Result<usize, String> {
            v.trim().parse::<usize>().map_err(|_| "expected a whole number".into())
        }
    }

    pub mod days {
        use super::*;
        pub type T = u64;
        pub const KIND: Kind = Kind::Count;
        pub fn parse(v: &str) -> Result<u64, String> {
            count::parse(v).map(|n| n as u64)
        }
    }

    pub mod positive {
        use super::*;
        pub type T = usize;
        pub const KIND: Kind = Kind::Count;
        pub fn parse(v: &str) -> Result<usize, String> {
            match count::parse(v)? {
                0 => Err("must be at least 1".into()),
                n => Ok(n),
            }
        }
    }

    /// A thread count, 0 meaning one per core.
    pub mod threads {
        use super::*;
        pub type T = usize;
        pub const KIND: Kind = Kind::Count;
        pub fn parse(v: &str) -> Result<usize, String> {
            Ok(match count::parse(v)? {
                0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
                n => n,
            })
        }
    }

    /// A share, from 0 to 1.
    pub mod fraction {
        use super::*;
        pub type T = f64;
        pub const KIND: Kind = Kind::Fraction;
        pub fn parse(v: &str) -> Result<f64, String> {
            match v.trim().parse::<f64>() {
                Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
                _ => Err("expected a number from 0 to 1".into()),
            }
        }
    }

    pub mod duration {
        use super::*;
        pub type T = Duration;
        pub const KIND: Kind = Kind::Duration;
        pub fn parse(v: &str) -> Result<Duration, String> {
            parse_duration(v)
        }
    }

    pub mod bytes {
        use super::*;
        pub type T = usize;
        pub const KIND: Kind = Kind::Bytes;
        pub fn parse(v: &str) -> Result<usize, String> {
            parse_bytes(v)
        }
    }

    /// Text where empty means "not set".
    pub mod optional_text {
        use super::*;
        pub type T = Option<String>;
        pub const KIND: Kind = Kind::Text;
        pub fn parse(v: &str) -> Result<Option<String>, String> {
            Ok(Some(v.trim().to_string()).filter(|s| !s.is_empty()))
        }
    }

    pub mod log_format {
        use super::*;
        pub type T = LogFormat;
        pub const KIND: Kind = Kind::Text;
        pub fn parse(v: &str) -> Result<LogFormat, String> {
            match v.trim().to_ascii_lowercase().as_str() {
                "text" | "" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err("expected text or json".into()),
            }
        }
    }

    /// An address to listen on: empty or `off` for none, a bare port for the loopback address.
    pub mod listen {
        use super::*;
        pub type T = Option<SocketAddr>;
        pub const KIND: Kind = Kind::Text;
        pub fn parse(v: &str) -> Result<Option<SocketAddr>, String> {
            let v = v.trim();
            if v.is_empty() || v.eq_ignore_ascii_case("off") {
                Ok(None)
            } else if let Ok(port) = v.trim_start_matches(':').parse::<u16>() {
                // A bare port is the loopback address: metrics are for the local scraper unless said otherwise.
                Ok(Some(SocketAddr::from(([127, 0, 0, 1], port))))
            } else {
                v.parse()
                    .map(Some)
                    .map_err(|_| "expected a port or IP:PORT, e.g. 9464 or 127.0.0.1:9464".into())
            }
        }
    }
}

/// An address to listen on as the configuration reads one: a bare port is the loopback address; empty or `off` is
/// none.
pub fn parse_listen(v: &str) -> std::result::Result<Option<SocketAddr>, String> {
    read::listen::parse(v)
}

/// The one table of settings: `doc`, `name: kind = default`, and `flag "VALUE"` for the keys the commands that
/// fetch take as flags. It makes [`Config`]'s fields, [`KEYS`] and the resolution.
macro_rules! settings {
    ($( #[doc = $doc:literal] $name:ident : $kind:ident = $default:expr $(, flag $value:literal)? ; )*) => {
        /// The effective configuration.
        #[derive(Debug, Clone)]
        pub struct Config {
            $( #[doc = $doc] pub $name: read::$kind::T, )*
            /// The file read, if any.
            pub file: Option<PathBuf>,
            /// Each key's value as text and its origin, in [`KEYS`] order.
            pub values: Vec<(&'static str, String, Origin)>,
        }

        /// Every configuration key, in the order `gazette config` prints them.
        pub const KEYS: &[Key] = &[
            $( Key {
                name: stringify!($name),
                kind: read::$kind::KIND,
                doc: $doc.trim_ascii_start(),
                flag: settings!(@flag $($value)?),
            }, )*
        ];

        /// Each key's default, as text, in [`KEYS`] order.
        fn defaults() -> Vec<String> {
            vec![ $( String::from($default), )* ]
        }

        impl Config {
            /// The typed values of resolved text (`raw`: each key's text and origin).
            fn parse(raw: &BTreeMap<&'static str, (String, Origin)>, file: Option<PathBuf>) -> Result<Config> {
                Ok(Config {
                    $( $name: {
                        let (v, o) = &raw[stringify!($name)];
                        read::$kind::parse(v).map_err(|e| setting_error(stringify!($name), v, o, &e))?
                    }, )*
                    file,
                    values: KEYS.iter().map(|k| {
                        let (v, o) = raw[k.name].clone();
                        (k.name, shown(k.name, v), o)
                    }).collect(),
                })
            }
        }
    };
    (@flag $value:literal) => { Some($value) };
    (@flag) => { None };
}

/// A value as `gazette config` may show it: a database URL's password and the web view's token as `***`.
fn shown(name: &str, value: String) -> String {
    match name {
        "db" if gazette_store::postgres::connect::is_postgres_url(&value) => {
            gazette_store::postgres::connect::redact(&value)
        }
        "web_token" if !value.is_empty() => "***".to_string(),
        _ => value,
    }
}

fn setting_error(name: &str, v: &str, o: &Origin, e: &str) -> ConfigError {
    if name == "db" {
        // An empty path says nothing worth quoting.
        return ConfigError(format!("db ({o}): {e}"));
    }
    ConfigError(format!("{name} = {v:?} ({o}): {e}"))
}

fn fetch_defaults() -> gazette_fetch::FetchConfig {
    gazette_fetch::FetchConfig::default()
}

fn story_defaults() -> gazette_stories::Config {
    gazette_stories::Config::default()
}

settings! {
    /// the archive: a SQLite file, or a PostgreSQL URL (postgres://user@host/dbname)
    db: location = "gazette.db";
    /// feeds fetched at once
    feed_concurrency: positive = "8", flag "N";
    /// article pages fetched at once
    page_concurrency: positive = "16", flag "N";
    /// requests in flight per host (on PostgreSQL: by all daemons together)
    per_host_concurrency: positive = fetch_defaults().per_host_concurrency.to_string(), flag "N";
    /// minimum gap between requests to one host (on PostgreSQL: by all daemons together)
    per_host_gap: duration = setting_duration(fetch_defaults().per_host_gap), flag "DURATION";
    /// extraction and tagging threads (0: one per core)
    extract_threads: threads = "0", flag "N";
    /// shortest time between two checks of a feed
    min_interval: duration = "5m", flag "DURATION";
    /// longest time between two checks of a feed
    max_interval: duration = "24h", flag "DURATION";
    /// longest wait after failed fetches
    error_backoff_cap: duration = "12h", flag "DURATION";
    /// disable a feed that failed for this many days in a row (0: never)
    disable_after_days: days = "14", flag "DAYS";
    /// days of fetch history (and page retries) kept; 0: forever
    history_days: days = "90", flag "DAYS";
    /// feed body cap, after decompression
    max_feed_bytes: bytes = setting_bytes(fetch_defaults().max_feed_bytes), flag "SIZE";
    /// page body cap, after decompression
    max_page_bytes: bytes = setting_bytes(fetch_defaults().max_page_bytes), flag "SIZE";
    /// whole-request timeout
    request_timeout: duration = setting_duration(fetch_defaults().request_timeout), flag "DURATION";
    /// the most one fetch of a feed or page may take, retries included
    fetch_budget: duration = setting_duration(fetch_defaults().fetch_budget), flag "DURATION";
    /// User-Agent header (empty: Gazette/VERSION and its home page)
    user_agent: optional_text = "", flag "UA";
    /// text or json
    log_format: log_format = "text";
    /// address for /metrics and /healthz, e.g. 127.0.0.1:9464 (empty: off)
    metrics_listen: listen = "", flag "ADDR";
    /// token the web view requires (gazette serve, daemon --serve); needed on a non-loopback address
    web_token: optional_text = "";
    /// longest wait for in-flight work after SIGINT/SIGTERM
    shutdown_timeout: duration = "30s", flag "DURATION";
    /// two bodies sharing this share of their word shingles (Jaccard) are one story
    story_body_jaccard: fraction = story_defaults().rule.body_jaccard.to_string();
    /// ... or when this share of the shorter body is in the longer (a cut or extended copy) ...
    story_body_containment: fraction = story_defaults().rule.body_containment.to_string();
    /// ... and they still share this Jaccard
    story_containment_min_jaccard: fraction = story_defaults().rule.containment_min_jaccard.to_string();
    /// two short articles (under 50 words) are one story when their title and lead share this Jaccard
    story_lead_jaccard: fraction = story_defaults().rule.lead_jaccard.to_string();
    /// earlier articles compared per LSH band key (the most recent)
    story_candidates: positive = story_defaults().candidates.per_key.to_string();
    /// PostgreSQL: how long a dead daemon's feeds stay held before others take them (its turns at hosts: 30s at most)
    feed_lease: duration = "10m", flag "DURATION";
}

/// What the command line says about configuration.
#[derive(Debug, Default, Clone)]
pub struct CommandLine {
    pub config: Option<PathBuf>,
    pub db: Option<String>,
    pub log_format: Option<String>,
    /// Flags of the keys in [`KEYS`] that have one: (key name, value as given).
    pub flags: Vec<(&'static str, String)>,
}

impl Config {
    /// Resolves the configuration from the process environment and the command line.
    pub fn load(cli: &CommandLine) -> Result<Config> {
        Config::resolve(cli, |name| std::env::var(name).ok())
    }

    /// Resolves the configuration with `env` standing in for the environment (tests).
    pub fn resolve(cli: &CommandLine, env: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let mut raw: BTreeMap<&'static str, (String, Origin)> = KEYS
            .iter()
            .zip(defaults())
            .map(|(k, d)| (k.name, (d, Origin::Default)))
            .collect();

        let file = match &cli.config {
            Some(p) => Some(p.clone()),
            None => env("GAZETTE_CONFIG").filter(|s| !s.is_empty()).map(PathBuf::from),
        };
        if let Some(path) = &file {
            for (k, v) in read_file(path)? {
                raw.insert(k, (v, Origin::File(path.clone())));
            }
        }
        for key in KEYS {
            let var = format!("GAZETTE_{}", key.name.to_ascii_uppercase());
            if let Some(v) = env(&var) {
                raw.insert(key.name, (v, Origin::Env(var)));
            }
        }
        let mut set_flag = |name: &'static str, v: &str| {
            raw.insert(
                name,
                (v.to_string(), Origin::Flag(format!("--{}", name.replace('_', "-")))),
            );
        };
        if let Some(db) = &cli.db {
            set_flag("db", db);
        }
        if let Some(f) = &cli.log_format {
            set_flag("log_format", f);
        }
        for (name, v) in &cli.flags {
            let key = KEYS
                .iter()
                .find(|k| k.name == *name)
                .ok_or_else(|| ConfigError(format!("unknown configuration key {name:?}")))?;
            set_flag(key.name, v);
        }

        let config = Config::parse(&raw, file)?;
        let origin = |name: &str| raw[name].1.clone();
        if config.min_interval.is_zero() {
            bail!("min_interval ({}): must be more than 0", origin("min_interval"));
        }
        if config.history_days > 0 && config.disable_after_days >= config.history_days {
            // Disabling counts a feed's failures back through its fetch history.
            bail!(
                "history_days ({}) must be longer than disable_after_days ({})",
                origin("history_days"),
                origin("disable_after_days")
            );
        }
        if config.max_interval < config.min_interval {
            bail!(
                "max_interval ({}) is shorter than min_interval ({})",
                origin("max_interval"),
                origin("min_interval")
            );
        }
        Ok(config)
    }

    /// The fetcher's settings: the fetcher's defaults with this configuration's caps, timeouts, politeness and UA.
    /// Every command that fetches uses it.
    pub fn fetch_config(&self) -> gazette_fetch::FetchConfig {
        let mut c = gazette_fetch::FetchConfig::default();
        if let Some(ua) = &self.user_agent {
            c.user_agent = ua.clone();
        }
        c.max_feed_bytes = self.max_feed_bytes;
        c.max_page_bytes = self.max_page_bytes;
        c.per_host_concurrency = self.per_host_concurrency;
        c.per_host_gap = self.per_host_gap;
        c.request_timeout = self.request_timeout;
        c.fetch_budget = self.fetch_budget;
        c
    }

    /// How the store decides stories: the default scheme with this configuration's thresholds.
    pub fn stories(&self) -> gazette_stories::Config {
        let mut c = gazette_stories::Config::default();
        c.rule.body_jaccard = self.story_body_jaccard;
        c.rule.body_containment = self.story_body_containment;
        c.rule.containment_min_jaccard = self.story_containment_min_jaccard;
        c.rule.lead_jaccard = self.story_lead_jaccard;
        c.candidates.per_key = self.story_candidates;
        c
    }

    /// The scheduling policy of this configuration.
    pub fn policy(&self) -> crate::schedule::Policy {
        crate::schedule::Policy {
            min_interval: self.min_interval,
            max_interval: self.max_interval,
            error_backoff_cap: self.error_backoff_cap,
            disable_after: (self.disable_after_days > 0).then(|| Duration::from_secs(self.disable_after_days * 86_400)),
        }
    }

    /// The effective configuration as TOML, each line commented with the value's origin.
    pub fn to_annotated_toml(&self) -> String {
        let width = KEYS.iter().map(|k| k.name.len()).max().unwrap_or(0);
        let mut out = String::new();
        match &self.file {
            Some(p) => out.push_str(&format!("# configuration file: {}\n", p.display())),
            None => out.push_str("# configuration file: none (set one with --config or GAZETTE_CONFIG)\n"),
        }
        for ((name, value, origin), key) in self.values.iter().zip(KEYS) {
            let literal = match key.kind {
                Kind::Count if value.trim().parse::<u64>().is_ok() => value.trim().to_string(),
                Kind::Fraction if value.trim().parse::<f64>().is_ok() => value.trim().to_string(),
                _ => toml_string(value),
            };
            let line = format!("{name:width$} = {literal}");
            out.push_str(&format!("{line:48} # {origin}; {}\n", key.doc));
        }
        out
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Reads a configuration file: a flat TOML table of known keys.
fn read_file(path: &Path) -> Result<Vec<(&'static str, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("reading configuration {}: {e}", path.display())))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| ConfigError(format!("parsing configuration {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (k, v) in table {
        let Some(key) = KEYS.iter().find(|key| key.name == k) else {
            let known: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
            bail!("{}: unknown key {k:?} (known: {})", path.display(), known.join(", "));
        };
        let text = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) if i >= 0 => i.to_string(),
            toml::Value::Float(f) if key.kind == Kind::Duration && f >= 0.0 => format!("{f}s"),
            toml::Value::Float(f) if key.kind == Kind::Fraction => f.to_string(),
            other => bail!("{}: {k} = {other}: expected a string or a number", path.display()),
        };
        out.push((key.name, text));
    }
    Ok(out)
}

/// A duration as a setting is written: milliseconds under a second, seconds under two minutes (`60s` reads better
/// than `1m`), else the largest units (`5m`, `12h`).
fn setting_duration(d: Duration) -> String {
    if d < Duration::from_secs(120) && d >= Duration::from_secs(1) && d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format_duration(d)
    }
}

/// A size as a setting is written: in the largest binary unit that divides it (`20MiB`).
fn setting_bytes(n: usize) -> String {
    for (unit, size) in [("GiB", 1usize << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{}{unit}", n / size);
        }
    }
    n.to_string()
}

/// `90`, `90s`, `250ms`, `5m`, `1h30m`, `2d`: a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(secs) = s.parse::<f64>() {
        return if secs.is_finite() && secs >= 0.0 {
            Ok(Duration::from_secs_f64(secs))
        } else {
            Err("expected a duration such as 30s, 5m, 24h".into())
        };
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or("a number needs a unit: ms, s, m, h or d")?;
        if digits == 0 {
            return Err("expected a duration such as 30s, 5m, 24h".into());
        }
        let n: f64 = rest[..digits].parse().map_err(|_| "bad number".to_string())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = rest[..unit_len].trim();
        let secs = match unit {
            "ms" => n / 1000.0,
            "s" | "sec" | "secs" => n,
            "m" | "min" | "mins" => n * 60.0,
            "h" | "hour" | "hours" => n * 3600.0,
            "d" | "day" | "days" => n * 86_400.0,
            other => return Err(format!("unknown unit {other:?} (use ms, s, m, h or d)")),
        };
        total += Duration::from_secs_f64(secs);
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// `1048576`, `512KiB`, `20MiB`, `1GiB` (also KB/MB/GB, read as powers of 1024).
pub fn parse_bytes(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: usize = s[..split]
        .parse()
        .map_err(|_| "expected a size such as 10MiB".to_string())?;
    let mult = match s[split..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit {other:?} (use KiB, MiB or GiB)")),
    };
    n.checked_mul(mult).ok_or_else(|| "size too large".to_string())
}

/// Durations for humans and logs: `5m`, `1h30m`, `250ms`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let mut secs = d.as_secs();
    let mut out = String::new();
    for (unit, len) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs >= len {
            out.push_str(&format!("{}{unit}", secs / len));
            secs %= len;
        }
    }
    if secs > 0 || out.is_empty() {
        out.push_str(&format!("{secs}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn durations_and_sizes_parse() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("m").is_err());
        assert_eq!(parse_bytes("20MiB").unwrap(), 20 << 20);
        assert_eq!(parse_bytes("512").unwrap(), 512);
        assert!(parse_bytes("1XB").is_err());
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
    }

    #[test]
    fn defaults_then_file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("g.toml");
        std::fs::write(
            &file,
            "db = \"/var/lib/gazette/g.db\"\nfeed_concurrency = 3\nmin_interval = \"10m\"\nmax_page_bytes = 1024\n",
        )
        .unwrap();
        let cli = CommandLine {
            config: Some(file.clone()),
            flags: vec![("feed_concurrency", "5".into())],
            ..Default::default()
        };
        let c = Config::resolve(
            &cli,
            env_of(&[("GAZETTE_MIN_INTERVAL", "15m"), ("GAZETTE_FEED_CONCURRENCY", "4")]),
        )
        .unwrap();
        assert_eq!(c.db.to_string(), "/var/lib/gazette/g.db");
        assert_eq!(c.feed_concurrency, 5);
        assert_eq!(c.min_interval, Duration::from_secs(900));
        assert_eq!(c.max_page_bytes, 1024);
        assert_eq!(c.max_interval, Duration::from_secs(86_400));
        let origin = |k: &str| c.values.iter().find(|v| v.0 == k).unwrap().2.clone();
        assert_eq!(origin("db"), Origin::File(file.clone()));
        assert_eq!(origin("feed_concurrency"), Origin::Flag("--feed-concurrency".into()));
        assert_eq!(origin("min_interval"), Origin::Env("GAZETTE_MIN_INTERVAL".into()));
        assert_eq!(origin("max_interval"), Origin::Default);
        let printed = c.to_annotated_toml();
        assert!(printed.contains("feed_concurrency"), "{printed}");
        // The printed configuration is itself a valid configuration file.
        let reparsed: toml::Table = printed.parse().unwrap();
        assert_eq!(reparsed["min_interval"].as_str(), Some("15m"));
    }

    #[test]
    fn secrets_are_shown_as_stars() {
        let token = "k7Qp2vX9mRt4Lw8z";
        let c = Config::resolve(
            &CommandLine::default(),
            env_of(&[
                ("GAZETTE_WEB_TOKEN", token),
                ("GAZETTE_DB", "postgres://gazette:hunter2hunter2@127.0.0.1:5432/news"),
            ]),
        )
        .unwrap();
        assert_eq!(c.web_token.as_deref(), Some(token));
        let printed = c.to_annotated_toml();
        assert!(!printed.contains(token) && !printed.contains("hunter2"), "{printed}");
        let line = printed.lines().find(|l| l.starts_with("web_token")).unwrap();
        assert!(line.contains("\"***\""), "{line}");
    }

    #[test]
    fn bad_values_name_the_key_and_the_source() {
        let e = Config::resolve(&CommandLine::default(), env_of(&[("GAZETTE_MAX_INTERVAL", "soon")])).unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("max_interval") && msg.contains("GAZETTE_MAX_INTERVAL"),
            "{msg}"
        );

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("g.toml");
        std::fs::write(&file, "feed_concurency = 3\n").unwrap();
        let cli = CommandLine {
            config: Some(file),
            ..Default::default()
        };
        let msg = format!("{:#}", Config::resolve(&cli, env_of(&[])).unwrap_err());
        assert!(msg.contains("unknown key \"feed_concurency\""), "{msg}");

        let cli = CommandLine {
            log_format: Some("xml".into()),
            ..Default::default()
        };
        assert!(Config::resolve(&cli, env_of(&[])).is_err());
        let e = Config::resolve(
            &CommandLine::default(),
            env_of(&[("GAZETTE_MIN_INTERVAL", "2h"), ("GAZETTE_MAX_INTERVAL", "1h")]),
        );
        assert!(e.is_err());
        // Disabling reads a feed's failures back through the history it keeps.
        let msg = format!(
            "{:#}",
            Config::resolve(&CommandLine::default(), env_of(&[("GAZETTE_HISTORY_DAYS", "7")])).unwrap_err()
        );
        assert!(
            msg.contains("history_days") && msg.contains("disable_after_days"),
            "{msg}"
        );
        let forever = Config::resolve(&CommandLine::default(), env_of(&[("GAZETTE_HISTORY_DAYS", "0")])).unwrap();
        assert_eq!(forever.history_days, 0);
    }

    #[test]
    fn a_bare_metrics_port_listens_on_loopback() {
        for v in ["9464", ":9464"] {
            let c = Config::resolve(&CommandLine::default(), env_of(&[("GAZETTE_METRICS_LISTEN", v)])).unwrap();
            assert_eq!(c.metrics_listen, Some("127.0.0.1:9464".parse().unwrap()), "{v}");
        }
        let c = Config::resolve(
            &CommandLine::default(),
            env_of(&[("GAZETTE_METRICS_LISTEN", "[::1]:9")]),
        )
        .unwrap();
        assert_eq!(c.metrics_listen, Some("[::1]:9".parse().unwrap()));
        let e = Config::resolve(
            &CommandLine::default(),
            env_of(&[("GAZETTE_METRICS_LISTEN", "localhost")]),
        );
        assert!(format!("{:#}", e.unwrap_err()).contains("metrics_listen"));
    }

    #[test]
    fn the_fetchers_defaults_read_as_they_always_did() {
        let c = Config::resolve(&CommandLine::default(), env_of(&[])).unwrap();
        let default = |k: &str| c.values.iter().find(|v| v.0 == k).unwrap().1.clone();
        assert_eq!(default("per_host_concurrency"), "2");
        assert_eq!(default("per_host_gap"), "250ms");
        assert_eq!(default("max_feed_bytes"), "20MiB");
        assert_eq!(default("max_page_bytes"), "10MiB");
        assert_eq!(default("request_timeout"), "60s");
        assert_eq!(default("fetch_budget"), "90s");
        let fetch = c.fetch_config();
        let defaults = gazette_fetch::FetchConfig::default();
        assert_eq!(fetch.request_timeout, defaults.request_timeout);
        assert_eq!(fetch.fetch_budget, defaults.fetch_budget);
        assert_eq!(fetch.max_feed_bytes, defaults.max_feed_bytes);
        assert_eq!(fetch.user_agent, defaults.user_agent);
        assert_eq!(setting_duration(Duration::from_secs(300)), "5m");
        assert_eq!(setting_bytes(1536), "1536");
    }

    #[test]
    fn the_config_file_can_come_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("g.toml");
        std::fs::write(&file, "metrics_listen = \"127.0.0.1:9464\"\nlog_format = \"json\"\n").unwrap();
        let c = Config::resolve(
            &CommandLine::default(),
            env_of(&[("GAZETTE_CONFIG", file.to_str().unwrap())]),
        )
        .unwrap();
        assert_eq!(c.metrics_listen, Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.file.as_deref(), Some(file.as_path()));
    }
}
