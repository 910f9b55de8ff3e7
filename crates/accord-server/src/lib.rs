//! Accord's decision service: an HTTP JSON API over the library crates.
//!
//! Every route but `/healthz` and `/readyz` needs a bearer token; the token
//! names an actor of the register, whose roles the library checks exactly
//! as it does for the command line (`accord_register::actor`). Decisions
//! are the decision contract, byte for byte what `accord assess --format
//! json` prints. The register is reached through the `Store` seam (SQLite
//! or PostgreSQL), each call on a blocking thread with a pooled connection.
//!
//! Limits: request bodies of at most 1 MiB (413), at most `max_in_flight`
//! requests at once (503 with `Retry-After` beyond), each at most `timeout`
//! (503 with `Retry-After`). SIGTERM or SIGINT: stop accepting, finish what
//! is in flight, return.

mod api;
mod error;
mod metrics;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use accord_core::RuleSet;
use accord_register::actor::{Action, Actor, Actors};
use accord_register::{Access, Register};
use axum::extract::FromRequestParts;
use axum::extract::{Request, State as Shared};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::Semaphore;

pub use api::ApiDoc;
pub use error::ApiError;

/// The largest request body accepted: the application contract's file limit.
pub fn max_body() -> usize {
    usize::try_from(accord_core::file::Kind::Application.limit()).unwrap_or(usize::MAX)
}

/// How the service runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The rule set's folder (for messages).
    pub rules_dir: String,
    /// The register: a SQLite path, `sqlite:PATH` or `postgres://...`.
    pub db: String,
    /// Requests handled at once; more are refused with 503.
    pub max_in_flight: usize,
    /// The longest a request may take.
    pub timeout: Duration,
}

/// The ledger head (sequence and hash) the cached actors were folded at.
type Head = Option<(i64, String)>;

/// How long a read-only request trusts the actors as last checked against
/// the ledger's head, without reading the head again: a token revoked or an
/// actor disabled by another process stops reading within this time, and
/// at once for every request that writes (those check the head in their
/// own transaction's hop). Reading the head on every request would cost a
/// hand-off to a blocking thread, as much as deciding an application.
pub const TOKEN_FRESHNESS: Duration = Duration::from_millis(100);

/// The actors folded from the ledger at `head`, checked at `checked`.
struct Folded {
    head: Head,
    actors: Arc<Actors>,
    checked: Instant,
}

/// What every handler shares.
pub struct State {
    rules: Arc<RuleSet>,
    db: String,
    idle: Mutex<Vec<Register>>,
    actors: Mutex<Option<Folded>>,
    metrics: metrics::Metrics,
    fingerprint: HeaderValue,
    /// One slot per request handled at once, across every route.
    slots: Arc<Semaphore>,
    timeout: Duration,
}

impl State {
    /// The shared state of a service over `rules` and the register at `db`,
    /// which is opened (created and migrated when new) to check it.
    pub fn new(rules: RuleSet, config: &Config) -> Result<State, Box<dyn std::error::Error + Send + Sync>> {
        let db = config.db.as_str();
        let register = Register::open(db, Access::Write)?;
        let fingerprint = HeaderValue::from_str(rules.fingerprint().as_str())
            .unwrap_or_else(|_| HeaderValue::from_static("unknown"));
        Ok(State {
            rules: Arc::new(rules),
            db: db.to_owned(),
            idle: Mutex::new(vec![register]),
            actors: Mutex::new(None),
            metrics: metrics::Metrics::new()?,
            fingerprint,
            slots: Arc::new(Semaphore::new(
                config.max_in_flight.clamp(1, Semaphore::MAX_PERMITS),
            )),
            timeout: config.timeout,
        })
    }

    /// Runs `work` with a register connection on a blocking thread; the
    /// connection goes back to the pool afterwards.
    async fn with_register<T, F>(self: &Arc<Self>, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&State, &mut Register) -> Result<T, ApiError> + Send + 'static,
    {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let pooled = state.idle.lock().ok().and_then(|mut idle| idle.pop());
            let mut register = match pooled {
                Some(r) => r,
                None => Register::open(&state.db, Access::Write)?,
            };
            let result = work(&state, &mut register);
            register.set_credential(None);
            // A connection the database failed on (a restarted server, a
            // dropped socket) is closed, not pooled: the next request opens
            // a fresh one.
            let broken = matches!(&result, Err(e) if e.code == "unavailable");
            if !broken {
                if let Ok(mut idle) = state.idle.lock() {
                    idle.push(register);
                }
            }
            result
        })
        .await
        .map_err(|_| ApiError::internal("a request's work stopped unexpectedly"))?
    }

    /// The caller a bearer token names. The actors are refolded only when
    /// the ledger's head moved, so a revoked token stops working at once.
    fn identify(&self, token: &str, register: &Register) -> Result<Caller, ApiError> {
        // The moment the head is read, not after: freshness counts from what was seen.
        let checked = Instant::now();
        let head = register.head()?;
        let sequence = |h: &Head| h.as_ref().map(|(s, _)| *s);
        let cached = self.actors.lock().ok().and_then(|mut cache| {
            let folded = cache.as_mut().filter(|f| f.head == head)?;
            folded.checked = folded.checked.max(checked);
            Some(Arc::clone(&folded.actors))
        });
        let actors = match cached {
            Some(a) => a,
            None => {
                let fresh = Arc::new(register.actors()?);
                if let Ok(mut cache) = self.actors.lock() {
                    // A slower request that read an older head never
                    // replaces what a faster one saw later.
                    if cache
                        .as_ref()
                        .is_none_or(|f| sequence(&f.head) <= sequence(&head))
                    {
                        *cache = Some(Folded {
                            head,
                            actors: Arc::clone(&fresh),
                            checked,
                        });
                    }
                }
                fresh
            }
        };
        Caller::of(actors, token)
    }

    /// The actors, if checked against the ledger's head within [`TOKEN_FRESHNESS`].
    fn fresh_actors(&self) -> Option<Arc<Actors>> {
        let cache = self.actors.lock().ok()?;
        let folded = cache.as_ref()?;
        (folded.checked.elapsed() < TOKEN_FRESHNESS).then(|| Arc::clone(&folded.actors))
    }
}

