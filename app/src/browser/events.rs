//! Server-Sent Events through the browser's `EventSource`, which reconnects by itself after a
//! dropped connection and resumes with `Last-Event-ID`.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast as _;

/// An open event stream and the handlers it calls; dropping it closes the stream.
pub struct EventStream {
    source: web_sys::EventSource,
    handlers: Vec<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    #[cfg(feature = "workbench")]
    signals: Vec<Closure<dyn FnMut()>>,
}

impl EventStream {
    /// Opens the stream at `url`; `None` when the browser refuses to (a malformed URL).
    pub fn open(url: &str) -> Option<EventStream> {
        Some(EventStream {
            source: web_sys::EventSource::new(url).ok()?,
            handlers: Vec::new(),
            #[cfg(feature = "workbench")]
            signals: Vec::new(),
        })
    }

    /// Calls `handler` with the data of every event named in `names` (`event:` lines).
    pub fn on(&mut self, names: &[&str], handler: impl FnMut(String) + 'static) {
        self.listen(names, Box::new(handler));
    }

    // One copy for every handler: every byte here is downloaded by every visitor.
    fn listen(&mut self, names: &[&str], mut handler: Box<dyn FnMut(String)>) {
        let closure =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                handler(ev.data().as_string().unwrap_or_default())
            });
        for name in names {
            let _ = self
                .source
                .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
        self.handlers.push(closure);
    }

    /// Whether the browser gave up on the stream (the endpoint is missing or refused), rather
    /// than being open or reconnecting by itself.
    pub fn is_closed(&self) -> bool {
        self.source.ready_state() == web_sys::EventSource::CLOSED
    }
}

#[cfg(feature = "workbench")]
impl EventStream {
    /// Calls `handler` when the connection opens (again).
    pub fn on_open(&mut self, handler: impl FnMut() + 'static) {
        let closure = Closure::<dyn FnMut()>::new(handler);
        self.source
            .set_onopen(Some(closure.as_ref().unchecked_ref()));
        self.signals.push(closure);
    }

    /// Calls `handler` when the browser gives up reconnecting.
    pub fn on_closed(&mut self, mut handler: impl FnMut() + 'static) {
        let source = self.source.clone();
        let closure = Closure::<dyn FnMut()>::new(move || {
            if source.ready_state() == web_sys::EventSource::CLOSED {
                handler();
            }
        });
        self.source
            .set_onerror(Some(closure.as_ref().unchecked_ref()));
        self.signals.push(closure);
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.close();
    }
}
