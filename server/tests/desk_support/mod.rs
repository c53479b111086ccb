//! Signed-in agents for the desk and admin API tests: login, requests with the session cookie and
//! CSRF token, and creating colleagues through the admin API; escalations as the widget posts
//! them, and the identities host sites sign.

#![allow(dead_code)] // each test binary uses a different part

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use crate::common::{send, Escalation, TestServer};

/// A signed-in agent's credentials for requests.
pub struct Agent {
    pub email: String,
    pub id: i64,
    cookie: String,
    /// The session's CSRF token, as `/api/v1/session` answered it.
    pub csrf: String,
}

impl Agent {
    pub async fn login(server: &TestServer, email: &str, password: &str) -> Agent {
        let response = server
            .client
            .post(server.url("/api/v1/session"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login {email}");
        let set_cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        Agent {
            email: email.to_owned(),
            id: body["agent"]["id"].as_i64().unwrap(),
            cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    /// The `name=value` of the session cookie.
    pub fn cookie(&self) -> &str {
        &self.cookie
    }

    pub async fn admin(server: &TestServer) -> Agent {
        let admin = server.first_admin.clone().unwrap();
        Agent::login(server, &admin.email, &admin.password).await
    }

    /// Has this admin create an agent in `groups` and signs that agent in.
    pub async fn invite(&self, server: &TestServer, email: &str, groups: &[&str]) -> Agent {
        let name = email.split('@').next().unwrap();
        let created = self
            .create_agent(
                server,
                json!({ "email": email, "name": name, "groups": groups }),
            )
            .await;
        Agent::login(server, email, created["password"].as_str().unwrap()).await
    }

    /// Has this admin create the agent `body` describes; the answer: `agent` and `password`.
    pub async fn create_agent(&self, server: &TestServer, body: Value) -> Value {
        json_of(self.post(server, "/api/v1/admin/agents", body)).await
    }

    /// Has this admin change agent `id` as `body` says; the agent as changed.
    pub async fn update_agent(&self, server: &TestServer, id: i64, body: Value) -> Value {
        json_of(self.put(server, &format!("/api/v1/admin/agents/{id}"), body)).await
    }

    /// Has this admin create the group `id` named `name`.
    pub async fn create_group(&self, server: &TestServer, id: &str, name: &str) -> Value {
        let body = json!({ "id": id, "name": name });
        json_of(self.post(server, "/api/v1/admin/groups", body)).await
    }

    /// Has this admin give `site` a new identity secret; the secret, shown this once.
    pub async fn identity_secret(&self, server: &TestServer, site: &str) -> String {
        let path = format!("/api/v1/admin/sites/{site}/identity-secret");
        let created = json_of(self.post(server, &path, json!({}))).await;
        created["identity_secret"].as_str().unwrap().to_owned()
    }

    /// The ticket as the desk shows it to this agent: ticket, messages, audit, contact, rating.
    pub async fn ticket(&self, server: &TestServer, id: &str) -> Value {
        json_of(self.get(server, &format!("/api/v1/desk/tickets/{id}"))).await
    }

    /// Posts `body` (`{"body": …, "internal": …}`) to the ticket as this agent; the message.
    pub async fn message(&self, server: &TestServer, ticket: &str, body: Value) -> Value {
        let path = format!("/api/v1/desk/tickets/{ticket}/messages");
        json_of(self.post(server, &path, body)).await
    }

    /// Posts an internal note to the ticket; the message.
    pub async fn note(&self, server: &TestServer, ticket: &str, text: &str) -> Value {
        let body = json!({ "body": text, "internal": true });
        self.message(server, ticket, body).await
    }

    /// Opens this agent's event stream (the inbox); the response, whatever its status.
    pub async fn events(&self, server: &TestServer) -> reqwest::Response {
        send(self.get(server, "/api/v1/desk/events")).await
    }

    pub fn get(&self, server: &TestServer, path: &str) -> reqwest::RequestBuilder {
        server
            .client
            .get(server.url(path))
            .header("cookie", &self.cookie)
    }

    pub fn send(
        &self,
        server: &TestServer,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::RequestBuilder {
        server
            .client
            .request(method, server.url(path))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(&body)
    }

    pub fn post(&self, server: &TestServer, path: &str, body: Value) -> reqwest::RequestBuilder {
        self.send(server, reqwest::Method::POST, path, body)
    }

    pub fn put(&self, server: &TestServer, path: &str, body: Value) -> reqwest::RequestBuilder {
        self.send(server, reqwest::Method::PUT, path, body)
    }

    pub fn patch(&self, server: &TestServer, path: &str, body: Value) -> reqwest::RequestBuilder {
        self.send(server, reqwest::Method::PATCH, path, body)
    }

    pub fn delete(&self, server: &TestServer, path: &str) -> reqwest::RequestBuilder {
        server
            .client
            .delete(server.url(path))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }

    /// A write with the session cookie but without the CSRF token.
    pub fn forged(
        &self,
        server: &TestServer,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        server
            .client
            .request(method, server.url(path))
            .header("cookie", &self.cookie)
            .json(&json!({}))
    }
}

/// The JSON of a successful response (panics with the status and body otherwise).
pub async fn json_of(request: reqwest::RequestBuilder) -> Value {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

/// A visitor identity signed by the host site with `secret` (an HS256 JWT).
pub fn jwt(claims: Value, secret: &str) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Unix seconds, `seconds` from now (before now when negative): a token's `exp`.
pub fn in_seconds(seconds: i64) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    now + seconds
}

/// Asserts each `(field, value)` of the last entry of a ticket detail's audit log.
pub fn assert_last_audit(detail: &Value, expected: &[(&str, &str)]) {
    let last = detail["audit"].as_array().unwrap().last().unwrap();
    for (field, value) in expected {
        assert_eq!(last[*field], *value, "{field} of {last}");
    }
}

/// The admin, who has created a `billing` group; ann, an agent of `general`, and bo, of `billing`.
pub async fn billing_team(server: &TestServer) -> (Agent, Agent, Agent) {
    let admin = Agent::admin(server).await;
    admin.create_group(server, "billing", "Billing").await;
    let ann = admin.invite(server, "ann@example.com", &["general"]).await;
    let bo = admin.invite(server, "bo@example.com", &["billing"]).await;
    (admin, ann, bo)
}

/// An escalation from the host site's user `claims` describe (`sub`, `name`, …; `exp` is set to
/// five minutes ahead), signed with the site's identity `secret`.
pub fn signed_escalation(message: &str, secret: &str, mut claims: Value) -> Escalation {
    claims["exp"] = json!(in_seconds(300));
    Escalation::new(message).with("identity_token", jwt(claims, secret))
}

/// Has `admin` let escalations to `site` name `groups` (its `visitor_groups`), keeping the rest of
/// the site as it is.
pub async fn offer_groups(server: &TestServer, admin: &Agent, site: &str, groups: &[&str]) {
    let sites = json_of(admin.get(server, "/api/v1/admin/sites")).await;
    let current = crate::common::item(&sites, "sites", "id", site);
    let updated = json_of(admin.put(
        server,
        &format!("/api/v1/admin/sites/{site}"),
        json!({
            "name": current["name"],
            "allowed_origins": current["allowed_origins"],
            "default_group": current["default_group"],
            "visitor_groups": groups,
        }),
    ))
    .await;
    assert_eq!(updated["visitor_groups"], json!(groups));
}
