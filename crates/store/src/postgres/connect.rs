//! Where a PostgreSQL archive is and how to reach it: the URL (with `sslmode` as libpq reads it), the password from
//! the URL, `PGPASSWORD` or a password file, and TLS through rustls.
//!
//! A password is a secret: [`PgUrl`] shows itself (Display and Debug alike) with `***` in its place, and nothing
//! else in Gazette holds the URL as text.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::Client;

use crate::{Result, StoreError};

/// How the connection is protected, as libpq's `sslmode` says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tls {
    Disable,
    /// TLS when the server offers it, else plain (libpq's default). The certificate is not checked.
    Prefer,
    /// TLS or nothing; the certificate is not checked (libpq's `require` without a root certificate).
    Require,
    /// TLS with the server's certificate checked against the roots (`sslrootcert`, else the web's well-known
    /// roots) and, with `hostname`, its name against the host's.
    Verify {
        roots: Option<PathBuf>,
        hostname: bool,
    },
}

/// A PostgreSQL URL (`postgres://user[:password]@host[:port]/dbname[?sslmode=...]`), parsed. Shown with its
/// password as `***`.
#[derive(Clone)]
pub struct PgUrl {
    config: tokio_postgres::Config,
    tls: Tls,
    shown: String,
}

impl std::fmt::Display for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgUrl({})", self.shown)
    }
}

/// Whether text names a PostgreSQL database rather than a file.
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// A URL with its password, if any, replaced by `***` (for anything shown: logs, errors, `gazette config`).
pub fn redact(s: &str) -> String {
    match url::Url::parse(s) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        // Unparseable: show the scheme only, since a password could be anywhere in it.
        Err(_) => format!("{}://…", s.split("://").next().unwrap_or("postgres")),
    }
}

impl PgUrl {
    /// Parses a URL, reading the password from `PGPASSWORD` or the password file (`passfile=`, `PGPASSFILE`, else
    /// `~/.pgpass`) when the URL has none.
    pub fn parse(s: &str) -> Result<PgUrl> {
        Self::parse_with_env(s, |k| std::env::var(k).ok())
    }

    pub(crate) fn parse_with_env(s: &str, env: impl Fn(&str) -> Option<String>) -> Result<PgUrl> {
        let shown = redact(s);
        let bad = |why: String| StoreError::BadUrl {
            url: shown.clone(),
            why,
        };
        let mut url = url::Url::parse(s).map_err(|e| bad(e.to_string()))?;
        // sslmode, sslrootcert and passfile are read here (tokio-postgres knows neither verify-ca/verify-full nor
        // these files); the rest goes to tokio-postgres as it is.
        let mut tls = None;
        let mut roots = None;
        let mut passfile = None;
        let mut kept = Vec::new();
        for (k, v) in url.query_pairs() {
            match &*k {
                "sslmode" => tls = Some(v.into_owned()),
                "sslrootcert" => roots = Some(PathBuf::from(&*v)),
                "passfile" => passfile = Some(PathBuf::from(&*v)),
                _ => kept.push((k.into_owned(), v.into_owned())),
            }
        }
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
        let tls = match tls.or_else(|| env("PGSSLMODE")).as_deref() {
            None | Some("prefer") | Some("allow") => Tls::Prefer,
            Some("disable") => Tls::Disable,
            Some("require") => Tls::Require,
            Some("verify-ca") => Tls::Verify {
                roots: roots.or_else(|| env("PGSSLROOTCERT").map(PathBuf::from)),
                hostname: false,
            },
            Some("verify-full") => Tls::Verify {
                roots: roots.or_else(|| env("PGSSLROOTCERT").map(PathBuf::from)),
                hostname: true,
            },
            Some(other) => {
                return Err(bad(format!(
                    "sslmode {other:?}: expected disable, prefer, require, verify-ca or verify-full"
                )))
            }
        };
        let mut config: tokio_postgres::Config = url.as_str().parse().map_err(|e: tokio_postgres::Error| {
            bad(match std::error::Error::source(&e) {
                Some(cause) => cause.to_string(),
                None => e.to_string(),
            })
        })?;
        config.ssl_mode(match tls {
            Tls::Disable => SslMode::Disable,
            Tls::Prefer => SslMode::Prefer,
            _ => SslMode::Require,
        });
        if config.get_user().is_none() {
            if let Some(user) = env("PGUSER").or_else(|| env("USER")) {
                config.user(user);
            }
        }
        if config.get_password().is_none() {
            let password = env("PGPASSWORD").or_else(|| {
                let file = passfile
                    .or_else(|| env("PGPASSFILE").map(PathBuf::from))
                    .or_else(|| env("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
                password_from_file(&file, &config)
            });
            if let Some(p) = password {
                config.password(p);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(30));
        }
        config.application_name("gazette");
        Ok(PgUrl { config, tls, shown })
    }

    /// The database's name (for tests that create and drop databases).
    pub fn dbname(&self) -> Option<&str> {
        self.config.get_dbname()
    }

    /// The same server and credentials, another database.
    pub fn with_dbname(&self, dbname: &str) -> PgUrl {
        let mut other = self.clone();
        other.config.dbname(dbname);
        if let Ok(mut u) = url::Url::parse(&self.shown) {
            u.set_path(&format!("/{dbname}"));
            other.shown = u.to_string();
        }
        other
    }

    /// Opens a connection; its I/O runs as a task on the current tokio runtime until the client is dropped. (Gazette
    /// itself goes through the store's pool and reader; this is for tools and benchmarks that talk to the database.)
    pub async fn connect(&self) -> Result<Client> {
        let failed = |e: tokio_postgres::Error| StoreError::Connect {
            url: self.shown.clone(),
            why: super::describe(&e),
        };
        match &self.tls {
            Tls::Disable => {
                let (client, conn) = self.config.connect(tokio_postgres::NoTls).await.map_err(failed)?;
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %super::describe(&e), "PostgreSQL connection ended");
                    }
                });
                Ok(client)
            }
            tls => {
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new(self.rustls(tls)?);
                let (client, conn) = self.config.connect(tls).await.map_err(failed)?;
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %super::describe(&e), "PostgreSQL connection ended");
                    }
                });
                Ok(client)
            }
        }
    }

    fn rustls(&self, tls: &Tls) -> Result<rustls::ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::Tls(e.to_string()))?;
        let config = match tls {
            Tls::Verify { roots, hostname } => {
                let mut store = rustls::RootCertStore::empty();
                match roots {
                    Some(path) => {
                        let pem = std::fs::read(path)
                            .map_err(|e| StoreError::Tls(format!("reading sslrootcert {}: {e}", path.display())))?;
                        for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
                            let cert: rustls::pki_types::CertificateDer =
                                cert.map_err(|e| StoreError::Tls(format!("sslrootcert {}: {e}", path.display())))?;
                            store
                                .add(cert)
                                .map_err(|e| StoreError::Tls(format!("sslrootcert {}: {e}", path.display())))?;
                        }
                    }
                    None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
                }
                let store = Arc::new(store);
                if *hostname {
                    builder.with_root_certificates(store).with_no_client_auth()
                } else {
                    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(store, provider)
                        .build()
                        .map_err(|e| StoreError::Tls(e.to_string()))?;
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(verify::ChainOnly(verifier)))
                        .with_no_client_auth()
                }
            }
            _ => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verify::Unchecked(provider)))
                .with_no_client_auth(),
        };
        Ok(config)
    }
}

