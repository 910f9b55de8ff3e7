//! The routes, each a thin handler over one library use case, with the
//! OpenAPI document generated from the handlers' annotations and types.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use accord_app::case::{self as cases, CaseView, ClockView, Listed, Which};
use accord_app::contract::Decision;
use accord_app::ledger::Replay;
use accord_core::{Date, RuleSet};
use accord_register::actor::Action;
use accord_register::chain::Entry;
use accord_register::Input;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path as UrlPath, Query, Request, State as Shared};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::{Caller, State};

/// The query parameters; a query that cannot be decoded is a JSON 422.
struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| Params(q))
            .map_err(|e| ApiError::invalid(format!("the query string: {}", e.body_text())))
    }
}

/// A case id from the path; one that is not text names no case: a JSON 404.
struct CaseId(String);

impl<S: Send + Sync> FromRequestParts<S> for CaseId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        UrlPath::<String>::from_request_parts(parts, state)
            .await
            .map(|UrlPath(id)| CaseId(id))
            .map_err(|_| ApiError::not_found("no case has that id: it is not text"))
    }
}

/// Whether a request may write to the register: every `POST` but `/v1/assess`.
pub(crate) fn writes(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST && path != "/v1/assess"
}

/// Applications up to this size are decided on the request's own worker
/// thread; larger ones on a blocking thread (see [`assess`]).
const INLINE_DECISION_BYTES: usize = 64 * 1024;

/// The OpenAPI document of the service.
#[derive(OpenApi)]
#[openapi(
    info(title = "Accord decision service", description = "Recognition of professional engineers under mutual recognition agreements: decisions, the case register and its ledger."),
    paths(
        assess, rules, open_case, add_version, acknowledge, assess_case, confirm, request_review,
        decide_review, correct, show_case, list_cases, due, verify, head, export, replay, healthz, readyz, metrics, openapi
    ),
    components(schemas(
        ErrorBody, Decision, CaseView, ClockView, Listed, Recorded, CaseDecision, Reviewed, Correction,
        Verified, HeadView, RulesView, AgreementView, ClauseView, Replay, Health
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        // Any route may answer 503 (too many requests in flight, too slow,
        // the register unreachable): said once here for every operation.
        let busy = utoipa::openapi::ResponseBuilder::new()
            .description("Busy or unavailable: try again after `Retry-After` seconds")
            .content(
                "application/json",
                utoipa::openapi::Content::new(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody"))),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                operation
                    .responses
                    .responses
                    .entry("503".to_owned())
                    .or_insert_with(|| busy.clone().into());
            }
        }
    }
}

/// The routes, without their limits (see [`crate::router`]).
pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/v1/assess", post(assess))
        .route("/v1/rules", get(rules))
        .route("/v1/cases", post(open_case).get(list_cases))
        .route("/v1/cases/{id}", get(show_case))
        .route("/v1/cases/{id}/versions", post(add_version))
        .route("/v1/cases/{id}/acknowledge", post(acknowledge))
        .route("/v1/cases/{id}/assess", post(assess_case))
        .route("/v1/cases/{id}/confirm", post(confirm))
        .route("/v1/cases/{id}/review-requests", post(request_review))
        .route("/v1/cases/{id}/review-decision", post(decide_review))
        .route("/v1/cases/{id}/corrections", post(correct))
        .route("/v1/due", get(due))
        .route("/v1/ledger/verify", get(verify))
        .route("/v1/ledger/head", get(head))
        .route("/v1/ledger/export", get(export))
        .route("/v1/ledger/replay", get(replay))
        .route("/v1/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError::not_found("no such route: see /v1/openapi.json") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method: see /v1/openapi.json",
            )
        })
}

// ---- request pieces ------------------------------------------------------

/// A date parameter, `YYYY-MM-DD`.
fn date(params: &HashMap<String, String>, name: &str) -> Result<Option<Date>, ApiError> {
    params
        .get(name)
        .map(|text| Date::parse(text).map_err(|e| ApiError::invalid(format!("`{name}`: {e}"))))
        .transpose()
}

