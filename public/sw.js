/* Answerdesk service worker: the assistant loads and answers with the network off.
 *
 * - App shell (index.html and the hashed wasm, JS and CSS it names), embed.js: precached at install.
 * - Hashed files: cache first (their content never changes under their name).
 * - /kb.snapshot and /kb.snapshot?site=S (the snapshot a site published, which its widget loads):
 *   stale-while-revalidate, each URL cached under its own key, so two sites' widgets on one
 *   server never answer from each other's knowledge. The cached copy is served at once (the
 *   assistant answers without waiting for the network, or without a network at all) while the
 *   worker asks the server in the background, by the ETag of that very URL, whether a newer one
 *   exists; a new one replaces the cached copy and the next load uses it. Pages are told with a
 *   `{answerdesk: "snapshot", snapshot: KEY}` message. With nothing cached yet it is a plain
 *   network fetch, kept for next time.
 *   At install the worker controls no page yet, so the snapshot the registering page loaded went
 *   past it: it precaches the snapshot of every open assistant page, found from that page's own
 *   `site` parameter by the rule the widget follows (`snapshotKey`).
 * - Pages and other files: network first, cached copy offline; `/` and `/widget` fall back to
 *   index.html.
 * - /api/, and the agent and admin pages: not touched. A queued escalation is the app's business,
 *   and agents work online.
 * A new version of this file replaces the cache wholesale. */
"use strict";
var CACHE = "answerdesk-v1";
var SNAPSHOT = "/kb.snapshot";
// A site id the widget accepts from its URL (`api::site_snapshot_url`); anything else gets the
// server's own snapshot.
var SITE = /^[A-Za-z0-9_-]{1,64}$/;
// Trunk names files by a 64-bit hash in hex without leading zeros: 16 digits, 15 one time in 16.
var HASHED = /-[0-9a-f]{12,16}(_bg)?\.(js|wasm|css)$/;
var APP_ROUTES = /^\/(widget)?$/;
var PASS_THROUGH = /^\/(api|agent|admin)(\/|$)/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return fetch("/index.html", { cache: "no-cache" }).then(function (response) {
      if (!response.ok) throw new Error("index.html: HTTP " + response.status);
      return response.clone().text().then(function (html) {
        var assets = [];
        html.replace(/(?:href|src)="(\/[^"?#]+)"/g, function (_, url) { if (HASHED.test(url)) assets.push(url); });
        return Promise.all([
          cache.put("/index.html", response),
          cache.addAll(assets.concat(["/embed.js"])),
          precacheSnapshots(cache),
        ]);
      });
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The cache key, and the URL, of the snapshot for a `site` parameter: the site's own when it is
// a site id, else the server's. Other query parameters never make a key of their own.
function snapshotKey(site) {
  return site && SITE.test(site) ? SNAPSHOT + "?site=" + site : SNAPSHOT;
}

// The snapshots of the assistant pages open now (`/?site=S`, `/widget?site=S`), controlled or not.
function precacheSnapshots(cache) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (pages) {
    var keys = [];
    pages.forEach(function (page) {
      var url = new URL(page.url);
      // A page given `?snapshot=` loads that file instead (the widget's own rule).
      if (url.origin !== location.origin || !APP_ROUTES.test(url.pathname) || url.searchParams.get("snapshot")) return;
      var key = snapshotKey(url.searchParams.get("site"));
      if (keys.indexOf(key) < 0) keys.push(key);
    });
    return Promise.all(keys.map(function (key) {
      return fetch(key).then(function (r) { if (r.ok) return cache.put(key, r); }).catch(function () {});
    }));
  });
}

// Asks the server for the snapshot `key`, revalidating by ETag through the HTTP cache; keeps a
// new one and tells the pages.
function refreshSnapshot(request, key) {
  return fetch(request, { cache: "no-cache" }).then(function (response) {
    if (!response.ok) return response;
    var copy = response.clone();
    return caches.open(CACHE).then(function (cache) {
      return cache.match(key).then(function (old) {
        var changed = !old || old.headers.get("etag") !== response.headers.get("etag");
        return cache.put(key, copy).then(function () {
          if (changed && old) self.clients.matchAll().then(function (all) {
            all.forEach(function (c) { c.postMessage({ answerdesk: "snapshot", snapshot: key }); });
          });
          return response;
        });
      });
    });
  });
}

function snapshotFromCache(event, key) {
  var request = event.request;
  var refreshed = refreshSnapshot(request, key);
  return caches.match(key).then(function (hit) {
    if (hit) {
      event.waitUntil(refreshed.catch(function () {}));
      return hit;
    }
    return refreshed;
  });
}

function networkFirst(request, fallback) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request.url.split("?")[0], copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request.url.split("?")[0])
      .then(function (hit) { return hit || (fallback && caches.match(fallback)); })
      .then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin || PASS_THROUGH.test(url.pathname)) return;
  if (url.pathname === SNAPSHOT) {
    // Only the URLs the widget asks for; any other query goes to the network, uncached.
    var key = snapshotKey(url.searchParams.get("site"));
    if (url.pathname + url.search === key) event.respondWith(snapshotFromCache(event, key));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); }); }
        return response;
      });
    }));
  } else if (request.mode === "navigate" && APP_ROUTES.test(url.pathname)) {
    event.respondWith(networkFirst(request, "/index.html"));
  } else {
    event.respondWith(networkFirst(request, null));
  }
});
