//! Roster's HTTP surface: the JSON API under `/api/v1`, the HTML console, and the operational
//! endpoints. Handlers parse input, call one service use case, and shape the answer; errors
//! leave through [`error::ApiError`] (problem+json) or [`console::Page`] errors (HTML).
#![deny(clippy::unwrap_used)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use roster_service::Service;
use tokio::net::TcpListener;

mod access_log;
mod api;
mod console;
pub mod error;
mod extract;
pub mod metrics;
mod nul_guard;
mod ops;
pub mod proxies;
mod router;

pub use proxies::TrustedProxies;
pub use router::{openapi, router};

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Base of links in emails and the setup link, e.g. `https://roster.example.com`.
    pub public_url: String,
    /// `ROSTER_TRUSTED_PROXIES`: reverse proxies whose `X-Forwarded-For` is believed (R-AUTH-7).
    pub trusted_proxies: TrustedProxies,
    /// How long a connection may take to send a request's head, and how long it may sit idle
    /// between requests (PRODUCT.md §10); then it is closed.
    pub header_read_timeout: Duration,
    /// How long a request body may pause between two pieces before the request fails.
    pub body_idle_timeout: Duration,
    /// Open connections at most; over it the server stops accepting until one closes.
    pub max_connections: usize,
}

impl WebConfig {
    /// The defaults: no trusted proxy, 10 s to send a head (and at most 10 s idle between
    /// requests), 30 s of silence inside a body, 4,096 connections (decision 0023).
    pub fn new(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into(),
            trusted_proxies: TrustedProxies::default(),
            header_read_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(30),
            max_connections: 4096,
        }
    }

    /// Cookies get `Secure` and the `__Host-` prefix only behind HTTPS; on plain HTTP (a laptop,
    /// the tests) a browser would drop them.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies() { "__Host-roster_session" } else { "roster_session" }
    }

    /// The "known device" cookie (R-AUTH-7).
    pub fn device_cookie(&self) -> &'static str {
        if self.secure_cookies() { "__Host-roster_device" } else { "roster_device" }
    }
}

/// Everything a handler may reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
    /// Set when shutdown begins: `/readyz` answers 503 while requests are still served
    /// (`ROSTER_SHUTDOWN_DRAIN`).
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    pub fn new(service: Service, config: WebConfig) -> Self {
        Self {
            service,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            draining: Arc::default(),
        }
    }
}

/// Serves until `shutdown` resolves, then finishes in-flight requests (at most 30 s).
///
/// Our own accept loop over hyper (PRODUCT.md §10; `axum::serve` cannot bound a slow client):
/// every connection gets [`WebConfig::header_read_timeout`] to send a request head, which hyper
/// also applies while a kept-alive connection waits for its next request (so it is the idle
/// timeout too); request bodies fail after [`WebConfig::body_idle_timeout`] of silence; at most
/// [`WebConfig::max_connections`] are open at once, and over the cap the loop stops accepting
/// (the kernel's backlog holds the rest) until one closes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = state.config.clone();
    let app: Router = router(state);
    let cap = config.max_connections.max(1);
    let slots = Arc::new(tokio::sync::Semaphore::new(cap));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, as axum does.
                    tracing::warn!(error = %e, "accept failed");
                    drop(permit);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, peer, app.clone(), config.clone(), stop_rx.clone(), permit, true));
    }
    // Connections the kernel already accepted for us (its backlog) are served one request each,
    // not reset when the listener closes.
    let (_keep_open, backlog_stop) = tokio::sync::watch::channel(false);
    while let Ok(Ok((stream, peer))) = tokio::time::timeout(Duration::from_millis(20), listener.accept()).await {
        let Ok(permit) = slots.clone().try_acquire_owned() else { break };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, peer, app.clone(), config.clone(), backlog_stop.clone(), permit, false));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot until it closes: all slots back means all drained.
    let drained = slots.acquire_many(u32::try_from(cap).unwrap_or(u32::MAX));
    if tokio::time::timeout(Duration::from_secs(30), drained).await.is_err() {
        tracing::warn!("shutdown: in-flight requests did not finish within 30 s");
    }
    Ok(())
}

/// One connection: HTTP/1.1 with the header-read timeout, the client's address as `ConnectInfo`,
/// request bodies that time out when silent, and a graceful close on shutdown.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    config: Arc<WebConfig>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    _slot: tokio::sync::OwnedSemaphorePermit,
    keep_alive: bool,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let body_idle = config.body_idle_timeout;
    let svc = tower::ServiceExt::map_request(app, move |req: axum::http::Request<hyper::body::Incoming>| {
        let mut req = req.map(|b| axum::body::Body::new(tower_http::timeout::TimeoutBody::new(body_idle, b)));
        req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        req
    });
    let svc = hyper_util::service::TowerToHyperService::new(svc);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(config.header_read_timeout).keep_alive(keep_alive);
    let conn = builder.serve_connection(TokioIo::new(stream), svc);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, %peer, "connection closed");
            }
            return;
        }
        _ = stop.wait_for(|s| *s) => {}
    }
    // Shutdown: finish the request in flight, then close.
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}
