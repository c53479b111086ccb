//! Signed-in agents for the desk and admin API tests: login, requests with the session cookie and
//! CSRF token, and creating colleagues through the admin API; escalations as the widget posts
//! them, and the identities host sites sign.

#![allow(dead_code)] // each test binary uses a different part

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use crate::common::{ticket_of, TestServer};

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
        let created = json_of(self.post(
            server,
            "/api/v1/admin/agents",
            json!({ "email": email, "name": email.split('@').next().unwrap(), "groups": groups }),
        ))
        .await;
        Agent::login(server, email, created["password"].as_str().unwrap()).await
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

/// An escalation as the widget posts it: to the demo site, with only a message, unless a test
/// says otherwise.
pub struct Escalation {
    body: Value,
    origin: Option<String>,
}

impl Escalation {
    pub fn new(message: &str) -> Escalation {
        Escalation {
            body: json!({ "site": "demo", "message": message }),
            origin: None,
        }
    }

    /// Sets a field of the body: `site`, `group`, `identity_token`, `contact`, …
    pub fn with(mut self, field: &str, value: impl Into<Value>) -> Escalation {
        self.body[field] = value.into();
        self
    }

    /// Sent by a page of `origin`, as a browser would send it.
    pub fn with_origin(mut self, origin: &str) -> Escalation {
        self.origin = Some(origin.to_owned());
        self
    }

    /// The request, to send now or from another task.
    pub fn request(&self, server: &TestServer) -> reqwest::RequestBuilder {
        let request = server.client.post(server.url("/api/v1/escalations"));
        match &self.origin {
            Some(origin) => request.header("origin", origin),
            None => request,
        }
        .json(&self.body)
    }

    pub async fn send(&self, server: &TestServer) -> reqwest::Response {
        self.request(server).send().await.unwrap()
    }

    /// Sends it and expects a new ticket: `(ticket_id, token)`.
    pub async fn create(&self, server: &TestServer) -> (String, String) {
        ticket_of(self.send(server).await).await
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

/// Has `admin` let escalations to `site` name `groups` (its `visitor_groups`), keeping the rest of
/// the site as it is.
pub async fn offer_groups(server: &TestServer, admin: &Agent, site: &str, groups: &[&str]) {
    let sites = json_of(admin.get(server, "/api/v1/admin/sites")).await;
    let current = sites["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == site)
        .unwrap_or_else(|| panic!("no site {site}"))
        .clone();
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
