//! robots.txt (RFC 9309): the group for our product token, else `*`; longest match wins, `Allow` on ties;
//! `*` and `$` patterns; `Crawl-delay`.

use std::time::Duration;

/// The rules that apply to Gazette on one host.
#[derive(Debug, Clone, Default)]
pub struct RobotsRules {
    /// (allow, pattern)
    rules: Vec<(bool, String)>,
    pub crawl_delay: Option<Duration>,
    disallow_all: bool,
}

impl RobotsRules {
    /// No robots.txt (4xx): everything allowed.
    pub fn allow_all() -> Self {
        RobotsRules::default()
    }

    /// robots.txt unreachable (5xx): RFC 9309 says assume complete disallow.
    pub fn disallow_all() -> Self {
        RobotsRules {
            disallow_all: true,
            ..Default::default()
        }
    }

    /// Whether these are the stand-in rules for a robots.txt that answered with a server error.
    pub fn is_unavailable(&self) -> bool {
        self.disallow_all
    }

    /// Parses robots.txt for the user-agent product token `agent` (e.g. "gazette").
    pub fn parse(text: &str, agent: &str) -> Self {
        let agent = agent.to_ascii_lowercase();
        struct Group {
            agents: Vec<String>,
            rules: Vec<(bool, String)>,
            delay: Option<Duration>,
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push(Group {
                            agents: Vec::new(),
                            rules: Vec::new(),
                            delay: None,
                        });
                        in_agents = true;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.agents.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(g) = groups.last_mut() {
                        if !value.is_empty() {
                            g.rules.push((key == "allow", value.to_string()));
                        }
                    }
                }
                "crawl-delay" => {
                    in_agents = false;
                    if let Some(g) = groups.last_mut() {
                        g.delay = value
                            .parse::<f64>()
                            .ok()
                            .filter(|d| d.is_finite() && *d >= 0.0)
                            .map(|d| Duration::from_secs_f64(d.min(86_400.0)));
                    }
                }
                _ => {}
            }
        }
        let matches_us = |g: &&Group| {
            g.agents
                .iter()
                .any(|a| a != "*" && !a.is_empty() && agent.starts_with(a.as_str()))
        };
        let mut chosen: Vec<&Group> = groups.iter().filter(matches_us).collect();
        if chosen.is_empty() {
            chosen = groups.iter().filter(|g| g.agents.iter().any(|a| a == "*")).collect();
        }
        RobotsRules {
            rules: chosen.iter().flat_map(|g| g.rules.iter().cloned()).collect(),
            crawl_delay: chosen.iter().find_map(|g| g.delay),
            disallow_all: false,
        }
    }

    /// Whether a path (with its query) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        if path == "/robots.txt" {
            return true;
        }
        if self.disallow_all {
            return false;
        }
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if glob_match(pattern.as_bytes(), path.as_bytes()) {
                let len = pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Prefix match with `*` (any run) and a trailing `$` (end of path).
fn glob_match(pattern: &[u8], path: &[u8]) -> bool {
    let (pattern, anchored) = match pattern.split_last() {
        Some((b'$', rest)) => (rest, true),
        _ => (pattern, false),
    };
    // Iterative wildcard matching with backtracking to the last star.
    let (mut p, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pattern.len() {
            if !anchored || s == path.len() {
                return true;
            }
        } else if pattern[p] == b'*' {
            star = Some((p, s));
            p += 1;
            continue;
        } else if s < path.len() && pattern[p] == path[s] {
            p += 1;
            s += 1;
            continue;
        }
        match star {
            Some((sp, ss)) if ss < path.len() => {
                star = Some((sp, ss + 1));
                p = sp + 1;
                s = ss + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_precedence() {
        let txt = "User-agent: *\nDisallow: /\n\nUser-agent: Gazette\nUser-agent: other\nDisallow: /private\nAllow: /private/ok\nDisallow: /*.pdf$\nCrawl-delay: 2.5\n";
        let r = RobotsRules::parse(txt, "gazette");
        assert!(r.allows("/news/1.html"));
        assert!(!r.allows("/private/x"));
        assert!(r.allows("/private/ok/y"));
        assert!(!r.allows("/a/b.pdf"));
        assert!(r.allows("/a/b.pdf?x=1"));
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(2500)));
        let star = RobotsRules::parse(txt, "somebot");
        assert!(!star.allows("/news"));
        assert!(star.allows("/robots.txt"));
    }

    #[test]
    fn empty_and_odd() {
        assert!(RobotsRules::parse("", "gazette").allows("/x"));
        assert!(RobotsRules::parse("Disallow: /\n", "gazette").allows("/x"));
        assert!(RobotsRules::parse("User-agent: *\nDisallow:\n", "gazette").allows("/x"));
        assert!(!RobotsRules::disallow_all().allows("/x"));
        assert!(glob_match(b"/a*b*c", b"/axxbyyc"));
        assert!(!glob_match(b"/a*b$", b"/axxbc"));
    }
}
