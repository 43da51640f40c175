//! The config file (`--config FILE` or `PHONEPROV_CONFIG`) as a user writes it: every flag has a
//! key of the same name; a flag on the command line wins over its environment variable, which
//! wins over the file. Unknown keys, bad TOML and bad subnets stop the server with what and where.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{KillOnDrop, read_log_until};

/// Starts `serve` with `args` and `env`; the "running" log line.
fn running_line(db: &common::TestDb, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = db.command();
    command.arg("serve").args(args).stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = KillOnDrop(command.spawn().unwrap());
    let stderr = child.0.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    read_log_until(&mut lines, "phoneprov is running")
        .pop()
        .unwrap_or_default()
}

fn write_config(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("phoneprov.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn flags_beat_the_environment_which_beats_the_file() {
    let db = common::sqlite_db();
    let config = write_config(
        db.dir.path(),
        r#"
        http_listen = "127.0.0.1:0"
        ftp_listen = "off"
        tftp-listen = "127.0.0.1:0"
        dhcp_listen = "127.0.0.1:0"
        server_address = "192.0.2.10"
        ftp_account = ["a:b", "c:d"]
        demo = true
        "#,
    );
    let from_file = running_line(&db, &["--config", &config], &[]);
    assert!(from_file.contains("ftp=off"), "{from_file}");
    assert!(from_file.contains("tftp=tftp://127.0.0.1:"), "{from_file}");
    assert!(from_file.contains("dhcp=dhcp://127.0.0.1:"), "{from_file}");
    assert!(
        from_file.contains("extensions=7"),
        "demo = true: {from_file}"
    );
    // The environment wins over the file; the file can also be named by the environment.
    let env = [
        ("PHONEPROV_CONFIG", config.as_str()),
        ("PHONEPROV_FTP_LISTEN", "127.0.0.1:0"),
    ];
    let from_env = running_line(&db, &[], &env);
    assert!(from_env.contains("ftp=ftp://127.0.0.1:"), "{from_env}");
    // A flag wins over both.
    let from_flag = running_line(&db, &["--ftp-listen", "off"], &env);
    assert!(from_flag.contains("ftp=off"), "{from_flag}");
}

#[test]
fn bad_config_files_say_what_and_where() {
    let db = common::sqlite_db();
    let cases = [
        (
            "htp_listen = \"127.0.0.1:0\"\n",
            "unknown setting `htp-listen`",
        ),
        ("http_listen = \n", "line 1"),
        ("http_listen = [\"a\", \"b\"]\n", "takes one value"),
        ("http_listen = \"nowhere\"\n", "invalid value 'nowhere'"),
        (
            "[[subnet]]\nnetwork = \"10.0.0.0/24\"\nmode = \"allocate\"\npool = [\"10.0.0.5-10.0.0.9\"]\n",
            "unknown field `pool`",
        ),
    ];
    for (text, needle) in cases {
        let config = write_config(db.dir.path(), text);
        let out = db.run(&["serve", "--config", &config]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let message = common::stderr(&out);
        assert!(message.contains(needle), "{text}: {message}");
        assert!(!message.contains("panicked"), "{message}");
    }
    let out = db.run(&["serve", "--config", "/nonexistent/phoneprov.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("cannot read the config file"));
    // Subnets are checked when DHCP starts: a pool outside its subnet stops the server.
    let config = write_config(
        db.dir.path(),
        "http_listen = \"127.0.0.1:0\"\nftp_listen = \"off\"\ndhcp_listen = \"127.0.0.1:0\"\n\
         server_address = \"192.0.2.10\"\n[[subnet]]\nnetwork = \"10.0.0.0/24\"\n\
         mode = \"allocate\"\npools = [\"10.0.1.5-10.0.1.9\"]\n",
    );
    let out = db.run(&["serve", "--config", &config]);
    assert_eq!(out.status.code(), Some(1));
    let message = common::stderr(&out);
    assert!(
        message.contains("DHCP subnet 10.0.0.0/24: pool \"10.0.1.5-10.0.1.9\" is not inside"),
        "{message}"
    );
}
