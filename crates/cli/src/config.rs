//! Configuration: defaults, then a TOML file (`--config` or `GAZETTE_CONFIG`), then environment variables
//! (`GAZETTE_<KEY>`), then command-line flags (`--<key-with-dashes>`); the last one that sets a key wins.
//!
//! Every key is declared once in [`KEYS`]; values travel as text until [`Config::resolve`] parses them, so that an
//! error can name the key and where the bad value came from, and `gazette config` can print each value with its source.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Count,
    Duration,
    Bytes,
}

struct Key {
    name: &'static str,
    kind: Kind,
    default: &'static str,
    help: &'static str,
}

/// Every configuration key, its kind, default and meaning. `user_agent`'s empty default means the fetcher's own.
#[rustfmt::skip]
const KEYS: &[Key] = &[
    Key {
        name: "db",
        kind: Kind::Text,
        default: "gazette.db",
        help: "the SQLite database",
    },
    Key {
        name: "feed_concurrency",
        kind: Kind::Count,
        default: "8",
        help: "feeds fetched at once",
    },
    Key {
        name: "page_concurrency",
        kind: Kind::Count,
        default: "16",
        help: "article pages fetched at once",
    },
    Key {
        name: "per_host_concurrency",
        kind: Kind::Count,
        default: "2",
        help: "requests in flight per host",
    },
    Key {
        name: "per_host_gap",
        kind: Kind::Duration,
        default: "250ms",
        help: "minimum gap between requests to one host",
    },
    Key {
        name: "extract_threads",
        kind: Kind::Count,
        default: "0",
        help: "extraction and tagging threads (0: one per core)",
    },
    Key {
        name: "min_interval",
        kind: Kind::Duration,
        default: "5m",
        help: "shortest time between two checks of a feed",
    },
    Key {
        name: "max_interval",
        kind: Kind::Duration,
        default: "24h",
        help: "longest time between two checks of a feed",
    },
    Key {
        name: "error_backoff_cap",
        kind: Kind::Duration,
        default: "12h",
        help: "longest wait after failed fetches",
    },
    Key {
        name: "disable_after_days",
        kind: Kind::Count,
        default: "14",
        help: "disable a feed that failed for this many days in a row (0: never)",
    },
    Key {
        name: "history_days",
        kind: Kind::Count,
        default: "90",
        help: "days of fetch history (and page retries) kept; 0: forever",
    },
    Key {
        name: "max_feed_bytes",
        kind: Kind::Bytes,
        default: "20MiB",
        help: "feed body cap, after decompression",
    },
    Key {
        name: "max_page_bytes",
        kind: Kind::Bytes,
        default: "10MiB",
        help: "page body cap, after decompression",
    },
    Key {
        name: "request_timeout",
        kind: Kind::Duration,
        default: "60s",
        help: "whole-request timeout",
    },
    Key {
        name: "user_agent",
        kind: Kind::Text,
        default: "",
        help: "User-Agent header (empty: Gazette/VERSION and its home page)",
    },
    Key {
        name: "log_format",
        kind: Kind::Text,
        default: "text",
        help: "text or json",
    },
    Key {
        name: "metrics_listen",
        kind: Kind::Text,
        default: "",
        help: "address for /metrics and /healthz, e.g. 127.0.0.1:9464 (empty: off)",
    },
    Key {
        name: "shutdown_timeout",
        kind: Kind::Duration,
        default: "30s",
        help: "longest wait for in-flight work after SIGINT/SIGTERM",
    },
];

