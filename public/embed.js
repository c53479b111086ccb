/* Answerdesk embed: one script tag draws a launcher and loads the assistant lazily.
 *   <script src="https://HOST/embed.js" data-site="SITE_ID" defer></script>
 * Options (data-* on the tag, or window.answerdeskSettings): site, locale, accent, position
 * ("right"|"left"), label, greeting, snapshot (URL), api (base URL), preload, analytics ("off"
 * keeps the widget's events away from answerdesk('on') handlers and its answer feedback off the server).
 * API: answerdesk('open'|'close'|'toggle'), answerdesk('ask', text), answerdesk('identify',
 * {token} | {id, ts, name, email, attributes, hmac}), answerdesk('on', event, fn).
 * Hand-written and framework-free: every visitor downloads it. */
(function () {
  "use strict";
  var w = window, d = document;
  if (w.__answerdesk) return; // loaded twice: keep the first launcher
  w.__answerdesk = true;
  var script = d.currentScript;
  var cfg = w.answerdeskSettings || {};
  var ds = (script && script.dataset) || {};
  var opt = function (k, dflt) { return cfg[k] != null ? String(cfg[k]) : ds[k] != null ? ds[k] : dflt; };
  // The widget's origin: where this script came from. Messages go to it and are taken from it only.
  var origin = new URL(script ? script.src : location.href, location.href).origin;
  var locale = opt("locale", navigator.language || "en");
  var zh = /^zh/i.test(locale);
  var accent = opt("accent", "#2f5bea");
  if (!/^#[0-9a-f]{3,8}$/i.test(accent)) accent = "#2f5bea";
  var left = opt("position", "right") === "left";
  var label = opt("label", zh ? "需要帮助？" : "Need help?");
  var analytics = opt("analytics", "on") !== "off";
  var handlers = {}, queue = [], frame = null, ready = false, isOpen = false;

  var host = d.createElement("div");
  host.setAttribute("data-answerdesk", "");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var side = left ? "left" : "right";
  root.innerHTML =
    "<style>:host{all:initial}" +
    ".l{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;display:flex;align-items:center;gap:8px;" +
    "padding:12px 18px;border:0;border-radius:999px;background:" + accent + ";color:#fff;font:600 15px/1.2 system-ui,sans-serif;" +
    "box-shadow:0 6px 24px rgba(0,0,0,.2);cursor:pointer}" +
    ".l:focus-visible{outline:3px solid #111;outline-offset:3px}" +
    ".p{position:fixed;bottom:84px;" + side + ":20px;z-index:2147483000;width:min(400px,calc(100vw - 40px));" +
    "height:min(640px,calc(100vh - 110px));border:0;border-radius:16px;box-shadow:0 12px 48px rgba(0,0,0,.28);background:#fff}" +
    ".p[hidden]{display:none}" +
    "@media (prefers-reduced-motion:no-preference){.p{animation:f .15s ease-out}@keyframes f{from{transform:translateY(12px)}}}</style>" +
    "<button class=l type=button data-testid=launcher aria-expanded=false aria-haspopup=dialog>" +
    "<svg aria-hidden=true viewBox='0 0 24 24' width=20 height=20><path fill=currentColor d='M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z'/></svg><span></span></button>";
  var launcher = root.querySelector(".l");
  launcher.lastChild.textContent = label;

  function emit(name, data) { (handlers[name] || []).forEach(function (fn) { try { fn(data); } catch (e) {} }); }
  function post(msg) { if (ready) frame.contentWindow.postMessage(msg, origin); else queue.push(msg); }

  function load() {
    if (frame) return;
    frame = d.createElement("iframe");
    frame.className = "p";
    frame.hidden = !isOpen;
    frame.title = zh ? "在线客服" : "Help chat";
    var q = new URLSearchParams({ site: opt("site", "demo"), locale: locale, page: location.href, accent: accent });
    ["greeting", "snapshot", "api"].forEach(function (k) { var v = opt(k, ""); if (v) q.set(k, v); });
    if (!analytics) q.set("analytics", "off");
    frame.src = origin + "/widget?" + q.toString();
    root.appendChild(frame);
  }

  function setOpen(open) {
    if (open === isOpen && frame) return;
    isOpen = open;
    load();
    frame.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) { frame.focus(); post({ answerdesk: "focus" }); }
    emit(open ? "open" : "close");
  }

  launcher.addEventListener("click", function () { setOpen(!isOpen); });
  // Hovering or tabbing to the launcher usually means a click is coming: start loading now.
  launcher.addEventListener("pointerenter", load);
  launcher.addEventListener("focus", load);
  w.addEventListener("message", function (e) {
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow || !e.data) return;
    var m = e.data.answerdesk;
    if (m === "ready") { ready = true; queue.splice(0).forEach(post); emit("ready"); }
    else if (m === "close") { setOpen(false); launcher.focus(); }
    else if (m === "event" && analytics) emit(e.data.name, e.data.detail);
  });

  var api = function (cmd, a, b) {
    if (cmd === "open") setOpen(true);
    else if (cmd === "close") setOpen(false);
    else if (cmd === "toggle") setOpen(!isOpen);
    else if (cmd === "ask") { setOpen(true); post({ answerdesk: "ask", text: String(a) }); }
    else if (cmd === "identify" && a) {
      load();
      post({ answerdesk: "identify", token: a.token && String(a.token), id: a.id && String(a.id),
        name: a.name && String(a.name), email: a.email && String(a.email), hmac: a.hmac && String(a.hmac),
        ts: a.ts != null ? String(a.ts) : undefined });
    }
    else if (cmd === "on" && typeof b === "function") (handlers[a] = handlers[a] || []).push(b);
  };
  var pending = (w.answerdesk && w.answerdesk.q) || [];
  w.answerdesk = api;
  (d.body || d.documentElement).appendChild(host);
  pending.forEach(function (args) { api.apply(null, args); });
  if (opt("preload", null) != null) (w.requestIdleCallback || setTimeout)(load);
})();
