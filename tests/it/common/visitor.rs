//! A browser-like visitor of the admin web page over real HTTP with curl: a cookie jar, the
//! login with the admin token, and the CSRF token of the pages it reads.

use crate::common::server::{Reply, Server, TOKEN, curl};

/// A browser-like visitor: a cookie jar, and the CSRF token of the last page read.
pub struct Visitor {
    pub jar: tempfile::NamedTempFile,
    base: String,
}

impl Visitor {
    pub fn new(server: &Server) -> Visitor {
        Visitor {
            jar: tempfile::NamedTempFile::new().unwrap(),
            base: server.base.clone(),
        }
    }

    pub fn jar(&self) -> String {
        self.jar.path().to_string_lossy().into_owned()
    }

    pub fn get(&self, path: &str) -> Reply {
        let jar = self.jar();
        curl(&format!("{}{path}", self.base), &["-b", &jar, "-c", &jar])
    }

    /// POSTs a urlencoded form (`name=value` pairs, encoded by curl).
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let jar = self.jar();
        let mut args = vec!["-b".to_string(), jar.clone(), "-c".to_string(), jar];
        for (name, value) in fields {
            args.push("--data-urlencode".into());
            args.push(format!("{name}={value}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        curl(&format!("{}{path}", self.base), &args)
    }

    /// POSTs a multipart form with a file.
    pub fn post_file(&self, path: &str, csrf: &str, file: &std::path::Path) -> Reply {
        let jar = self.jar();
        let csrf = format!("csrf={csrf}");
        let file = format!("file=@{};type=text/csv", file.display());
        curl(
            &format!("{}{path}", self.base),
            &[
                "-b",
                &jar,
                "-c",
                &jar,
                "-F",
                &csrf,
                "-F",
                "mode=upsert",
                "-F",
                &file,
            ],
        )
    }

    pub fn log_in(&self) -> String {
        let page = self.get("/admin/login");
        let csrf = csrf_of(&page);
        let done = self.post("/admin/login", &[("csrf", &csrf), ("token", TOKEN)]);
        assert_eq!(done.status, 303, "{}", text(&done));
        csrf_of(&self.get("/admin"))
    }
}

pub fn text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

/// The CSRF token in a page's forms.
pub fn csrf_of(page: &Reply) -> String {
    let html = text(page);
    let start = html.find(r#"name="csrf" value=""#).unwrap_or_else(|| {
        panic!(
            "no CSRF field in (status {}, headers {:?}):\n{html}",
            page.status, page.headers
        )
    }) + r#"name="csrf" value=""#.len();
    html[start..].split('"').next().unwrap().to_string()
}
