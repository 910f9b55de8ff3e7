//! Who may do what. Actors are kept in the ledger itself (added, disabled),
//! so the list of actors and their roles is as tamper-evident as the
//! decisions they made. Every front end asks [`Actors::authorize`] before
//! acting; the rules live here once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chain::{Entry, Kind};
use crate::Error;

/// A role, and what it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Opens cases, acknowledges them, adds evidence, records review requests and corrections.
    Clerk,
    /// A clerk's rights, and assesses, confirms, decides reviews, records batch decisions.
    Assessor,
    /// Reads and verifies: the ledger's verify, head, replay and export.
    Auditor,
    /// Manages actors and tokens.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Clerk, Role::Assessor, Role::Auditor, Role::Admin];

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Assessor => "assessor",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// The role named `text`.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Something an actor may ask the register to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open a case.
    Open,
    /// Acknowledge a case.
    Acknowledge,
    /// Add a newer version.
    AddEvidence,
    /// Record a review request.
    RequestReview,
    /// Correct an entry's business date.
    Correct,
    /// Assess a case.
    Assess,
    /// Confirm a proposed decision.
    Confirm,
    /// Decide a review.
    DecideReview,
    /// Record decisions outside any case (`batch --record`).
    RecordDecisions,
    /// Read cases and what is due.
    ReadCases,
    /// Verify, replay and export the ledger.
    Audit,
    /// Add and disable actors, issue and revoke tokens.
    ManageActors,
}

impl Action {
    /// The roles any one of which allows it.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Action::Open
            | Action::Acknowledge
            | Action::AddEvidence
            | Action::RequestReview
            | Action::Correct => &[Role::Clerk, Role::Assessor],
            Action::Assess | Action::Confirm | Action::DecideReview | Action::RecordDecisions => {
                &[Role::Assessor]
            }
            Action::ReadCases => &[Role::Clerk, Role::Assessor, Role::Auditor, Role::Admin],
            Action::Audit => &[Role::Auditor, Role::Admin],
            Action::ManageActors => &[Role::Admin],
        }
    }

    /// What it is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Open => "open a case",
            Action::Acknowledge => "acknowledge a case",
            Action::AddEvidence => "add evidence",
            Action::RequestReview => "record a review request",
            Action::Correct => "correct an entry",
            Action::Assess => "assess a case",
            Action::Confirm => "confirm a decision",
            Action::DecideReview => "decide a review",
            Action::RecordDecisions => "record decisions",
            Action::ReadCases => "read cases",
            Action::Audit => "audit the ledger",
            Action::ManageActors => "manage actors",
        }
    }
}

/// An actor as the ledger knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// Their id (`--actor`).
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their roles.
    pub roles: Vec<Role>,
    /// Disabled actors keep their history and may do nothing more.
    pub disabled: bool,
    /// The entry that added them.
    pub added_in: i64,
}

/// What an `actor_added` entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    /// The actor's id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their roles.
    pub roles: Vec<Role>,
}

/// What an `actor_disabled` entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disabled {
    /// The actor's id.
    pub id: String,
}

/// What a `token_created` entry says: never the token, only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenIssued {
    /// The token's public id (its first characters), to name it when revoking.
    pub id: String,
    /// The actor it authenticates.
    pub actor: String,
    /// `sha256:` + hex of the token.
    pub sha256: String,
}

/// What a `token_revoked` entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRevoked {
    /// The token's public id.
    pub id: String,
}

/// A token as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// Its public id.
    pub id: String,
    /// The actor it authenticates.
    pub actor: String,
    /// Its hash.
    #[serde(skip)]
    pub sha256: String,
    /// Revoked tokens authenticate no one.
    pub revoked: bool,
    /// The entry that issued it.
    pub issued_in: i64,
}

/// Every actor and token, folded from the ledger's actor and token entries.
#[derive(Debug, Clone, Default)]
pub struct Actors {
    by_id: BTreeMap<String, Actor>,
    tokens: BTreeMap<String, Token>,
}