/// Who is calling, authenticated by their bearer token before anything
/// else of the request is looked at: a request without a valid token gets
/// 401 whatever else is wrong with it, and one whose actor may not do what
/// it asks gets 403 before its parameters or body are read.
pub(crate) struct Caller {
    actors: Arc<Actors>,
    id: String,
    token: String,
}

impl Caller {
    fn of(actors: Arc<Actors>, token: &str) -> Result<Caller, ApiError> {
        let id = actors
            .authenticate(token)
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "the bearer token is not valid: unknown, revoked, or its actor disabled",
                )
            })?
            .id
            .clone();
        Ok(Caller {
            actors,
            id,
            token: token.to_owned(),
        })
    }

    /// The caller, if their roles allow `action` (the register's own rule).
    fn may(&self, action: Action) -> Result<Actor, ApiError> {
        Ok(self.actors.authorize(Some(&self.id), action)?.clone())
    }

    /// Checks the token again against the ledger's head as `register` sees
    /// it now (401 before anything else of a write is looked at), and makes
    /// `register`'s writes check, inside their own transaction, that it
    /// still names this caller: a token revoked a moment ago never writes.
    /// (`State::with_register` clears the credential afterwards.)
    fn act_for(&self, state: &State, register: &mut Register) -> Result<(), ApiError> {
        state.identify(&self.token, register)?;
        register.set_credential(Some(&self.token));
        Ok(())
    }
}

impl FromRequestParts<Arc<State>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<State>) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers)?.to_owned();
        if let Some(actors) = state.fresh_actors() {
            return Caller::of(actors, &token);
        }
        state
            .with_register(move |state, register| state.identify(&token, register))
            .await
    }
}

/// The token of an `Authorization: Bearer TOKEN` header.
fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers.get(axum::http::header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthenticated(
            "a bearer token is needed: `Authorization: Bearer TOKEN` (see `accord token create`)",
        )
    })?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthenticated("the Authorization header must be `Bearer TOKEN`"))
}

/// The limits every request passes: a slot among `max_in_flight` (shared by
/// every route) or 503 at once; then, unless it writes, at most `timeout`.
/// A request that writes is not cut short once handled: its transaction
/// cannot be called back from another thread, and a 503 would invite the
/// client to repeat a write that happened; the time to receive its body
/// is bounded instead (see `api::body`), and its transaction by the
/// database's own lock wait.
async fn limits(Shared(state): Shared<Arc<State>>, request: Request, next: Next) -> Response {
    let Ok(slot) = Arc::clone(&state.slots).try_acquire_owned() else {
        // Read what the client sent (bounded) before answering, so that the
        // answer is not lost to a connection reset by unread data.
        let drain = axum::body::to_bytes(request.into_body(), max_body());
        let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
        return ApiError::busy("the service is at its limit of requests in flight: try again")
            .into_response();
    };
    let response = if api::writes(request.method(), request.uri().path()) {
        next.run(request).await
    } else {
        match tokio::time::timeout(state.timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => {
                ApiError::busy("the request took longer than the service allows: try again").into_response()
            }
        }
    };
    drop(slot);
    response
}

/// The service's routes with their limits, over `state`.
pub fn router(state: Arc<State>) -> Router {
    api::routes()
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), limits))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            metrics::observe,
        ))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
/// `ready` receives the address bound (port 0 picks a free one).
pub async fn serve(
    config: Config,
    rules: RuleSet,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // A register's client may run its own runtime (PostgreSQL's does): it
    // is opened, used and dropped on blocking threads only.
    let config_for_state = config.clone();
    let state = Arc::new(
        tokio::task::spawn_blocking(move || State::new(rules, &config_for_state))
            .await
            .map_err(|e| e.to_string())??,
    );
    let app = router(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    ready(listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    // The register's connections close on a blocking thread (PostgreSQL's
    // client may not be dropped inside the runtime), whoever drops last.
    tokio::task::spawn_blocking(move || drop(state))
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
