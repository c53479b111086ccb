//! Signed-in agents for the desk and admin API tests: login, requests with the session cookie and
//! CSRF token, and creating colleagues through the admin API.

#![allow(dead_code)] // each test binary uses a different part

use serde_json::{json, Value};

use crate::common::TestServer;

/// A signed-in agent's credentials for requests.
pub struct Agent {
    pub email: String,
    pub id: i64,
    cookie: String,
    csrf: String,
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
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        Agent {
            email: email.to_owned(),
            id: body["agent"]["id"].as_i64().unwrap(),
            cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        }
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

/// Posts an escalation routed to `group`; answers the ticket id.
pub async fn escalate_to(server: &TestServer, group: &str, message: &str) -> String {
    let response = server
        .client
        .post(server.url("/api/v1/escalations"))
        .json(&json!({ "site": "demo", "message": message, "group": group }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["ticket_id"].as_str().unwrap().to_owned()
}
