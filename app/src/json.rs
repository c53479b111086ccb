//! JSON through the browser's own `JSON` object.
//!
//! The visitor's wasm carries no JSON library: parsing and printing are the browser's, and the
//! few shapes the widget exchanges are read and built field by field here. Going through serde
//! and the `protocol` types instead was measured at about +15.7 KiB brotli for the widget (float
//! parsing and printing among them), so the bodies stay hand-written, and native tests
//! (`api.rs`) check every one of them against the `protocol` types. For those tests the same
//! reading and building runs on `serde_json` outside wasm.

#[cfg(target_arch = "wasm32")]
use js_sys::{Array, Object, Reflect, JSON};

/// A JSON value: the browser's on wasm, `serde_json`'s in native tests.
#[cfg(target_arch = "wasm32")]
pub type Value = wasm_bindgen::JsValue;
#[cfg(not(target_arch = "wasm32"))]
pub type Value = serde_json::Value;

/// A parsed JSON value; reading a missing field gives `undefined`, never an error.
#[derive(Clone)]
pub struct Json(Value);

#[cfg(target_arch = "wasm32")]
impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        JSON::parse(text).ok().map(Json)
    }

    pub fn get(&self, key: &str) -> Json {
        Json(Reflect::get(&self.0, &key.into()).unwrap_or(Value::UNDEFINED))
    }

    pub fn str(&self, key: &str) -> Option<String> {
        self.get(key).0.as_string()
    }

    pub fn f64(&self, key: &str) -> Option<f64> {
        self.get(key).0.as_f64()
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.get(key).0.as_bool()
    }

    /// The elements of an array; empty for anything else.
    pub fn items(&self) -> Vec<Json> {
        if Array::is_array(&self.0) {
            Array::from(&self.0).iter().map(Json).collect()
        } else {
            Vec::new()
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        serde_json::from_str(text).ok().map(Json)
    }

    pub fn get(&self, key: &str) -> Json {
        Json(self.0.get(key).cloned().unwrap_or(Value::Null))
    }

    pub fn str(&self, key: &str) -> Option<String> {
        self.0.get(key)?.as_str().map(str::to_owned)
    }

    pub fn f64(&self, key: &str) -> Option<f64> {
        self.0.get(key)?.as_f64()
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.0.get(key)?.as_bool()
    }

    /// The elements of an array; empty for anything else.
    pub fn items(&self) -> Vec<Json> {
        match &self.0 {
            Value::Array(items) => items.iter().cloned().map(Json).collect(),
            _ => Vec::new(),
        }
    }
}

impl Json {
    pub fn into_value(self) -> Value {
        self.0
    }
}

/// A JSON object under construction.
#[cfg(target_arch = "wasm32")]
pub struct Builder(Object);
#[cfg(not(target_arch = "wasm32"))]
pub struct Builder(serde_json::Map<String, Value>);

impl Builder {
    #[cfg(target_arch = "wasm32")]
    pub fn new() -> Builder {
        Builder(Object::new())
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn new() -> Builder {
        Builder(serde_json::Map::new())
    }

    #[cfg(target_arch = "wasm32")]
    pub fn set(self, key: &str, value: impl Into<Value>) -> Builder {
        let _ = Reflect::set(&self.0, &key.into(), &value.into());
        self
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Builder {
        self.0
            .insert(key.to_owned(), as_browser_prints(value.into()));
        self
    }

    /// Sets the field only when there is a value: absent rather than `null`.
    pub fn set_some(self, key: &str, value: Option<impl Into<Value>>) -> Builder {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    pub fn build(self) -> Value {
        self.0.into()
    }

    pub fn print(self) -> String {
        print(&self.build())
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

/// An array of built values.
#[cfg(target_arch = "wasm32")]
pub fn array(items: impl IntoIterator<Item = Value>) -> Value {
    items.into_iter().collect::<Array>().into()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn array(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Array(items.into_iter().map(as_browser_prints).collect())
}

/// A whole number as `JSON.stringify` prints it, `1765000000` rather than serde_json's
/// `1765000000.0`: JavaScript numbers are all doubles, and whole ones print without a fraction.
#[cfg(not(target_arch = "wasm32"))]
fn as_browser_prints(value: Value) -> Value {
    match value.as_f64() {
        Some(n) if value.is_f64() && n.fract() == 0.0 && n.abs() < 9.0e15 => Value::from(n as i64),
        _ => value,
    }
}

#[cfg(target_arch = "wasm32")]
pub fn print(value: &Value) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn print(value: &Value) -> String {
    value.to_string()
}