fn flag(params: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match params.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") | Some("") => Ok(true),
        Some(other) => Err(ApiError::invalid(format!(
            "`{name}` is `true` or `false`, not `{other}`"
        ))),
    }
}

/// The request's body, at most the contract's file limit (413 beyond), read
/// within the service's timeout (503 beyond: a client too slow to send).
async fn body(state: &State, request: Request) -> Result<(HeaderMap, Bytes), ApiError> {
    if crate::declared_length(request.headers()).is_some_and(|n| n > crate::max_body() as u64) {
        crate::drain(request).await;
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(state.timeout, axum::body::to_bytes(body, crate::max_body()));
    match read.await {
        Err(_) => Err(ApiError::busy(
            "the body took longer to arrive than the service allows",
        )),
        Ok(Ok(bytes)) => Ok((parts.headers, bytes)),
        Ok(Err(e)) if is_too_large(&e) => Err(too_large()),
        Ok(Err(_)) => Err(ApiError::invalid("the body could not be read to its end")),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "the body is larger than {}, the limit for an application file",
            accord_core::file::size_text(crate::max_body() as u64)
        ),
    )
}

/// Whether reading a body failed on the length limit.
fn is_too_large(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// The request's media type, without parameters, in lower case (media
/// types are case-insensitive); empty when there is none.
fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// An application body, named by its media type (the extension gives the
/// parser); at most the contract's file limit.
async fn application(state: &State, request: Request, required: bool) -> Result<Option<Input>, ApiError> {
    let (headers, bytes) = body(state, request).await?;
    if bytes.is_empty() && !required {
        return Ok(None);
    }
    let name = match media_type(&headers).as_str() {
        "application/json" => "application.json",
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => "application.yaml",
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the application as `Content-Type: application/json` or `application/yaml`",
            ))
        }
    };
    Ok(Some(Input::new(name, bytes.to_vec())))
}

fn json_response(status: StatusCode, text: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        text,
    )
        .into_response()
}

// ---- responses -----------------------------------------------------------

/// A ledger entry written.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    /// The case.
    pub case: String,
    /// Its sequence number in the ledger.
    pub entry: i64,
    /// Its hash.
    pub hash: String,
    /// The case version it concerns, if any.
    pub version: Option<i64>,
}

impl Recorded {
    fn of(case: &str, e: &Entry) -> Recorded {
        Recorded {
            case: case.to_owned(),
            entry: e.seq,
            hash: e.hash.clone(),
            version: e.version,
        }
    }
}

/// A case's decision, recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDecision {
    /// The decision contract.
    #[schema(value_type = Decision)]
    pub decision: serde_json::Value,
    /// Its ledger entry.
    pub entry: Recorded,
    /// `takes_effect`, `proposed` (awaits a second assessor) or `stops_clock`.
    pub effect: String,
    /// In words, with the clause.
    pub effect_text: String,
    /// The day it was made.
    #[schema(value_type = String, format = Date)]
    pub on: chrono::NaiveDate,
}

/// A review, decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reviewed {
    /// The review's decision.
    #[schema(value_type = Decision)]
    pub decision: serde_json::Value,
    /// Its ledger entry.
    pub entry: Recorded,
    /// The outcome reviewed (none for a deemed refusal).
    pub reviewed: Option<String>,
    /// `upheld` or `replaced`.
    pub result: String,
}

/// A correction of an entry's business date.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Correction {
    /// The entry corrected.
    pub entry: i64,
    /// The right date.
    #[schema(value_type = String, format = Date)]
    pub on: String,
    /// Why.
    pub reason: String,
}

/// A ledger verification.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verified {
    /// Whether the chain, inputs, rule sets and cases are intact.
    pub intact: bool,
    /// Entries, when intact.
    pub entries: Option<u64>,
    /// The head `N:HASH`, when there is one.
    pub head: Option<String>,
    /// The first fault, when not intact.
    pub reason: Option<String>,
}

