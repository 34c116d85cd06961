//! A real OpenLDAP server (Debian `slapd`) for the directory tests: its own configuration and
//! database in a temporary directory, the fixture tree (in Japanese) loaded with `slapadd`,
//! served on a free loopback port, stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SLAPD: &str = "/usr/sbin/slapd";
const SLAPADD: &str = "/usr/sbin/slapadd";
const SCHEMA: &str = "/etc/ldap/schema";
const MODULES: &str = "/usr/lib/ldap";

pub const SUFFIX: &str = "o=本市";
/// The entry gaibu binds as, and its password.
pub const BIND_DN: &str = "cn=gaibu,ou=システム,o=本市";
pub const BIND_PASSWORD: &str = "gaibu-bind-secret";
/// The directory's administrator (to change the tree during a test).
pub const ROOT_DN: &str = "cn=admin,o=本市";
const ROOT_PASSWORD: &str = "admin-secret";

/// Whether slapd, slapadd, the schemas and the mdb backend are installed.
pub fn ready() -> bool {
    [
        PathBuf::from(SLAPD),
        PathBuf::from(SLAPADD),
        Path::new(SCHEMA).join("inetorgperson.schema"),
        Path::new(MODULES).join("back_mdb.so"),
    ]
    .iter()
    .all(|p| p.exists())
}

/// The city's tree: sections under their departments, staff under their section, a service
/// entry for gaibu's bind. Who is who is told in `directory.rs`; `scripts/demo-directory.sh`
/// serves the same tree for the demo.
pub const FIXTURE: &str = include_str!("../fixtures/directory.ldif");

/// A running slapd, stopped (and its files removed) when dropped.
pub struct Slapd {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Slapd {
    /// Starts slapd with the fixture tree; panics with slapd's own words when it cannot.
    pub fn start() -> Slapd {
        let dir = tempfile::tempdir().expect("slapd dir");
        let db = dir.path().join("db");
        std::fs::create_dir(&db).expect("db dir");
        let conf = dir.path().join("slapd.conf");
        let text = format!(
            "include {SCHEMA}/core.schema\n\
             include {SCHEMA}/cosine.schema\n\
             include {SCHEMA}/inetorgperson.schema\n\
             pidfile {pid}\n\
             modulepath {MODULES}\n\
             moduleload back_mdb\n\
             database mdb\n\
             maxsize 16777216\n\
             suffix \"{SUFFIX}\"\n\
             rootdn \"{ROOT_DN}\"\n\
             rootpw {ROOT_PASSWORD}\n\
             directory {db}\n",
            pid = dir.path().join("slapd.pid").display(),
            db = db.display(),
        );
        std::fs::write(&conf, text).expect("slapd.conf");
        let ldif = dir.path().join("fixture.ldif");
        std::fs::write(&ldif, FIXTURE).expect("fixture");
        let out = Command::new(SLAPADD)
            .arg("-f")
            .arg(&conf)
            .arg("-l")
            .arg(&ldif)
            .output()
            .expect("run slapadd");
        assert!(
            out.status.success(),
            "slapadd: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let url = format!("ldap://127.0.0.1:{port}");
        // `-d 0`: in the foreground (so it is this process's child to stop), logging nothing.
        let child = Command::new(SLAPD)
            .arg("-h")
            .arg(format!("{url}/"))
            .arg("-f")
            .arg(&conf)
            .args(["-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start slapd");
        let mut s = Slapd {
            child,
            url,
            _dir: dir,
        };
        let until = Instant::now() + Duration::from_secs(15);
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return s;
            }
            if let Ok(Some(status)) = s.child.try_wait() {
                panic!("slapd stopped at start ({status}) on port {port}");
            }
            assert!(Instant::now() < until, "slapd did not answer on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// gaibu's connection to it, binding as `BIND_DN` with `password`.
    pub fn connection(&self, password: &str) -> gaibu::directory::ldap::Connection {
        gaibu::directory::ldap::Connection {
            url: self.url.clone(),
            bind_dn: BIND_DN.into(),
            bind_password: password.into(),
            starttls: false,
            timeout: Duration::from_secs(5),
        }
    }

    /// Removes an entry, as the directory's administrator (someone leaving the city).
    pub async fn delete(&self, dn: &str) {
        let (conn, mut ldap) = ldap3::LdapConnAsync::new(&self.url)
            .await
            .expect("connect to slapd");
        ldap3::drive!(conn);
        ldap.simple_bind(ROOT_DN, ROOT_PASSWORD)
            .await
            .expect("bind")
            .success()
            .expect("bind as the administrator");
        ldap.delete(dn)
            .await
            .expect("delete")
            .success()
            .expect("entry deleted");
        let _ = ldap.unbind().await;
    }
}
