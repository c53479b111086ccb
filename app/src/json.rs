//! JSON through the browser's own `JSON` object.
//!
//! The visitor's wasm carries no JSON library: parsing and printing are the browser's, and the
//! few shapes the widget exchanges are read and built field by field here.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::JsValue;

/// A parsed JSON value; reading a missing field gives `undefined`, never an error.
#[derive(Clone)]
pub struct Json(JsValue);

impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        JSON::parse(text).ok().map(Json)
    }

    pub fn get(&self, key: &str) -> Json {
        Json(Reflect::get(&self.0, &key.into()).unwrap_or(JsValue::UNDEFINED))
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

    pub fn into_value(self) -> JsValue {
        self.0
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

/// A JSON object under construction.
pub struct Builder(Object);

impl Builder {
    pub fn new() -> Builder {
        Builder(Object::new())
    }

    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Builder {
        let _ = Reflect::set(&self.0, &key.into(), &value.into());
        self
    }

    /// Sets the field only when there is a value: absent rather than `null`.
    pub fn set_some(self, key: &str, value: Option<impl Into<JsValue>>) -> Builder {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    pub fn build(self) -> JsValue {
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
pub fn array(items: impl IntoIterator<Item = JsValue>) -> JsValue {
    items.into_iter().collect::<Array>().into()
}

pub fn print(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
