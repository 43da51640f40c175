//! The dashboard: counts of sites, extensions and phones (per vendor too), and of phones seen in
//! the last hour, not seen, never seen and failed, each linking to the phone list filtered so;
//! the phones that failed (a firmware image missing, a failed registration in their log); files
//! served per minute over the last hour (a bar chart drawn as inline SVG, no
//! script), the addresses banned from provisioning (with a button to lift each), the recent
//! warnings and errors, and the latest audit entries.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use tera::Context;

use crate::admin::web::client::encode;
use crate::admin::web::session::Session;
use crate::admin::web::{Web, done, forged};

/// Height of the chart's drawing area, in SVG units.
const CHART_HEIGHT: u64 = 80;

/// `?notice=` after a change.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Notice {
    pub(crate) notice: Option<String>,
}

/// One bar of the fetches chart.
#[derive(serde::Serialize)]
struct Bar {
    x: usize,
    y: u64,
    height: u64,
    count: u64,
    minutes_ago: usize,
}

fn bars(counts: &[u64]) -> Vec<Bar> {
    let highest = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .iter()
        .enumerate()
        .map(|(i, count)| {
            let height = (count * CHART_HEIGHT).div_ceil(highest);
            Bar {
                x: i * 10,
                y: CHART_HEIGHT - height,
                height,
                count: *count,
                minutes_ago: counts.len() - 1 - i,
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub(crate) struct LiftForm {
    csrf: String,
    address: String,
}

/// `POST /admin/bans/lift`: lifts a provisioning ban.
pub(crate) async fn lift(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Form(form): Form<LiftForm>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let path = format!("/bans/{}", encode(&form.address));
    let answer = web.api.call(Method::DELETE, &path, None, Vec::new()).await;
    let notice = if answer.ok() {
        format!("The ban of {} is lifted.", form.address)
    } else {
        answer.problems().join(" ")
    };
    done("", &notice)
}

/// `GET /admin/`.
pub(crate) async fn show(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Query(notice): Query<Notice>,
) -> Response {
    let status = web.api.get("/status").await.json();
    let audit = web.api.get("/audit?limit=8").await.json();
    let bans = web.api.get("/bans").await;
    let bans = if bans.ok() {
        bans.json()
    } else {
        serde_json::json!([])
    };
    let counts: Vec<u64> = status["fetches_per_minute"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_u64)
        .collect();
    let mut context = Context::new();
    context.insert("status", &status);
    let sites = web.api.get("/sites").await.json();
    let default_site = sites
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == "default")
        .cloned()
        .unwrap_or_default();
    context.insert("default_site", &default_site);
    context.insert("sites", &sites);
    context.insert("publishes", &web.api.get("/publish").await.json());
    context.insert("bars", &bars(&counts));
    context.insert("fetches_last_hour", &counts.iter().sum::<u64>());
    context.insert("audit", &audit);
    context.insert("bans", &bans);
    web.pages.render(
        "dashboard.html",
        &session,
        notice.notice.as_deref(),
        context,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_busiest_minute() {
        let drawn = bars(&[0, 5, 10]);
        let heights: Vec<u64> = drawn.iter().map(|b| b.height).collect();
        assert_eq!(heights, [0, 40, 80]);
        assert_eq!(drawn[0].y, 80);
        assert_eq!(drawn[2].minutes_ago, 0);
        assert!(bars(&[0, 0]).iter().all(|b| b.height == 0));
    }
}