impl Actors {
    /// Applies one entry (entries of other kinds are passed over).
    pub fn apply(&mut self, entry: &Entry) -> Result<(), Error> {
        let unreadable =
            |what: &str| Error::Corrupt(format!("entry {}: its {what} does not read", entry.seq));
        match entry.kind {
            Kind::ActorAdded => {
                let added: Added = serde_json::from_str(&entry.detail).map_err(|_| unreadable("actor"))?;
                self.by_id.insert(
                    added.id.clone(),
                    Actor {
                        id: added.id,
                        name: added.name,
                        roles: added.roles,
                        disabled: false,
                        added_in: entry.seq,
                    },
                );
            }
            Kind::ActorDisabled => {
                let disabled: Disabled =
                    serde_json::from_str(&entry.detail).map_err(|_| unreadable("actor"))?;
                if let Some(actor) = self.by_id.get_mut(&disabled.id) {
                    actor.disabled = true;
                }
            }
            Kind::TokenCreated => {
                let issued: TokenIssued =
                    serde_json::from_str(&entry.detail).map_err(|_| unreadable("token"))?;
                self.tokens.insert(
                    issued.id.clone(),
                    Token {
                        id: issued.id,
                        actor: issued.actor,
                        sha256: issued.sha256,
                        revoked: false,
                        issued_in: entry.seq,
                    },
                );
            }
            Kind::TokenRevoked => {
                let revoked: TokenRevoked =
                    serde_json::from_str(&entry.detail).map_err(|_| unreadable("token"))?;
                if let Some(token) = self.tokens.get_mut(&revoked.id) {
                    token.revoked = true;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Whether there is no actor yet (the first added becomes an admin).
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The actor `id`.
    pub fn get(&self, id: &str) -> Option<&Actor> {
        self.by_id.get(id)
    }

    /// Every actor, by id.
    pub fn all(&self) -> impl Iterator<Item = &Actor> {
        self.by_id.values()
    }

    /// Every token issued, by id.
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.tokens.values()
    }

    /// The token `id`.
    pub fn token(&self, id: &str) -> Option<&Token> {
        self.tokens.get(id)
    }

    /// The enabled actor a presented token authenticates, if any: a token
    /// that is known by its hash, not revoked, of an actor not disabled.
    pub fn authenticate(&self, presented: &str) -> Option<&Actor> {
        let hash = crate::chain::sha256_hex(presented.as_bytes());
        let token = self
            .tokens
            .values()
            .find(|t| !t.revoked && constant_time_eq(t.sha256.as_bytes(), hash.as_bytes()))?;
        self.by_id.get(&token.actor).filter(|a| !a.disabled)
    }

    /// The actor `id` if they may do `action`; else why not.
    pub fn authorize(&self, id: Option<&str>, action: Action) -> Result<&Actor, Error> {
        let Some(id) = id.filter(|i| !i.is_empty()) else {
            return Err(Error::Refused(format!(
                "to {} an actor must be named: give `--actor ID` or set ACCORD_ACTOR",
                action.describe()
            )));
        };
        let actor = self.by_id.get(id).ok_or_else(|| {
            Error::Forbidden(format!(
                "`{id}` is not an actor of this register: an admin adds actors with `accord actor add`"
            ))
        })?;
        if actor.disabled {
            return Err(Error::Forbidden(format!("actor `{id}` is disabled")));
        }
        let allowed = action.roles();
        if actor.roles.iter().any(|r| allowed.contains(r)) {
            return Ok(actor);
        }
        let needed: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
        Err(Error::Forbidden(format!(
            "actor `{id}` may not {}: it needs the role `{}`",
            action.describe(),
            needed.join("` or `")
        )))
    }
}

/// Compares two byte strings in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(seq: i64, id: &str, roles: &[Role]) -> Entry {
        Entry {
            seq,
            format: crate::chain::FORMAT,
            recorded_at: String::new(),
            kind: Kind::ActorAdded,
            case_id: None,
            actor: Some("admin".into()),
            on: None,
            version: None,
            input_sha256: None,
            ruleset: None,
            outcome: None,
            decision: None,
            detail: serde_json::to_string(&Added {
                id: id.into(),
                name: id.into(),
                roles: roles.to_vec(),
            })
            .unwrap(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn a_clerk_may_open_but_not_assess_and_the_message_names_the_role() {
        let mut actors = Actors::default();
        actors.apply(&added(1, "clara", &[Role::Clerk])).unwrap();
        assert!(actors.authorize(Some("clara"), Action::Open).is_ok());
        let err = actors
            .authorize(Some("clara"), Action::Assess)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "actor `clara` may not assess a case: it needs the role `assessor`"
        );
        assert!(actors
            .authorize(None, Action::Open)
            .unwrap_err()
            .to_string()
            .contains("--actor ID"));
        assert!(actors
            .authorize(Some("nobody"), Action::Open)
            .unwrap_err()
            .to_string()
            .contains("not an actor"));
    }

    #[test]
    fn a_disabled_actor_may_do_nothing_and_keeps_their_history() {
        let mut actors = Actors::default();
        actors.apply(&added(1, "ana", &[Role::Assessor])).unwrap();
        let mut disabled = added(2, "ana", &[]);
        disabled.kind = Kind::ActorDisabled;
        disabled.detail = "{\"id\":\"ana\"}".into();
        actors.apply(&disabled).unwrap();
        assert!(actors.authorize(Some("ana"), Action::Assess).is_err());
        assert_eq!(actors.get("ana").map(|a| a.added_in), Some(1));
    }
}
