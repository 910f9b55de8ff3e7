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
    /// Connections open at once; more are closed as soon as accepted.
    pub max_connections: usize,
    /// Register connections open at once (pooled); requests beyond wait.
    pub db_connections: usize,
}

/// The longest a client may take to send a request's head, or to start the
/// next one on a kept-alive connection (at most the request timeout).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// One permit per register connection open at once.
    db_slots: Arc<Semaphore>,
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
            db_slots: Arc::new(Semaphore::new(
                config.db_connections.clamp(1, Semaphore::MAX_PERMITS),
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
        let permit = self.db_connection().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
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

    /// Runs a write for `writer` on a register connection: the token is
    /// checked again against the ledger's head as the connection sees it
    /// (401 before anything of the write is looked at), and handed to the
    /// register, whose every write checks inside its own transaction that
    /// it still names the actor: a token revoked a moment ago never writes.
    /// `work` gets the acting actor's id.
    async fn write<T, F>(self: &Arc<Self>, writer: Writer, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&State, &mut Register, &str) -> Result<T, ApiError> + Send + 'static,
    {
        self.with_register(move |state, register| {
            state.identify(&writer.caller.token, register)?;
            register.set_credential(Some(&writer.caller.token));
            work(state, register, &writer.actor.id)
        })
        .await
    }

    /// A permit to hold one register connection: at most `db_connections`
    /// exist at once, pooled or working (a PostgreSQL server has its own
    /// limit, 100 by default); requests beyond wait their turn.
    async fn db_connection(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.db_slots)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the register's connections are closed"))
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

    /// The caller, if their roles allow the write `action`: 403 before
    /// anything else of the request is read; the write itself goes through
    /// [`State::write`].
    fn may_write(self, action: Action) -> Result<Writer, ApiError> {
        let actor = self.may(action)?;
        Ok(Writer { caller: self, actor })
    }
}

/// A caller allowed to write as `actor`.
pub(crate) struct Writer {
    caller: Caller,
    actor: Actor,
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

/// The token of the request's one `Authorization: Bearer TOKEN` header (the
/// scheme's name in any case, as RFC 9110 has it).
fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let mut values = headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let value = values.next().ok_or_else(|| {
        ApiError::unauthenticated(
            "a bearer token is needed: `Authorization: Bearer TOKEN` (see `accord token create`)",
        )
    })?;
    if values.next().is_some() {
        return Err(ApiError::unauthenticated(
            "give one Authorization header, not several",
        ));
    }
    value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
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
    // Liveness answers whatever the load: a prober must not restart a
    // service for being busy.
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let Ok(slot) = Arc::clone(&state.slots).try_acquire_owned() else {
        drain(request).await;
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
    // The slot is held until the body is sent: a streamed ledger export
    // counts among the requests in flight for as long as it streams.
    response.map(|body| {
        let stream = futures_util::StreamExt::map(body.into_data_stream(), move |chunk| {
            let _held = &slot;
            chunk
        });
        axum::body::Body::from_stream(stream)
    })
}

/// Reads and drops what the client is sending — at most a few times the
/// body limit, for at most a second — before the service answers without
/// reading it (503 busy, 413 too large): closing a connection with unread
/// data resets it, and the client would lose the answer. A body declared
/// larger than that is not waited for.
pub(crate) async fn drain(request: Request) {
    let cap = max_body().saturating_mul(4);
    if declared_length(request.headers()).is_some_and(|n| n > cap as u64) {
        return;
    }
    let read = axum::body::to_bytes(request.into_body(), cap);
    let _ = tokio::time::timeout(Duration::from_secs(1), read).await;
}

/// The body length a request declares in `Content-Length`, if it does.
pub(crate) fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
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
    accept(listener, app, &config, shutdown).await;
    // Every handler has returned: a write in progress when the signal came
    // (never cut short) has committed or failed before the service exits.
    let slots = u32::try_from(config.max_in_flight.clamp(1, Semaphore::MAX_PERMITS)).unwrap_or(u32::MAX);
    drop(state.slots.acquire_many(slots).await);
    // The register's connections close on a blocking thread (PostgreSQL's
    // client may not be dropped inside the runtime), whoever drops last.
    tokio::task::spawn_blocking(move || drop(state))
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Accepts connections until `shutdown` resolves, each served by hyper
/// (HTTP/1.1, keep-alive) with a deadline for every request head — a client
/// that sends nothing, or a header a byte at a time, is disconnected after
/// [`HEADER_TIMEOUT`] — and at most `max_connections` at once (more are
/// closed as soon as accepted, so that they cannot take every file
/// descriptor). Then: stop accepting, let the connections finish their
/// requests in flight, and close them, waiting at most the request timeout
/// before cutting those still busy.
async fn accept(
    listener: tokio::net::TcpListener,
    app: Router,
    config: &Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(
        config.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let header_timeout = HEADER_TIMEOUT.min(config.timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection reset before it
                // was accepted: wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        while tasks.try_join_next().is_some() {}
        tasks.spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    // A connection still busy after the request timeout (a reader taking
    // an export slowly) is cut: shutdown is bounded. A write in progress is
    // not lost with it: its transaction runs on a blocking thread, which the
    // runtime lets finish before the process exits.
    if tokio::time::timeout(config.timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tasks.abort_all();
    }
    while tasks.join_next().await.is_some() {}
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