/// The ledger's head as stored, not verified (see `/v1/ledger/verify`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HeadView {
    /// Entries in the ledger.
    pub entries: u64,
    /// The head `N:HASH`, when there is one.
    pub head: Option<String>,
}

/// The rule set served.
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesView {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its agreements.
    pub agreements: Vec<AgreementView>,
}

/// An agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementView {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its two parties.
    pub parties: Vec<String>,
    /// Its clauses.
    pub clauses: Vec<ClauseView>,
}

/// A clause.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClauseView {
    /// Its number.
    pub clause: String,
    /// Its title.
    pub title: String,
    /// Its criterion kind, when evaluated.
    pub criterion: Option<String>,
}

/// Health.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: String,
}

fn decision_value(d: &accord_eval::Decision) -> serde_json::Value {
    serde_json::to_value(Decision::from(d)).unwrap_or_default()
}

// ---- handlers ------------------------------------------------------------

/// Assess an application: the decision contract, exactly as `accord assess --format json` prints it.
#[utoipa::path(post, path = "/v1/assess",
    params(("as_of" = Option<String>, Query, format = Date, description = "Assessment date, instead of the application's `applied_on`"),
           ("outlook" = Option<bool>, Query, description = "Also give the eligibility outlook")),
    request_body(content((Object = "application/json"), (String = "application/yaml")), description = "An application file (spec/application-format.md)"),
    responses((status = 200, description = "The decision", body = Decision),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn assess(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    Params(params): Params,
    request: Request,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadCases)?;
    let as_of = date(&params, "as_of")?;
    let outlook = flag(&params, "outlook")?;
    let input = application(&state, request, true)
        .await?
        .ok_or_else(|| ApiError::invalid("no application in the body"))?;
    // Deciding is pure computation, no register: a typical application
    // (a few KiB) is decided in tens of microseconds, less than a hand-off
    // to a blocking thread costs, so it is decided here; a large one, which
    // may take milliseconds to parse, goes to a blocking thread so that it
    // does not hold up the other requests on this worker.
    let assessed = if input.bytes.len() <= INLINE_DECISION_BYTES {
        accord_app::assess_bytes(&state.rules, Path::new(&input.name), input.bytes, as_of, outlook)?
    } else {
        let rules = Arc::clone(&state.rules);
        tokio::task::spawn_blocking(move || {
            accord_app::assess_bytes(&rules, Path::new(&input.name), input.bytes, as_of, outlook)
        })
        .await
        .map_err(|_| ApiError::internal("a request's work stopped unexpectedly"))??
    };
    state.metrics.decided(assessed.decision.outcome.as_str());
    Ok(json_response(
        StatusCode::OK,
        Decision::from(&assessed).to_json_pretty() + "\n",
    ))
}

/// The rule set served: id, fingerprint, agreements and their clauses.
#[utoipa::path(get, path = "/v1/rules", responses((status = 200, body = RulesView), (status = 401, body = ErrorBody)))]
async fn rules(Shared(state): Shared<Arc<State>>, caller: Caller) -> Result<Json<RulesView>, ApiError> {
    caller.may(Action::ReadCases)?;
    Ok(Json(rules_view(&state.rules)))
}