/// The flags that override configuration keys. `--db`, `--config` and `--log-format` are global; the rest are taken
/// by the commands that fetch (`ingest`, `daemon`) and by `config`.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Flags {
    /// Feeds fetched at once.
    #[arg(long, value_name = "N")]
    pub feed_concurrency: Option<String>,
    /// Article pages fetched at once (per-host limits still apply).
    #[arg(long, value_name = "N")]
    pub page_concurrency: Option<String>,
    /// Requests in flight per host.
    #[arg(long, value_name = "N")]
    pub per_host_concurrency: Option<String>,
    /// Minimum gap between requests to one host (e.g. 250ms, 1s).
    #[arg(long, value_name = "DURATION")]
    pub per_host_gap: Option<String>,
    /// Extraction and tagging threads (0: one per core).
    #[arg(long, value_name = "N")]
    pub extract_threads: Option<String>,
    /// Shortest time between two checks of a feed (e.g. 5m).
    #[arg(long, value_name = "DURATION")]
    pub min_interval: Option<String>,
    /// Longest time between two checks of a feed (e.g. 24h).
    #[arg(long, value_name = "DURATION")]
    pub max_interval: Option<String>,
    /// Longest wait after failed fetches.
    #[arg(long, value_name = "DURATION")]
    pub error_backoff_cap: Option<String>,
    /// Disable a feed failing this many days in a row (0: never).
    #[arg(long, value_name = "DAYS")]
    pub disable_after_days: Option<String>,
    /// Days of fetch history kept (0: forever).
    #[arg(long, value_name = "DAYS")]
    pub history_days: Option<String>,
    /// Feed body cap (e.g. 20MiB).
    #[arg(long, value_name = "SIZE")]
    pub max_feed_bytes: Option<String>,
    /// Page body cap (e.g. 10MiB).
    #[arg(long, value_name = "SIZE")]
    pub max_page_bytes: Option<String>,
    /// Whole-request timeout.
    #[arg(long, value_name = "DURATION")]
    pub request_timeout: Option<String>,
    /// User-Agent header.
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// Serve /metrics and /healthz on this address (e.g. 127.0.0.1:9464).
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<String>,
    /// Longest wait for in-flight work after SIGINT/SIGTERM.
    #[arg(long, value_name = "DURATION")]
    pub shutdown_timeout: Option<String>,
}

impl Flags {
    fn pairs(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![
            ("feed_concurrency", &self.feed_concurrency),
            ("page_concurrency", &self.page_concurrency),
            ("per_host_concurrency", &self.per_host_concurrency),
            ("per_host_gap", &self.per_host_gap),
            ("extract_threads", &self.extract_threads),
            ("min_interval", &self.min_interval),
            ("max_interval", &self.max_interval),
            ("error_backoff_cap", &self.error_backoff_cap),
            ("disable_after_days", &self.disable_after_days),
            ("history_days", &self.history_days),
            ("max_feed_bytes", &self.max_feed_bytes),
            ("max_page_bytes", &self.max_page_bytes),
            ("request_timeout", &self.request_timeout),
            ("user_agent", &self.user_agent),
            ("metrics_listen", &self.metrics_listen),
            ("shutdown_timeout", &self.shutdown_timeout),
        ]
    }
}

