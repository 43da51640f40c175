//! Sites on the web page: each site's settings, its call servers with their load (registration
//! distribution), changing its servers and alternate, rebalancing, and switchover / switchback
//! behind a confirmation page that lists the extensions that will move; afterwards the site page
//! shows the check-sync NOTIFY progress (and reloads itself while pushes are pending).

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tera::Context;

use crate::admin::web::client::{Answer, encode};
use crate::admin::web::dashboard::Notice;
use crate::admin::web::session::Session;
use crate::admin::web::settings::settings_of;
use crate::admin::web::{CsrfOnly, Web, done, forged};
use crate::domain::CallServer;

/// Extensions read per API call when listing what a switchover moves.
const BATCH: usize = 1000;
/// Pushes shown on a site page.
const PUSHES_SHOWN: usize = 100;

pub(crate) fn routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/sites/{name}", get(site).post(save_site))
        .route("/sites/{name}/rebalance", post(rebalance))
        .route("/sites/{name}/extensions-switchover", post(follow_all))
        .route("/sites/{name}/{action}", get(confirm).post(switch))
}

/// `GET /admin/sites`: every site (the add form posts to [`super::site_settings::add_site`]).
pub(crate) async fn sites(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Query(notice): Query<Notice>,
) -> Response {
    let mut context = Context::new();
    context.insert("sites", &web.api.get("/sites").await.json());
    web.pages
        .render("sites.html", &session, notice.notice.as_deref(), context)
}

/// Counts of pushes by outcome (`{"outcome", "count"}`), and whether any is still pending.
fn push_summary(pushes: &[Value]) -> (Vec<Value>, bool) {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for push in pushes {
        let outcome = push["push"]["outcome"].as_str().unwrap_or("?").to_string();
        match counts.iter_mut().find(|(o, _)| *o == outcome) {
            Some((_, count)) => *count += 1,
            None => counts.push((outcome, 1)),
        }
    }
    let pending = counts.iter().any(|(o, _)| o == "pending");
    let counts = counts
        .into_iter()
        .map(|(outcome, count)| json!({ "outcome": outcome, "count": count }))
        .collect();
    (counts, pending)
}

/// The call servers of a form's text, one a line (`ADDRESS[:PORT][/CAPACITY]`), or what is
/// wrong with the first bad line.
pub(crate) fn parse_servers(text: &str) -> Result<Vec<CallServer>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| CallServer::parse(line).map_err(|e| format!("call servers: {e}")))
        .collect()
}

