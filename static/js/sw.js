/* The service worker, served at /sw.js so that its scope is the whole site.
 *
 * - Keeps the logged-in inspector's sites on the phone: the API's me and checklists and the shell
 *   pages in the Cache API, the copy of the sites and their open hazards in IndexedDB (sites.js), the
 *   whole copy first and afterwards only what changed. On install, on demand ("Refresh offline
 *   data") and when the copy is older than a day or another person's.
 * - Pages (navigations): network first, the cached copy when there is no network. A site page
 *   (/s/<token>) without a signal is the site page shell drawn from the copy (offline-site.js), so
 *   a QR code of any site of the county opens offline; else the page as last seen. API GETs: network
 *   first too. Static files: the cached copy at once, refreshed in the background. PUT and POST are
 *   never cached nor touched.
 * - Background Sync: sends the outbox with the same code as the pages (outbox.js).
 */
/* global Outbox, Sites */
importScripts("/static/js/outbox.js", "/static/js/sites.js");

const VERSION = "v2";
const STATIC_CACHE = "checklist-static-" + VERSION;
const DATA_CACHE = "checklist-data-" + VERSION;
const META_KEY = "/__offline-data";
const SHELL_KEY = "/app/inspect/"; // one copy of the inspection page serves every site
const SITE_SHELL = "/app/site"; // and one of the site page, drawn from the copy
const SHELL_PAGES = ["/", "/app/outbox", "/app/scan", SITE_SHELL];
const COPY_URL = "/api/v1/sites/offline";
const CHECKLIST_URL = "/api/v1/checklists/";
const STALE_AFTER = 24 * 3600 * 1000;
const NETWORK_TIMEOUT = 10 * 1000; // then the cached copy, if any, while the network goes on
const INSTALL_WAIT = 20 * 1000;
const STATIC_FILES = [
  "/static/js/app.js",
  "/static/js/outbox.js",
  "/static/js/sites.js",
  "/static/js/offline-inspection.js",
  "/static/js/offline-site.js",
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

/* The copy of the sites: the changes since the last cursor when the copy is this person's and whole,
 * else (or when the changes name a site it lacks) the whole copy, part after part. */
async function fillCopy(user) {
  const ask = async function (query) {
    const response = await get(COPY_URL + query);
    if (!usable(response)) throw new Error("sites: " + response.status);
    return response.json();
  };
  const copy = await Sites.record();
  if (copy && copy.user === String(user) && copy.cursor) {
    const changes = await ask("?since=" + encodeURIComponent(copy.cursor));
    const kept = await Sites.apply(changes, user, changes.cursor);
    if (!kept.incomplete) return kept;
  }
  let part = await ask("");
  const cursor = part.cursor; // what changes while the other parts come is asked for next time
  let kept = await Sites.apply(part, user, cursor);
  while (part.next !== null) {
    part = await ask("?after=" + part.next);
    kept = await Sites.apply(part, user, cursor);
  }
  return kept;
}

/* Fetch and keep the inspector's sites. force: even when the copy is fresh. Resolves with the
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
    const copy = await fillCopy(me.id);

    const urls = Object.keys(copy.names.sectors).map(function (code) { return CHECKLIST_URL + encodeURIComponent(code); });
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
    const queue = urls.concat(SHELL_PAGES);
    const worker = async function () {
      while (queue.length) await fetchOne(queue.shift());
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const anySite = await Sites.any(); // the inspection page is the same for every site
    if (anySite) await fetchOne("/app/inspect/" + anySite, SHELL_KEY);

    const record = { at: Date.now(), user: me.id, sites: copy.sites, pages: pages, failed: failed };
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
    event.waitUntil(Promise.all([caches.delete(DATA_CACHE), Sites.clear()]));
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

/* A site page (/s/<token>) without a signal: the shell that draws it from the copy when the copy
 * holds the site, else the page as last seen. */
function siteFromCopy(token, url, cache) {
  return Sites.holds(token).catch(function () { return false; }).then(function (held) {
    return held ? cache.match(SITE_SHELL) : null;
  }).then(function (shell) { return shell || cache.match(cacheKey(url)); });
}

/* Network first; the cached copy (or what `offline` gives) when the network fails, or when it is
 * slow and a copy exists. */
function networkFirst(request, key, store, offline) {
  return caches.open(DATA_CACHE).then(function (cache) {
    const network = fetch(request).then(function (response) {
      if (store && usable(response)) cache.put(key, response.clone());
      return response;
    });
    const cached = offline ? offline(cache) : cache.match(key);
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
    const token = Sites.tokenOf(url.pathname);
    const offline = token ? function (cache) { return siteFromCopy(token, url, cache); } : null;
    event.respondWith(networkFirst(request, key, cacheablePage(url), offline).catch(offlinePage));
  } else if (url.pathname.indexOf("/api/v1/") === 0) {
    event.respondWith(networkFirst(request, url.pathname + url.search, true));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(staleWhileRevalidate(request));
  }
});