/// The password for this connection in a libpq password file (`host:port:database:user:password`, `*` matching
/// anything, `\` escaping `:` and `\`), if a line matches.
fn password_from_file(file: &Path, config: &tokio_postgres::Config) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(_)) | None => "localhost".to_string(),
        #[cfg(not(unix))]
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
    let dbname = config.get_dbname().or(config.get_user()).unwrap_or("");
    let user = config.get_user().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split_passfile_line(line);
            let [h, p, d, u, pw] = <[String; 5]>::try_from(fields).ok()?;
            let ok = |pattern: &str, value: &str| pattern == "*" || pattern == value;
            (ok(&h, &host) && ok(&p, &port) && ok(&d, dbname) && ok(&u, user)).then_some(pw)
        })
}

fn split_passfile_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().expect("one field").extend(chars.next()),
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

/// Certificate verifiers for the modes that do not check everything.
mod verify {
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::client::WebPkiServerVerifier;
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    /// `prefer` and `require`: encrypted, the certificate not checked (as libpq without a root certificate).
    #[derive(Debug)]
    pub(super) struct Unchecked(pub Arc<CryptoProvider>);

    impl ServerCertVerifier for Unchecked {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// `verify-ca`: the chain is checked, the name is not.
    #[derive(Debug)]
    pub(super) struct ChainOnly(pub Arc<WebPkiServerVerifier>);

    impl ServerCertVerifier for ChainOnly {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            match self
                .0
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            {
                Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
                | Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext { .. })) => {
                    Ok(ServerCertVerified::assertion())
                }
                other => other,
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_verify_schemes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        let env = |_: &str| None;
        let u = PgUrl::parse_with_env("postgres://ann:s3cret-pw@db.example:5433/news?sslmode=require", env).unwrap();
        assert_eq!(u.to_string(), "postgres://ann:***@db.example:5433/news?sslmode=require");
        assert!(!format!("{u:?}").contains("s3cret-pw"));
        assert_eq!(u.config.get_password(), Some(&b"s3cret-pw"[..]));
        assert_eq!(u.tls, Tls::Require);
        let e = PgUrl::parse_with_env("postgres://ann:s3cret-pw@db/news?sslmode=bogus", env).unwrap_err();
        assert!(!e.to_string().contains("s3cret-pw"), "{e}");
        assert!(e.to_string().contains("sslmode"), "{e}");
        assert_eq!(redact("postgresql://ann:pw@h/d"), "postgresql://ann:***@h/d");
    }

    #[test]
    fn password_from_the_environment_or_a_password_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "# comment\nother:*:*:*:nope\ndb:5432:news:ann:from\\:file\n").unwrap();
        let file_s = file.display().to_string();
        let env = |k: &str| (k == "PGPASSFILE").then(|| file_s.clone());
        let u = PgUrl::parse_with_env("postgres://ann@db/news", env).unwrap();
        assert_eq!(u.config.get_password(), Some(&b"from:file"[..]));
        let env = |k: &str| (k == "PGPASSWORD").then(|| "from-env".to_string());
        let u = PgUrl::parse_with_env("postgres://ann@db/news", env).unwrap();
        assert_eq!(u.config.get_password(), Some(&b"from-env"[..]));
        assert_eq!(u.tls, Tls::Prefer);
        let u = PgUrl::parse_with_env("postgres://ann@db/news?sslmode=verify-full&sslrootcert=/x.pem", |_| {
            None
        })
        .unwrap();
        assert_eq!(
            u.tls,
            Tls::Verify {
                roots: Some(PathBuf::from("/x.pem")),
                hostname: true
            }
        );
    }
}
