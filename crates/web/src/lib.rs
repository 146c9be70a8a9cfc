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

mod api;
mod console;
pub mod error;
mod extract;
pub mod metrics;
mod ops;
mod router;

pub use router::{openapi, router};

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Base of links in emails and the setup link, e.g. `https://roster.example.com`.
    pub public_url: String,
}

impl WebConfig {
    /// Cookies get `Secure` and the `__Host-` prefix only behind HTTPS; on plain HTTP (a laptop,
    /// the tests) a browser would drop them.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies() { "__Host-roster_session" } else { "roster_session" }
    }
}

/// Everything a handler may reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(service: Service, config: WebConfig) -> Self {
        Self { service, config: Arc::new(config), metrics: Arc::new(metrics::Metrics::default()) }
    }
}

/// Serves until `shutdown` resolves, then finishes in-flight requests (at most 30 s).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app: Router = router(state);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(
        async move {
            shutdown.await;
            let _ = tx.send(());
        },
    );
    let drain_limit = async move {
        let _ = rx.await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    };
    tokio::select! {
        r = server => r,
        () = drain_limit => {
            tracing::warn!("shutdown: in-flight requests did not finish within 30 s");
            Ok(())
        }
    }
}