/// The site page, with `problems` after a refused change.
pub(crate) async fn site_page(
    web: &Web,
    session: &Session,
    name: &str,
    problems: Option<Vec<String>>,
    notice: Option<&str>,
) -> Response {
    let answer = web.api.get(&format!("/sites/{}", encode(name))).await;
    if !answer.ok() {
        return (answer.status, answer.problems().join("\n")).into_response();
    }
    let site = answer.json();
    let servers: Vec<String> = site["call_servers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| serde_json::from_value::<CallServer>(s.clone()).ok())
        .map(|s| s.to_string())
        .collect();
    let pushes: Vec<Value> = web
        .api
        .get(&format!("/pushes?limit={PUSHES_SHOWN}"))
        .await
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default();
    let (summary, pending) = push_summary(&pushes);
    let mut context = Context::new();
    context.insert("site", &site);
    context.insert("servers_text", &servers.join("\n"));
    context.insert("sites", &web.api.get("/sites").await.json());
    context.insert("pushes", &pushes);
    context.insert("push_summary", &summary);
    context.insert("pushes_pending", &pending);
    context.insert("site_settings", &settings_of(web, "site", name).await);
    web.pages
        .render_form("site.html", session, notice, context, problems)
}

async fn site(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(name): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    site_page(&web, &session, &name, None, notice.notice.as_deref()).await
}

#[derive(Deserialize)]
struct SiteForm {
    csrf: String,
    /// One call server a line, `ADDRESS[:PORT][/CAPACITY]`.
    servers: String,
    alternate_site: String,
}

async fn save_site(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(name): Path<String>,
    Form(form): Form<SiteForm>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let servers = match parse_servers(&form.servers) {
        Ok(servers) => servers,
        Err(problem) => return site_page(&web, &session, &name, Some(vec![problem]), None).await,
    };
    let path = format!("/sites/{}", encode(&name));
    let body = json!({ "call_servers": servers, "alternate_site": form.alternate_site });
    let answer = web.api.send(Method::PUT, &path, &body).await;
    if answer.ok() {
        done(&path, &format!("Site {name} saved."))
    } else {
        site_page(&web, &session, &name, Some(answer.problems()), None).await
    }
}

/// The bulk switchover form: `follow` is `1` (every extension of the site follows its
/// switchover) or `0` (all excluded).
#[derive(Deserialize)]
struct FollowForm {
    csrf: String,
    follow: String,
}

/// `POST /admin/sites/{name}/extensions-switchover`.
async fn follow_all(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(name): Path<String>,
    Form(form): Form<FollowForm>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let follow = form.follow == "1";
    let path = format!("/sites/{}", encode(&name));
    let answer = web
        .api
        .send(
            Method::PUT,
            &format!("{path}/extensions-switchover"),
            &json!({ "enabled": follow }),
        )
        .await;
    if answer.ok() {
        let changed = answer.json()["changed"].as_u64().unwrap_or(0);
        let said = if follow {
            format!("Every extension of site {name} follows its switchover ({changed} changed).")
        } else {
            format!(
                "Every extension of site {name} is excluded from its switchover ({changed} changed)."
            )
        };
        done(&path, &said)
    } else {
        site_page(&web, &session, &name, Some(answer.problems()), None).await
    }
}

async fn rebalance(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(name): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let path = format!("/sites/{}", encode(&name));
    let answer = web
        .api
        .call(Method::POST, &format!("{path}/rebalance"), None, Vec::new())
        .await;
    if answer.ok() {
        let moved = answer.json()["moved"].as_u64().unwrap_or(0);
        done(&path, &format!("Rebalanced: {moved} extension(s) moved."))
    } else {
        site_page(&web, &session, &name, Some(answer.problems()), None).await
    }
}

/// Whether `action` is one this page does.
fn switch_action(action: &str) -> Option<bool> {
    match action {
        "switchover" => Some(true),
        "switchback" => Some(false),
        _ => None,
    }
}

/// The extensions at home of a site, by what a switchover does with them (the API's preview,
/// the split the switchover itself makes), each as the API shows it.
#[derive(Default)]
struct Following {
    /// Follow: they move.
    moving: Vec<Value>,
    /// Excluded from switchover: they stay.
    excluded: Vec<Value>,
    /// Their number is one the alternate uses itself: they stay.
    reserved: Vec<Value>,
}

/// The numbers of one list of the switchover preview.
fn numbers_in(preview: &Value, list: &str) -> HashSet<String> {
    preview[list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

/// What a switchover (or switchback) of `site` does with its extensions at home, from the API's
/// preview, with each extension's details for the page.
async fn following(web: &Web, site: &str) -> Result<Following, Answer> {
    let preview = web
        .api
        .get(&format!("/sites/{}/switchover-preview", encode(site)))
        .await;
    if !preview.ok() {
        return Err(preview);
    }
    let preview = preview.json();
    let (moving, excluded, staying) = (
        numbers_in(&preview, "moving"),
        numbers_in(&preview, "excluded"),
        numbers_in(&preview, "staying"),
    );
    let mut found = Following::default();
    let mut offset = 0;
    loop {
        let page = web
            .api
            .get(&format!("/extensions?limit={BATCH}&offset={offset}"))
            .await
            .json();
        let items = page["items"].as_array().cloned().unwrap_or_default();
        for e in items {
            let number = e["number"].as_str().unwrap_or_default().to_string();
            if moving.contains(&number) {
                found.moving.push(e);
            } else if excluded.contains(&number) {
                found.excluded.push(e);
            } else if staying.contains(&number) {
                found.reserved.push(e);
            }
        }
        if page["items"].as_array().map_or(0, Vec::len) < BATCH {
            return Ok(found);
        }
        offset += BATCH;
    }
}

/// `GET /admin/sites/{name}/switchover|switchback`: what will move, and the button.
async fn confirm(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path((name, action)): Path<(String, String)>,
) -> Response {
    let Some(over) = switch_action(&action) else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    let answer = web.api.get(&format!("/sites/{}", encode(&name))).await;
    if !answer.ok() {
        return (answer.status, answer.problems().join("\n")).into_response();
    }
    let site = answer.json();
    let found = match following(&web, site["name"].as_str().unwrap_or(&name)).await {
        Ok(found) => found,
        Err(refused) => return (refused.status, refused.problems().join("\n")).into_response(),
    };
    let mut context = Context::new();
    context.insert("over", &over);
    context.insert("action", &action);
    context.insert("moving", &found.moving);
    context.insert("excluded", &found.excluded);
    context.insert("reserved", &found.reserved);
    context.insert("site", &site);
    web.pages.render("switch.html", &session, None, context)
}

/// `POST /admin/sites/{name}/switchover|switchback`.
async fn switch(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path((name, action)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let Some(over) = switch_action(&action) else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    let path = format!("/sites/{}", encode(&name));
    let answer = web
        .api
        .call(Method::POST, &format!("{path}/{action}"), None, Vec::new())
        .await;
    if !answer.ok() {
        return site_page(&web, &session, &name, Some(answer.problems()), None).await;
    }
    let moved = answer.json()["extensions"].as_u64().unwrap_or(0);
    let what = if over {
        "switched over"
    } else {
        "switched back"
    };
    done(
        &path,
        &format!(
            "Site {name} {what}: {moved} extension(s) moved. Their phones that have fetched their files before are sent check-sync below; the others get the change when they next boot."
        ),
    )
}
