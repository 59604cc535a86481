/* The service worker, served at /sw.js so that its scope is the whole site.
 *
 * - Precaches the app's static files on install, and the logged-in inspector's county (the API's
 *   me, sites and checklists, the shell pages, every site page /s/<token>) on install, on demand
 *   ("Refresh offline data") and when that copy is older than a day or another user's.
 * - Pages (navigations): network first, the cached copy when there is no network, so a QR code
 *   scanned offline still opens its site page. API GETs: the same. Static files: the cached copy
 *   at once, refreshed in the background. PUT and POST are never cached nor touched.
 * - Background Sync: sends the outbox with the same code as the pages (outbox.js).
 */
/* global Outbox */
importScripts("/static/js/outbox.js");

const VERSION = "v1";
const STATIC_CACHE = "checklist-static-" + VERSION;
const DATA_CACHE = "checklist-data-" + VERSION;
const META_KEY = "/__offline-data";
const SHELL_KEY = "/app/inspect/"; // one copy of the inspection page serves every site
const STALE_AFTER = 24 * 3600 * 1000;
const NETWORK_TIMEOUT = 10 * 1000; // then the cached copy, if any, while the network goes on
const INSTALL_WAIT = 20 * 1000;
// A site page is about 8 KB compressed: 300 of them are some 2.4 MB a day on a phone's data plan. The
// API lists the enterprises the inspector's own unit supervises first, so those are the ones kept.
const MAX_SITE_PAGES = 300;
const STATIC_FILES = [
  "/static/js/app.js",
  "/static/js/outbox.js",
  "/static/js/offline-inspection.js",
  "/static/js/outbox-page.js",
  "/static/js/scanner.js",
  "/static/vendor/jsQR.js",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/manifest.webmanifest",
];

self.addEventListener("install", function (event) {
  // The county's pages come with the install when they come quickly; a large county or a weak
  // signal goes on after activation (the pages ask for it with "refresh-if-stale").
  const county = function () {
    const capped = new Promise(function (resolve) { setTimeout(resolve, INSTALL_WAIT); });
    return Promise.race([refresh(false).catch(function () { return null; }), capped]);
  };
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.addAll(STATIC_FILES); })
      .then(county)
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("checklist-") === 0 && name !== STATIC_CACHE && name !== DATA_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// ---- Precaching the county ----------------------------------------------------------------------

let refreshing = null;

function get(url) {
  // X-Precache: the page leaves the flashed messages for the person's own next page.
  return fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-store", headers: { "X-Precache": "1" } });
}

function usable(response) {
  return response && response.status === 200 && response.type === "basic" && !response.redirected;
}

async function readMeta() {
  const cache = await caches.open(DATA_CACHE);
  const response = await cache.match(META_KEY);
  return response ? response.json() : null;
}

/* Fetch and cache the inspector's county. force: even when the copy is fresh. Resolves with the
 * meta record {at, user, sites, pages, failed} or {login: true} when nobody is logged in. */