fn rules_view(rules: &RuleSet) -> RulesView {
    RulesView {
        id: rules.header().id.clone(),
        title: rules.header().title.as_str().to_owned(),
        fingerprint: rules.fingerprint().to_string(),
        agreements: rules
            .agreements()
            .iter()
            .map(|a| AgreementView {
                id: a.id.clone(),
                title: a.title.as_str().to_owned(),
                parties: a.parties.clone(),
                clauses: a
                    .clauses
                    .iter()
                    .map(|c| ClauseView {
                        clause: c.clause.clone(),
                        title: c.title.as_str().to_owned(),
                        criterion: c.criterion.as_ref().map(|k| k.kind().to_owned()),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Open a case from an application, received on `received` (default today).
#[utoipa::path(post, path = "/v1/cases",
    params(("received" = Option<String>, Query, format = Date, description = "Date received")),
    request_body(content((Object = "application/json"), (String = "application/yaml"))),
    responses((status = 201, body = Recorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_case(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    Params(params): Params,
    request: Request,
) -> Result<Response, ApiError> {
    let writer = caller.may_write(Action::Open)?;
    let received = date(&params, "received")?;
    let input = application(&state, request, true)
        .await?
        .ok_or_else(|| ApiError::invalid("no application in the body"))?;
    let recorded = state
        .write(writer, move |state, register, by| {
            let entry = cases::open(register, Some(by), &state.rules, input, received)?;
            Ok(Recorded::of(entry.case_id.as_deref().unwrap_or_default(), &entry))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(recorded)).into_response())
}

/// Add a newer version of a case's application.
#[utoipa::path(post, path = "/v1/cases/{id}/versions",
    params(("id" = String, Path), ("received" = Option<String>, Query, format = Date)),
    request_body(content((Object = "application/json"), (String = "application/yaml"))),
    responses((status = 201, body = Recorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_version(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    CaseId(id): CaseId,
    Params(params): Params,
    request: Request,
) -> Result<Response, ApiError> {
    let writer = caller.may_write(Action::AddEvidence)?;
    let received = date(&params, "received")?;
    let input = application(&state, request, true)
        .await?
        .ok_or_else(|| ApiError::invalid("no application in the body"))?;
    let recorded = state
        .write(writer, move |state, register, by| {
            let (_, entry) = cases::evidence(register, Some(by), &state.rules, &id, input, received)?;
            Ok(Recorded::of(&id, &entry))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(recorded)).into_response())
}

/// Record the acknowledgement, on `on` (default today).
#[utoipa::path(post, path = "/v1/cases/{id}/acknowledge", params(("id" = String, Path), ("on" = Option<String>, Query, format = Date)),
    responses((status = 200, body = Recorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn acknowledge(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    CaseId(id): CaseId,
    Params(params): Params,
) -> Result<Json<Recorded>, ApiError> {
    let writer = caller.may_write(Action::Acknowledge)?;
    let on = date(&params, "on")?;
    state
        .write(writer, move |_, register, by| {
            let entry = cases::acknowledge(register, Some(by), &id, on)?;
            Ok(Recorded::of(&id, &entry))
        })
        .await
        .map(Json)
}

/// Assess a case's current version and record the decision made on `on`.
#[utoipa::path(post, path = "/v1/cases/{id}/assess", params(("id" = String, Path), ("on" = Option<String>, Query, format = Date), ("as_of" = Option<String>, Query, format = Date)),
    responses((status = 200, body = CaseDecision), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assess_case(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    CaseId(id): CaseId,
    Params(params): Params,
) -> Result<Json<CaseDecision>, ApiError> {
    let writer = caller.may_write(Action::Assess)?;
    let on = date(&params, "on")?;
    let as_of = date(&params, "as_of")?;
    let done = state
        .write(writer, move |state, register, by| {
            let assessed = cases::assess(register, Some(by), &state.rules, &id, as_of, on)?;
            Ok(CaseDecision {
                decision: decision_value(&assessed.decision),
                entry: Recorded::of(&id, &assessed.entry),
                effect: effect_name(assessed.effect).to_owned(),
                effect_text: assessed.effect_text,
                on: assessed.on,
            })
        })
        .await?;
    if let Some(outcome) = done.decision.get("outcome").and_then(|o| o.as_str()) {
        state.metrics.decided(outcome);
    }
    Ok(Json(done))
}

fn effect_name(effect: accord_register::case::Effect) -> &'static str {
    match effect {
        accord_register::case::Effect::TakesEffect => "takes_effect",
        accord_register::case::Effect::Proposed => "proposed",
        accord_register::case::Effect::StopsClock => "stops_clock",
    }
}

/// Confirm the proposal awaiting a second assessor, on `on`.
#[utoipa::path(post, path = "/v1/cases/{id}/confirm", params(("id" = String, Path), ("on" = Option<String>, Query, format = Date)),
    responses((status = 200, body = Recorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirm(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    CaseId(id): CaseId,
    Params(params): Params,
) -> Result<Json<Recorded>, ApiError> {
    let writer = caller.may_write(Action::Confirm)?;
    let on = date(&params, "on")?;
    state
        .write(writer, move |_, register, by| {
            Ok(Recorded::of(&id, &cases::confirm(register, Some(by), &id, on)?))
        })
        .await
        .map(Json)
}

/// Record a review request received on `received`.
#[utoipa::path(post, path = "/v1/cases/{id}/review-requests", params(("id" = String, Path), ("received" = Option<String>, Query, format = Date)),
    responses((status = 200, body = Recorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_review(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    CaseId(id): CaseId,
    Params(params): Params,
) -> Result<Json<Recorded>, ApiError> {
    let writer = caller.may_write(Action::RequestReview)?;
    let received = date(&params, "received")?;
    state
        .write(writer, move |_, register, by| {
            Ok(Recorded::of(
                &id,
                &cases::request_review(register, Some(by), &id, received)?,
            ))
        })
        .await
        .map(Json)
}

/// Decide the pending review on `on`: on the reviewed evidence, or on corrected evidence sent as the body.
#[utoipa::path(post, path = "/v1/cases/{id}/review-decision", params(("id" = String, Path), ("on" = Option<String>, Query, format = Date)),
    request_body(content((Object = "application/json"), (String = "application/yaml")), description = "Corrected evidence (optional)"),
    responses((status = 200, body = Reviewed), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_review(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    CaseId(id): CaseId,
    Params(params): Params,
    request: Request,
) -> Result<Json<Reviewed>, ApiError> {
    let writer = caller.may_write(Action::DecideReview)?;
    let on = date(&params, "on")?;
    let corrected = application(&state, request, false).await?;
    state
        .write(writer, move |_, register, by| {
            let reviewed = cases::decide_review(register, Some(by), &id, corrected, on)?;
            let upheld = reviewed.reviewed == Some(reviewed.decision.outcome);
            Ok(Reviewed {
                decision: decision_value(&reviewed.decision),
                entry: Recorded::of(&id, &reviewed.entry),
                reviewed: reviewed.reviewed.map(|o| o.as_str().to_owned()),
                result: if upheld { "upheld" } else { "replaced" }.to_owned(),
            })
        })
        .await
        .map(Json)
}

/// Correct an entry's business date: a correction entry is appended.
#[utoipa::path(post, path = "/v1/cases/{id}/corrections", params(("id" = String, Path)), request_body = Correction,
    responses((status = 200, body = Recorded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn correct(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    CaseId(id): CaseId,
    request: Request,
) -> Result<Json<Recorded>, ApiError> {
    let writer = caller.may_write(Action::Correct)?;
    let (headers, bytes) = body(&state, request).await?;
    if media_type(&headers) != "application/json" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "a correction is JSON: `Content-Type: application/json`",
        ));
    }
    let correction: Correction = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::invalid(format!("the body is not a correction `{{\"entry\": N, \"on\": \"YYYY-MM-DD\", \"reason\": \"...\"}}`: {e}")))?;
    let on = Date::parse(&correction.on).map_err(|e| ApiError::invalid(format!("`on`: {e}")))?;
    state
        .write(writer, move |_, register, by| {
            Ok(Recorded::of(
                &id,
                &cases::correct(register, Some(by), &id, correction.entry, on, &correction.reason)?,
            ))
        })
        .await
        .map(Json)
}

/// A case whole, with its clocks read on `as_of` (default today).
#[utoipa::path(get, path = "/v1/cases/{id}", params(("id" = String, Path), ("as_of" = Option<String>, Query, format = Date)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn show_case(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    CaseId(id): CaseId,
    Params(params): Params,
) -> Result<Json<CaseView>, ApiError> {
    caller.may(Action::ReadCases)?;
    let as_of = date(&params, "as_of")?;
    state
        .with_register(move |_, register| Ok(cases::show(register, &id, as_of)?))
        .await
        .map(Json)
}

/// The cases: `state=open|closed`, `actor=ID` (the cases an actor took part in).
#[utoipa::path(get, path = "/v1/cases", params(("state" = Option<String>, Query, pattern = "^(open|closed|all)$"), ("actor" = Option<String>, Query), ("as_of" = Option<String>, Query, format = Date)),
    responses((status = 200, body = Vec<Listed>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_cases(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    Params(params): Params,
) -> Result<Json<Vec<Listed>>, ApiError> {
    caller.may(Action::ReadCases)?;
    let as_of = date(&params, "as_of")?;
    let which = match params.get("state").map(String::as_str) {
        None | Some("all") => Which::All,
        Some("open") => Which::Open,
        Some("closed") => Which::Closed,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "`state` is `open`, `closed` or `all`, not `{other}`"
            )))
        }
    };
    let actor = params.get("actor").cloned();
    state
        .with_register(move |_, register| Ok(cases::list(register, which, actor.as_deref(), as_of)?))
        .await
        .map(Json)
}

/// Every running and stopped clock, read on `as_of` (default today).
#[utoipa::path(get, path = "/v1/due", params(("as_of" = Option<String>, Query, format = Date)),
    responses((status = 200, body = Vec<ClockView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn due(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    Params(params): Params,
) -> Result<Json<Vec<ClockView>>, ApiError> {
    caller.may(Action::ReadCases)?;
    let as_of = date(&params, "as_of")?;
    state
        .with_register(move |_, register| Ok(cases::due(register, as_of)?))
        .await
        .map(Json)
}

/// Verify the ledger; with `expect_head=N:HASH`, also that the chain still holds that head.
#[utoipa::path(get, path = "/v1/ledger/verify", params(("expect_head" = Option<String>, Query, pattern = "^[0-9]+:sha256:[0-9a-f]{64}$")),
    responses((status = 200, body = Verified), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn verify(
    Shared(state): Shared<Arc<State>>,
    caller: Caller,
    Params(params): Params,
) -> Result<Json<Verified>, ApiError> {
    caller.may(Action::Audit)?;
    let expect = params
        .get("expect_head")
        .map(|h| accord_app::ledger::parse_head(h).map_err(ApiError::invalid))
        .transpose()?;
    state
        .with_register(move |_, register| {
            Ok(match accord_app::ledger::verify(register, expect.as_ref())? {
                Ok(intact) => Verified {
                    intact: true,
                    entries: Some(intact.entries),
                    head: intact.head.map(|(s, h)| format!("{s}:{h}")),
                    reason: None,
                },
                Err(reason) => Verified {
                    intact: false,
                    entries: None,
                    head: None,
                    reason: Some(reason),
                },
            })
        })
        .await
        .map(Json)
}

/// The head `N:HASH`, to keep outside the database.
#[utoipa::path(get, path = "/v1/ledger/head",
    responses((status = 200, body = HeadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn head(Shared(state): Shared<Arc<State>>, caller: Caller) -> Result<Json<HeadView>, ApiError> {
    caller.may(Action::Audit)?;
    state
        .with_register(move |_, register| {
            let head = register.head()?;
            Ok(HeadView {
                entries: head
                    .as_ref()
                    .and_then(|(s, _)| u64::try_from(*s).ok())
                    .unwrap_or(0),
                head: head.map(|(s, h)| format!("{s}:{h}")),
            })
        })
        .await
        .map(Json)
}

/// Every entry as JSON Lines, streamed, for verification outside Accord.
#[utoipa::path(get, path = "/v1/ledger/export",
    responses((status = 200, description = "JSON Lines, one entry each", content_type = "application/x-ndjson", body = String),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn export(Shared(state): Shared<Arc<State>>, caller: Caller) -> Result<Response, ApiError> {
    caller.may(Action::Audit)?;
    // The register is opened before the answer starts, so that failing to
    // open it is an error response, not a cut stream.
    let db = state.db.clone();
    let permit = state.db_connection().await?;
    let register = tokio::task::spawn_blocking(move || {
        accord_register::Register::open(&db, accord_register::Access::Read)
    })
    .await
    .map_err(|_| ApiError::internal("a request's work stopped unexpectedly"))?
    .map_err(ApiError::unreachable)?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    let (runtime, patience) = (tokio::runtime::Handle::current(), state.timeout);
    tokio::task::spawn_blocking(move || {
        // A reader that takes nothing for the service's timeout is cut off:
        // it would otherwise hold this thread and a read snapshot for ever.
        let send = |item| {
            runtime
                .block_on(tokio::time::timeout(patience, sender.send(item)))
                .map_err(|_| ())
                .and_then(|sent| sent.map_err(|_| ()))
        };
        let result = accord_app::ledger::export(&register, |line| {
            send(Ok(Bytes::from(line + "\n")))
                .map_err(|()| accord_register::Error::Refused("the reader went away".into()))
        });
        if let Err(e) = result {
            let _ = send(Err(std::io::Error::other(e.to_string())));
        }
        drop(register);
        drop(permit);
    });
    let stream = tokio_stream(receiver);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        )],
        Body::from_stream(stream),
    )
        .into_response())
}

/// A stream of a channel's items.
fn tokio_stream(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

/// Replay every recorded decision under the rule set it was made with.
#[utoipa::path(get, path = "/v1/ledger/replay",
    responses((status = 200, body = Replay), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn replay(Shared(state): Shared<Arc<State>>, caller: Caller) -> Result<Json<Replay>, ApiError> {
    caller.may(Action::Audit)?;
    state
        .with_register(move |_, register| Ok(accord_app::ledger::replay(register, None)?))
        .await
        .map(Json)
}

/// The OpenAPI document, generated from the code.
#[utoipa::path(get, path = "/v1/openapi.json", responses((status = 200, description = "OpenAPI 3.1", body = Object), (status = 401, body = ErrorBody)))]
async fn openapi(caller: Caller) -> Result<Response, ApiError> {
    caller.may(Action::ReadCases)?;
    let text = ApiDoc::openapi()
        .to_pretty_json()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(json_response(StatusCode::OK, text))
}

/// Alive.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// Ready: the rules are loaded and the register answers.
#[utoipa::path(get, path = "/readyz", security(()), responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
async fn readyz(Shared(state): Shared<Arc<State>>) -> Result<Json<Health>, ApiError> {
    // A fresh connection, not a pooled one: a SQLite file deleted or moved
    // under the service (its pooled connections would go on writing to the
    // unlinked file) or a database gone is not ready.
    let db = state.db.clone();
    let permit = state.db_connection().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let register = accord_register::Register::open(&db, accord_register::Access::Read)?;
        register.head().map(drop)
    })
    .await
    .map_err(|_| ApiError::internal("a request's work stopped unexpectedly"))?
    .map_err(ApiError::unreachable)?;
    Ok(Json(Health { status: "ok".into() }))
}

/// Prometheus metrics: requests and latency by route and status, decisions by outcome, clocks overdue.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String), (status = 401, body = ErrorBody)))]
async fn metrics(Shared(state): Shared<Arc<State>>, caller: Caller) -> Result<Response, ApiError> {
    caller.may(Action::ReadCases)?;
    let overdue = state
        .with_register(move |_, register| {
            let due = cases::due(register, None)?;
            Ok(due.iter().filter(|c| c.days_left.is_some_and(|d| d < 0)).count())
        })
        .await?;
    state.metrics.overdue(overdue);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        state.metrics.render(),
    )
        .into_response())
}