/// What the command line says about configuration.
#[derive(Debug, Default, Clone)]
pub struct CommandLine {
    pub config: Option<PathBuf>,
    pub db: Option<PathBuf>,
    pub log_format: Option<String>,
    pub flags: Flags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    pub feed_concurrency: usize,
    pub page_concurrency: usize,
    pub per_host_concurrency: usize,
    pub per_host_gap: Duration,
    pub extract_threads: usize,
    pub min_interval: Duration,
    pub max_interval: Duration,
    pub error_backoff_cap: Duration,
    pub disable_after_days: u64,
    /// 0: keep everything.
    pub history_days: u64,
    pub max_feed_bytes: usize,
    pub max_page_bytes: usize,
    pub request_timeout: Duration,
    pub user_agent: Option<String>,
    pub log_format: LogFormat,
    pub metrics_listen: Option<SocketAddr>,
    pub shutdown_timeout: Duration,
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// Each key's value as text and its origin, in [`KEYS`] order.
    pub values: Vec<(&'static str, String, Origin)>,
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
            .map(|k| (k.name, (k.default.to_string(), Origin::Default)))
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
        let mut set_flag = |name: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                raw.insert(name, (v.clone(), Origin::Flag(format!("--{}", name.replace('_', "-")))));
            }
        };
        set_flag("db", &cli.db.as_ref().map(|p| p.display().to_string()));
        set_flag("log_format", &cli.log_format);
        for (name, v) in cli.flags.pairs() {
            set_flag(name, v);
        }

        let get = |name: &str| -> (&str, &Origin) {
            let (v, o) = &raw[name];
            (v.as_str(), o)
        };
        let count = |name: &str| -> Result<usize> {
            let (v, o) = get(name);
            v.trim()
                .parse::<usize>()
                .map_err(|_| anyhow!("{name} = {v:?} ({o}): expected a whole number"))
        };
        let duration = |name: &str| -> Result<Duration> {
            let (v, o) = get(name);
            parse_duration(v).map_err(|e| anyhow!("{name} = {v:?} ({o}): {e}"))
        };
        let bytes = |name: &str| -> Result<usize> {
            let (v, o) = get(name);
            parse_bytes(v).map_err(|e| anyhow!("{name} = {v:?} ({o}): {e}"))
        };
        let positive = |name: &str| -> Result<usize> {
            let n = count(name)?;
            if n == 0 {
                let (v, o) = get(name);
                bail!("{name} = {v:?} ({o}): must be at least 1");
            }
            Ok(n)
        };

        let log_format = match get("log_format").0.trim().to_ascii_lowercase().as_str() {
            "text" | "" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => bail!(
                "log_format = {other:?} ({}): expected text or json",
                get("log_format").1
            ),
        };
        let metrics_listen = {
            let (v, o) = get("metrics_listen");
            let v = v.trim();
            if v.is_empty() || v.eq_ignore_ascii_case("off") {
                None
            } else if let Ok(port) = v.trim_start_matches(':').parse::<u16>() {
                // A bare port is the loopback address: metrics are for the local scraper unless said otherwise.
                Some(SocketAddr::from(([127, 0, 0, 1], port)))
            } else {
                let addr: SocketAddr = v.parse().map_err(|_| {
                    anyhow!("metrics_listen = {v:?} ({o}): expected a port or IP:PORT, e.g. 9464 or 127.0.0.1:9464")
                })?;
                Some(addr)
            }
        };
        let user_agent = Some(get("user_agent").0.trim().to_string()).filter(|s| !s.is_empty());
        let db = PathBuf::from(get("db").0);
        if db.as_os_str().is_empty() {
            bail!("db ({}): the database path is empty", get("db").1);
        }

        let config = Config {
            db,
            feed_concurrency: positive("feed_concurrency")?,
            page_concurrency: positive("page_concurrency")?,
            per_host_concurrency: positive("per_host_concurrency")?,
            per_host_gap: duration("per_host_gap")?,
            extract_threads: match count("extract_threads")? {
                0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
                n => n,
            },
            min_interval: duration("min_interval")?,
            max_interval: duration("max_interval")?,
            error_backoff_cap: duration("error_backoff_cap")?,
            disable_after_days: count("disable_after_days")? as u64,
            history_days: count("history_days")? as u64,
            max_feed_bytes: bytes("max_feed_bytes")?,
            max_page_bytes: bytes("max_page_bytes")?,
            request_timeout: duration("request_timeout")?,
            user_agent,
            log_format,
            metrics_listen,
            shutdown_timeout: duration("shutdown_timeout")?,
            file,
            values: KEYS
                .iter()
                .map(|k| {
                    let (v, o) = raw[k.name].clone();
                    (k.name, v, o)
                })
                .collect(),
        };
        if config.min_interval.is_zero() {
            bail!("min_interval ({}): must be more than 0", get("min_interval").1);
        }
        if config.history_days > 0 && config.disable_after_days >= config.history_days {
            // Disabling counts a feed's failures back through its fetch history.
            bail!(
                "history_days ({}) must be longer than disable_after_days ({})",
                get("history_days").1,
                get("disable_after_days").1
            );
        }
        if config.max_interval < config.min_interval {
            bail!(
                "max_interval ({}) is shorter than min_interval ({})",
                get("max_interval").1,
                get("min_interval").1
            );
        }
        Ok(config)
    }

    /// The fetcher's settings: the fetcher's defaults with this configuration's caps, timeouts, politeness and UA.
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
        c
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
                _ => toml_string(value),
            };
            let line = format!("{name:width$} = {literal}");
            out.push_str(&format!("{line:48} # {origin}; {}\n", key.help));
        }
        out
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Reads a configuration file: a flat TOML table of known keys.
fn read_file(path: &Path) -> Result<Vec<(&'static str, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading configuration {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("parsing configuration {}", path.display()))?;
    let mut out = Vec::new();
    for (k, v) in table {
        let key = KEYS.iter().find(|key| key.name == k).ok_or_else(|| {
            let known: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
            anyhow!("{}: unknown key {k:?} (known: {})", path.display(), known.join(", "))
        })?;
        let text = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) if i >= 0 => i.to_string(),
            toml::Value::Float(f) if key.kind == Kind::Duration && f >= 0.0 => format!("{f}s"),
            other => bail!("{}: {k} = {other}: expected a string or a number", path.display()),
        };
        out.push((key.name, text));
    }
    Ok(out)
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
            flags: Flags {
                feed_concurrency: Some("5".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let c = Config::resolve(
            &cli,
            env_of(&[("GAZETTE_MIN_INTERVAL", "15m"), ("GAZETTE_FEED_CONCURRENCY", "4")]),
        )
        .unwrap();
        assert_eq!(c.db, PathBuf::from("/var/lib/gazette/g.db"));
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