function refresh(force, userHint) {
  if (refreshing) return refreshing;
  refreshing = (async function () {
    const meta = await readMeta();
    if (!force && meta && Date.now() - meta.at < STALE_AFTER && (!userHint || String(meta.user) === String(userHint))) {
      return meta;
    }
    const meResponse = await get("/api/v1/me");
    if (!usable(meResponse)) return { login: true };
    const me = await meResponse.clone().json();
    if (meta && String(meta.user) !== String(me.id)) await caches.delete(DATA_CACHE); // another inspector's
    const cache = await caches.open(DATA_CACHE);
    await cache.put("/api/v1/me", meResponse);

    const sitesResponse = await get("/api/v1/sites");
    if (!usable(sitesResponse)) throw new Error("sites: " + sitesResponse.status);
    const sites = await sitesResponse.clone().json();
    await cache.put("/api/v1/sites", sitesResponse);

    const urls = [];
    sites.map(function (site) { return site.sector_code; })
      .filter(function (code, index, all) { return code && all.indexOf(code) === index; })
      .forEach(function (code) { urls.push("/api/v1/checklists/" + encodeURIComponent(code)); });
    urls.push("/", "/app/outbox", "/app/scan");
    // The first MAX_SITE_PAGES sites, in the server's order: those the inspector was drawn for, sent to or
    // assigned (包保), then the unit's own, then the rest of the county (the city: of every county).
    sites.slice(0, MAX_SITE_PAGES).forEach(function (site) { urls.push("/s/" + site.token); });
    const shellFrom = sites.length ? "/app/inspect/" + sites[0].token : null;

    let pages = 0;
    let failed = 0;
    const fetchOne = async function (url, key) {
      try {
        const response = await get(url);
        if (usable(response)) {
          await cache.put(key || url, response);
          pages += 1;
          return;
        }
      } catch (error) { /* counted below */ }
      failed += 1;
    };
    const queue = urls.slice();
    const worker = async function () {
      while (queue.length) await fetchOne(queue.shift());
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (shellFrom) await fetchOne(shellFrom, SHELL_KEY);

    // Forget site pages of enterprises that left the county's list.
    const wanted = {};
    sites.slice(0, MAX_SITE_PAGES).forEach(function (site) { wanted["/s/" + site.token] = true; });
    const keys = await cache.keys();
    await Promise.all(keys.map(function (request) {
      const path = new URL(request.url).pathname;
      return path.indexOf("/s/") === 0 && !wanted[path] ? cache.delete(request) : null;
    }));

    const record = { at: Date.now(), user: me.id, sites: sites.length, pages: pages, failed: failed };
    await cache.put(META_KEY, new Response(JSON.stringify(record), { headers: { "Content-Type": "application/json" } }));
    return record;
  })().finally(function () { refreshing = null; });
  return refreshing;
}

self.addEventListener("message", function (event) {
  const data = event.data || {};
  const reply = function (message) {
    if (event.ports && event.ports[0]) event.ports[0].postMessage(message);
  };
  if (data.type === "refresh" || data.type === "refresh-if-stale") {
    event.waitUntil(refresh(data.type === "refresh", data.user).then(reply, function (error) {
      reply({ error: String(error) });
    }));
  } else if (data.type === "meta") {
    event.waitUntil(readMeta().then(reply));
  } else if (data.type === "logout") {
    // The next person on this phone must not read this county's pages offline.
    event.waitUntil(caches.delete(DATA_CACHE));
  } else if (data.type === "sync") {
    event.waitUntil(Outbox.sync({ force: true }).then(reply));
  }
});

// ---- Background Sync ----------------------------------------------------------------------------

self.addEventListener("sync", function (event) {
  if (event.tag !== Outbox.SYNC_TAG) return;
  // The browser spaces these out itself; a rejection asks it to try again later.
  event.waitUntil(Outbox.sync({ force: true }).then(function (summary) {
    if (summary && (summary.retry || summary.offline)) throw new Error("outbox: some items wait for a signal");
  }));
});

// ---- Fetching -----------------------------------------------------------------------------------

function cacheKey(url) {
  if (url.pathname.indexOf("/app/inspect/") === 0) return SHELL_KEY;
  if (url.pathname.indexOf("/app/") === 0) return url.pathname; // ?offline=1, ?draft=… are for the script
  return url.pathname + url.search;
}

function cacheablePage(url) {
  return (url.pathname === "/" && !url.search) || url.pathname.indexOf("/s/") === 0 || url.pathname.indexOf("/app/") === 0;
}

/* Network first; the cached copy when the network fails, or when it is slow and a copy exists. */
function networkFirst(request, key, store) {
  return caches.open(DATA_CACHE).then(function (cache) {
    const network = fetch(request).then(function (response) {
      if (store && usable(response)) cache.put(key, response.clone());
      return response;
    });
    const cached = cache.match(key);
    return new Promise(function (resolve, reject) {
      let settled = false;
      const fallback = function () {
        cached.then(function (copy) {
          if (settled) return;
          if (copy) { settled = true; resolve(copy); }
        });
      };
      const timer = setTimeout(fallback, NETWORK_TIMEOUT);
      network.then(function (response) {
        clearTimeout(timer);
        if (!settled) { settled = true; resolve(response); }
      }, function (error) {
        clearTimeout(timer);
        cached.then(function (copy) {
          if (settled) return;
          settled = true;
          if (copy) resolve(copy);
          else reject(error);
        });
      });
    });
  });
}

function offlinePage() {
  // A page that was never cached: the outbox page (cached) says so and lists what is on the phone.
  return caches.open(DATA_CACHE).then(function (cache) {
    return cache.match("/app/outbox");
  }).then(function (outbox) {
    if (outbox) return Response.redirect("/app/outbox?offline=1", 302);
    return new Response("<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><h1>&#9888; offline</h1>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  });
}

function staleWhileRevalidate(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (cached) {
      const network = fetch(request).then(function (response) {
        if (usable(response)) cache.put(request, response.clone());
        return response;
      });
      if (cached) {
        network.catch(function () {});
        return cached;
      }
      return network;
    });
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return; // PUT and POST go straight to the network, never cached
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.cache === "no-store") return; // the outbox's own requests: the server's answer only

  if (request.mode === "navigate") {
    if (url.pathname === "/sw.js") return;
    const key = cacheKey(url);
    event.respondWith(networkFirst(request, key, cacheablePage(url)).catch(offlinePage));
  } else if (url.pathname.indexOf("/api/v1/") === 0) {
    event.respondWith(networkFirst(request, url.pathname + url.search, true));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(staleWhileRevalidate(request));
  }
});
