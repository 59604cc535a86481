/* The offline outbox: inspections kept in IndexedDB on the phone and sent to /api/v1 when there is
 * a signal. Loaded by every page (<script src>) and by the service worker (importScripts), so the
 * same code sends from a page and from a Background Sync event.
 *
 * Rules (see the outbox issue): an item leaves the outbox only when the server has confirmed it
 * (200/201 naming its uuid); network errors and 5xx keep it waiting with exponential backoff;
 * 4xx marks it failed with the server's message, and a person retries it; one sender at a time
 * (a Web Lock where the browser has it, and always an atomic claim with a lease on the item).
 * No user-visible text lives here: errors are stored as codes, the pages translate them.
 *
 * Browsers too old for this file (a syntax error) simply keep the plain HTML forms: every
 * element this file would reveal is hidden until it runs.
 */
(function (scope) {
  "use strict";

  const DB_NAME = "checklist-outbox";
  const DB_VERSION = 2;
  const LOCK_NAME = "checklist-outbox-sync";
  const CHANNEL_NAME = "checklist-outbox";
  const SYNC_TAG = "outbox";
  const BACKOFF_BASE = 30 * 1000; // the first retry after half a minute …
  const BACKOFF_MAX = 30 * 60 * 1000; // … doubling up to half an hour
  const REQUEST_TIMEOUT = 120 * 1000; // a 300 KB photo on a weak signal
  const LEASE = REQUEST_TIMEOUT + 60 * 1000;
  const KEEP_SENT = 7 * 24 * 3600 * 1000; // sent records are listed for a week
  const UNSENT = ["draft", "waiting", "sending", "failed"];
  const CONTEXT_ID = Math.random().toString(36).slice(2); // this tab or worker

  // ---- IndexedDB -------------------------------------------------------------------------------

  let dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        const request = scope.indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = function (event) {
          const db = request.result;
          if (event.oldVersion < 1) {
            // items: one record per inspection uuid, from draft to sent (the uuid is the key, so
            // saving the same inspection again, from any tab, overwrites it instead of doubling it).
            const items = db.createObjectStore("items", { keyPath: "uuid" });
            items.createIndex("state", "state");
            items.createIndex("site", "site");
            // photos: the compressed JPEG bytes as ArrayBuffers (Safari has lost queued Blobs).
            const photos = db.createObjectStore("photos", { keyPath: "uuid" });
            photos.createIndex("inspection", "inspection");
          }
          if (event.oldVersion < 2) {
            // The copy of the inspector's sites (sites.js): sites by id, found by token; their
            // open hazards by id, found by site; and one record of what the copy is.
            db.createObjectStore("sites", { keyPath: "id" }).createIndex("token", "token", { unique: true });
            db.createObjectStore("hazards", { keyPath: "id" }).createIndex("site_id", "site_id");
            db.createObjectStore("copy");
          }
        };
        request.onsuccess = function () {
          const db = request.result;
          db.onversionchange = function () { db.close(); dbPromise = null; };
          resolve(db);
        };
        request.onerror = function () { dbPromise = null; reject(request.error); };
        request.onblocked = function () { dbPromise = null; reject(new Error("IndexedDB blocked")); };
      });
    }
    return dbPromise;
  }

  /* Run body(stores) in one transaction; resolve with what body stored in `result.value` once the
   * transaction has committed. body must only use request callbacks (no awaits) so that the
   * transaction stays active: this is what makes a read-check-write atomic across tabs. */
  function transact(names, mode, body) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(names, mode);
        const stores = {};
        names.forEach(function (name) { stores[name] = tx.objectStore(name); });
        const result = { value: undefined };
        tx.oncomplete = function () { resolve(result.value); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("transaction aborted")); };
        body(stores, result);
      });
    });
  }

  function getAll(storeName, indexName, key) {
    return transact([storeName], "readonly", function (stores, result) {
      const source = indexName ? stores[storeName].index(indexName) : stores[storeName];
      const request = key === undefined ? source.getAll() : source.getAll(key);
      request.onsuccess = function () { result.value = request.result; };
    });
  }

  function getItem(uuid) {
    return transact(["items"], "readonly", function (stores, result) {
      const request = stores.items.get(uuid);
      request.onsuccess = function () { result.value = request.result || null; };
    });
  }

  /* Read an item, let change(item) return the new record (or null to leave it), write it. */
  function update(uuid, change) {
    return transact(["items"], "readwrite", function (stores, result) {
      const request = stores.items.get(uuid);
      request.onsuccess = function () {
        const item = request.result || null;
        const changed = change(item);
        if (changed) {
          changed.updated_at = Date.now();
          stores.items.put(changed);
        }
        result.value = changed || null;
      };
    });
  }

  // ---- Drafts and photos (used by the inspection page) -----------------------------------------

  function newUuid() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    scope.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  /* Save a draft unless that inspection has left the draft state (queued from another tab, say):
   * resolves {saved: true} or {saved: false, state}. */
  function saveDraft(record) {
    let refused = null;
    return transact(["items"], "readwrite", function (stores, result) {
      const request = stores.items.get(record.uuid);
      request.onsuccess = function () {
        const existing = request.result;
        if (existing && existing.state !== "draft") {
          refused = existing.state;
          return;
        }
        const now = Date.now();
        record.state = "draft";
        record.created_at = (existing && existing.created_at) || record.created_at || now;
        record.updated_at = now;
        record.rev = ((existing && existing.rev) || 0) + 1;
        stores.items.put(record);
        result.value = record.rev;
      };
    }).then(function (rev) {
      if (refused) return { saved: false, state: refused };
      announce({ type: "draft", uuid: record.uuid, rev: rev });
      return { saved: true, rev: rev };
    });
  }

  function putPhoto(photo) {
    return transact(["photos"], "readwrite", function (stores) { stores.photos.put(photo); });
  }

  function deletePhoto(uuid) {
    return transact(["photos"], "readwrite", function (stores) { stores.photos.delete(uuid); });
  }

  function photosOf(inspectionUuid) {
    return getAll("photos", "inspection", inspectionUuid).then(function (photos) {
      return photos.sort(function (a, b) { return a.created_at - b.created_at; });
    });
  }

  function listItems() {
    return getAll("items").then(function (items) {
      return items.sort(function (a, b) { return (b.created_at || 0) - (a.created_at || 0); });
    });
  }

  function draftsFor(site, user) {
    return getAll("items", "site", site).then(function (items) {
      return items.filter(function (item) { return item.state === "draft" && item.user === user; })
        .sort(function (a, b) { return b.updated_at - a.updated_at; });
    });
  }

  function unsentCount(user) {
    return listItems().then(function (items) {
      return items.filter(function (item) {
        return UNSENT.indexOf(item.state) >= 0 && (user === undefined || String(item.user) === String(user));
      }).length;
    });
  }

  /* Put a finished draft (or an edited failed item) into the outbox. */
  function queue(uuid, body, csrf) {
    return update(uuid, function (item) {
      if (!item || (item.state !== "draft" && item.state !== "failed")) return null;
      item.state = "waiting";
      item.body = body;
      item.csrf = csrf || item.csrf || "";
      item.error = null;
      item.attempts = 0;
      item.next_attempt_at = 0;
      item.queued_at = Date.now();
      return item;
    }).then(function (item) {
      if (!item) throw new Error("not a draft: " + uuid);
      announce({ type: "queued", uuid: uuid });
      requestPersistence();
      registerBackgroundSync();
      return item;
    });
  }

  function retry(uuid) {
    return update(uuid, function (item) {
      if (!item || (item.state !== "failed" && item.state !== "waiting")) return null;
      item.state = "waiting";
      item.next_attempt_at = 0;
      item.error = null;
      return item;
    }).then(function (item) {
      announce({ type: "changed", uuid: uuid });
      return item;
    });
  }

  /* A failed item goes back to being a draft, to be corrected and queued again. */
  function reopen(uuid) {
    return update(uuid, function (item) {
      if (!item || item.state !== "failed") return null;
      item.state = "draft";
      return item;
    }).then(function (item) {
      announce({ type: "changed", uuid: uuid });
      return item;
    });
  }

  /* Delete a draft or a failed item and its photos (the pages confirm first). */
  function discard(uuid) {
    return transact(["items", "photos"], "readwrite", function (stores, result) {
      const request = stores.items.get(uuid);
      request.onsuccess = function () {
        const item = request.result;
        if (!item || (item.state !== "draft" && item.state !== "failed" && item.state !== "sent")) return;
        stores.items.delete(uuid);
        const photos = stores.photos.index("inspection").getAllKeys(uuid);
        photos.onsuccess = function () { photos.result.forEach(function (key) { stores.photos.delete(key); }); };
        result.value = true;
      };
    }).then(function (done) {
      announce({ type: "changed", uuid: uuid });
      return !!done;
    });
  }

  function pruneSent(all) {
    const before = Date.now() - KEEP_SENT;
    return transact(["items"], "readwrite", function (stores) {
      const request = stores.items.index("state").getAll("sent");
      request.onsuccess = function () {
        request.result.forEach(function (item) {
          if (all || (item.sent_at || 0) < before) stores.items.delete(item.uuid);
        });
      };
    }).then(function () { announce({ type: "changed" }); });
  }

  // ---- Change notices between tabs and the worker ----------------------------------------------

  const listeners = [];
  let channel = null;
  try {
    channel = new scope.BroadcastChannel(CHANNEL_NAME);
    channel.onmessage = function (event) { notify(event.data); };
  } catch (error) { channel = null; }

  function notify(message) {
    listeners.forEach(function (listener) {
      try { listener(message); } catch (error) { /* one listener's trouble is not the sender's */ }
    });
  }

  function announce(message) {
    message.from = CONTEXT_ID;
    notify(message);
    if (channel) channel.postMessage(message);
  }

  function onChange(listener) { listeners.push(listener); }

  // ---- Storage and Background Sync ------------------------------------------------------------

  function requestPersistence() {
    const storage = scope.navigator && scope.navigator.storage;
    if (!storage || !storage.persist) return Promise.resolve(false);
    return storage.persisted().then(function (already) {
      return already || storage.persist();
    }).catch(function () { return false; });
  }

  function registerBackgroundSync() {
    let ready;
    if (scope.registration) ready = Promise.resolve(scope.registration); // in the service worker
    else if (scope.navigator && scope.navigator.serviceWorker) ready = scope.navigator.serviceWorker.ready;
    else return Promise.resolve(false);
    return ready.then(function (registration) {
      if (!registration || !registration.sync) return false;
      return registration.sync.register(SYNC_TAG).then(function () { return true; });
    }).catch(function () { return false; });
  }

  // ---- Sending ---------------------------------------------------------------------------------

  function pageToken() {
    const doc = scope.document;
    const meta = doc && doc.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  /* A fresh CSRF token for this session, read from the outbox page (the worker has no page). */
  function fetchToken() {
    return request("/app/outbox", { method: "GET", headers: { Accept: "text/html" } }).then(function (response) {
      if (!response || !response.ok) return "";
      return response.text().then(function (html) {
        const found = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
        return found ? found[1] : "";
      });
    });
  }

  /* fetch without following redirects (a redirect means the session has ended: the login page's
   * 200 must never pass for a confirmation), without caches, with a timeout; null on a network error. */
  function request(url, options) {
    const init = Object.assign({ credentials: "same-origin", redirect: "manual", cache: "no-store" }, options);
    let timer = null;
    if (scope.AbortController) {
      const controller = new scope.AbortController();
      init.signal = controller.signal;
      timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT);
    }
    return scope.fetch(url, init).then(function (response) {
      return response;
    }, function () {
      return null;
    }).finally(function () {
      if (timer) clearTimeout(timer);
    });
  }

  /* What a response means for the item: ok, retry later, log in first, or failed with a reason. */
  function judge(response) {
    if (!response) return Promise.resolve({ kind: "retry", error: { code: "network" } });
    if (response.type === "opaqueredirect" || response.status === 401) {
      return Promise.resolve({ kind: "login", error: { code: "login" } });
    }
    const status = response.status;
    const json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
    const body = json ? response.json().catch(function () { return null; }) : Promise.resolve(null);
    return body.then(function (data) {
      if (status === 200 || status === 201) return { kind: "ok", data: data };
      if (status >= 500 || status === 408 || status === 429) {
        return { kind: "retry", error: { code: "server", status: status } };
      }
      const error = data && data.error ? data.error : {};
      const csrf = status === 400 && (!json || /csrf/i.test(error.code || ""));
      return {
        kind: csrf ? "csrf" : "failed",
        error: { code: error.code || "http", status: status, message: error.message || "" },
      };
    });
  }

  function backoffDelay(attempts) {
    const delay = Math.min(BACKOFF_BASE * Math.pow(2, Math.max(0, attempts - 1)), BACKOFF_MAX);
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  function release(uuid, change) {
    return update(uuid, function (item) {
      if (!item || item.state !== "sending" || item.lease_owner !== CONTEXT_ID) return null;
      item.lease_owner = null;
      item.lease_until = 0;
      change(item);
      return item;
    }).then(function (item) {
      announce({ type: "changed", uuid: uuid });
      return item;
    });
  }

  function waitLater(uuid, error) {
    return release(uuid, function (item) {
      item.state = "waiting";
      item.attempts = (item.attempts || 0) + 1;
      item.next_attempt_at = Date.now() + backoffDelay(item.attempts);
      item.error = error;
    });
  }

  function fail(uuid, error) {
    return release(uuid, function (item) {
      item.state = "failed";
      item.attempts = (item.attempts || 0) + 1;
      item.error = error;
    });
  }

  /* Take an item for sending, atomically: only one tab or worker gets it. */
  function claim(uuid, options) {
    const now = Date.now();
    return update(uuid, function (item) {
      if (!item) return null;
      const due = item.state === "waiting" && (options.force || !item.next_attempt_at || item.next_attempt_at <= now);
      // A "sending" item whose sender is gone: its lease ran out, or we hold the only lock.
      const stale = item.state === "sending" && (options.exclusive || !item.lease_until || item.lease_until < now);
      if (!due && !stale) return null;
      item.state = "sending";
      item.lease_owner = CONTEXT_ID;
      item.lease_until = now + LEASE;
      return item;
    }).then(function (item) {
      if (item) announce({ type: "changed", uuid: uuid });
      return item;
    });
  }

  function renewLease(uuid) {
    return update(uuid, function (item) {
      if (!item || item.state !== "sending" || item.lease_owner !== CONTEXT_ID) return null;
      item.lease_until = Date.now() + LEASE;
      return item;
    });
  }

  function markPhotoSent(uuid, sent) {
    return transact(["photos"], "readwrite", function (stores) {
      const request = stores.photos.get(uuid);
      request.onsuccess = function () {
        if (request.result) {
          request.result.sent = sent;
          stores.photos.put(request.result);
        }
      };
    });
  }

  /* The server has the inspection: drop the photo bytes and the body, keep a small record with
   * the problem list's address for a week (the inspector hands the list over from there). */
  function markSent(uuid, data) {
    return transact(["items", "photos"], "readwrite", function (stores, result) {
      const request = stores.items.get(uuid);
      request.onsuccess = function () {
        const item = request.result;
        if (!item) return;
        stores.items.put({
          uuid: item.uuid, user: item.user, site: item.site, site_name: item.site_name,
          state: "sent", created_at: item.created_at, queued_at: item.queued_at, sent_at: Date.now(),
          updated_at: Date.now(), attempts: (item.attempts || 0) + 1, error: null,
          server_id: data.id, status: data.status, problem_list_url: data.problem_list_url || "",
        });
        const photos = stores.photos.index("inspection").getAllKeys(uuid);
        photos.onsuccess = function () { photos.result.forEach(function (key) { stores.photos.delete(key); }); };
        result.value = true;
      };
    }).then(function () {
      announce({ type: "sent", uuid: uuid });
    });
  }

  function isoDate(ms) {
    return new Date(ms).toISOString();
  }

  /* A photo's query: its site, when it was taken, where the phone was (if the inspector let it tell), the
   * original it marks, and the phone's clock as it sends. */
  function photoQuery(item, photo) {
    const values = { site: item.site };
    if (photo.captured_at) values.captured_at = isoDate(photo.captured_at);
    const position = photo.position;
    if (position) {
      values.latitude = position.latitude;
      values.longitude = position.longitude;
      values.accuracy = position.accuracy;
      if (position.located_at) values.located_at = position.located_at;
    }
    if (photo.marked_from) values.marked_from = photo.marked_from;
    values.sent_at = isoDate(Date.now());
    return "?" + Object.keys(values).map(function (key) {
      return key + "=" + encodeURIComponent(String(values[key]));
    }).join("&");
  }

  /* Send one claimed item: its photos first (each PUT is idempotent by uuid), then the inspection. */
  async function send(item, token) {
    const uuid = item.uuid;
    let csrf = token.value || item.csrf || "";
    let refreshed = false;

    async function put(url, body, type) {
      for (;;) {
        await renewLease(uuid);
        const response = await request(url, {
          method: "PUT", body: body,
          headers: { "Content-Type": type, "X-CSRFToken": csrf, Accept: "application/json" },
        });
        const verdict = await judge(response);
        if (verdict.kind !== "csrf" || refreshed) return verdict.kind === "csrf" ? Object.assign(verdict, { kind: "failed" }) : verdict;
        refreshed = true; // the session's token changed (a new login): fetch the current one once
        const fresh = await fetchToken();
        if (!fresh) return verdict;
        csrf = fresh;
        token.value = fresh;
        await update(uuid, function (stored) { if (!stored) return null; stored.csrf = fresh; return stored; });
      }
    }

    for (let round = 0; round < 2; round++) {
      // In the order they were made: an original goes before its marked copy, which names it (marked_from).
      const photos = await photosOf(uuid);
      for (const photo of photos) {
        if (photo.sent) continue;
        const verdict = await put("/api/v1/photos/" + photo.uuid + photoQuery(item, photo), photo.bytes,
          photo.type || "image/jpeg");
        if (verdict.kind !== "ok") return settle(uuid, verdict);
        await markPhotoSent(photo.uuid, true);
      }
      // The phone's clock as it sends, beside the server's (presence evidence): outside the body, whose hash
      // makes a resent inspection the same one.
      const verdict = await put("/api/v1/inspections/" + uuid + "?sent_at=" + encodeURIComponent(isoDate(Date.now())),
        JSON.stringify(item.body), "application/json");
      if (verdict.kind !== "ok") return settle(uuid, verdict);
      const data = verdict.data || {};
      if (data.uuid !== uuid) {
        // Not the server's answer to this request (a proxy's page, say): try again later.
        return waitLater(uuid, { code: "server" }).then(function () { return "retry"; });
      }
      const missing = data.missing_photos || [];
      if (data.status !== "incomplete" || !missing.length) {
        await markSent(uuid, data);
        return "sent";
      }
      // The server lacks photos we think we sent: send them again, once, then ask again.
      for (const missingUuid of missing) await markPhotoSent(missingUuid, false);
    }
    return waitLater(uuid, { code: "incomplete" }).then(function () { return "retry"; });
  }

  function settle(uuid, verdict) {
    if (verdict.kind === "retry") return waitLater(uuid, verdict.error).then(function () { return "retry"; });
    if (verdict.kind === "login") {
      // Not a fault of the item: it waits, and goes as soon as someone logs in again.
      return release(uuid, function (item) {
        item.state = "waiting";
        item.next_attempt_at = 0;
        item.error = verdict.error;
      }).then(function () { return "login"; });
    }
    return fail(uuid, verdict.error).then(function () { return "failed"; });
  }

  function isOffline() {
    return !!(scope.navigator && scope.navigator.onLine === false);
  }

  /* Who is logged in, asked of the server (never of a cache): only their items are sent. */
  function whoAmI() {
    return request("/api/v1/me", { method: "GET", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response) return { offline: true };
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) return { login: true };
      if (!response.ok) return { offline: true };
      return response.json().then(function (me) { return { id: me.id }; }, function () { return { offline: true }; });
    });
  }

  function isDue(item, options, now) {
    if (item.state === "waiting") return options.force || !item.next_attempt_at || item.next_attempt_at <= now;
    if (item.state === "sending") return options.exclusive || !item.lease_until || item.lease_until < now;
    return false;
  }

  async function syncAll(options) {
    const summary = { sent: 0, failed: 0, retry: 0, login: false, offline: false, skipped: false };
    const tried = {};
    const token = { value: pageToken() };
    let me = null;
    for (;;) {
      const now = Date.now();
      const due = (await listItems()).filter(function (item) { return !tried[item.uuid] && isDue(item, options, now); });
      if (!due.length) break;
      if (isOffline()) { summary.offline = true; break; }
      if (!me) {
        me = await whoAmI();
        if (me.offline) {
          // No answer at all: each due item has had its try.
          for (const item of due) {
            if (await claim(item.uuid, options)) await waitLater(item.uuid, { code: "network" });
          }
          summary.retry += due.length;
          break;
        }
        if (me.login) {
          summary.login = true;
          for (const item of due) {
            await update(item.uuid, function (stored) {
              if (!stored || stored.state !== "waiting") return null;
              stored.error = { code: "login" };
              return stored;
            });
          }
          announce({ type: "changed" });
          break;
        }
      }
      for (const item of due) {
        tried[item.uuid] = true;
        if (String(item.user) !== String(me.id)) continue; // another inspector's, on a shared phone
        const claimed = await claim(item.uuid, options);
        if (!claimed) continue;
        const outcome = await send(claimed, token);
        if (outcome === "sent") summary.sent += 1;
        else if (outcome === "failed") summary.failed += 1;
        else if (outcome === "login") { summary.login = true; break; }
        else summary.retry += 1;
      }
      if (summary.login) break;
    }
    return summary;
  }

  let running = null;

  /* Send what is due. options.force: ignore the backoff (a person pressed "Send now", the phone
   * came online, or the browser's Background Sync fired). Resolves with a summary. */
  function sync(options) {
    options = Object.assign({ force: false }, options);
    if (running) {
      if (options.force) running.then(function () { return sync(options); });
      return running;
    }
    const locks = scope.navigator && scope.navigator.locks;
    let work;
    if (locks && locks.request) {
      work = locks.request(LOCK_NAME, { ifAvailable: true }, function (lock) {
        if (!lock) return { skipped: true }; // another tab or the worker is sending right now
        return syncAll(Object.assign({}, options, { exclusive: true }));
      });
    } else {
      work = syncAll(Object.assign({}, options, { exclusive: false }));
    }
    running = work.catch(function (error) {
      return { error: String(error) };
    }).then(function (summary) {
      running = null;
      announce({ type: "synced", summary: summary });
      return summary;
    });
    return running;
  }

  /* When the earliest waiting item is due next (ms since the epoch), or null. */
  function nextDue() {
    return listItems().then(function (items) {
      const times = items.filter(function (item) { return item.state === "waiting"; })
        .map(function (item) { return item.next_attempt_at || 0; });
      return times.length ? Math.min.apply(Math, times) : null;
    });
  }

  const Outbox = {
    uuid: newUuid, saveDraft: saveDraft, getItem: getItem, listItems: listItems, draftsFor: draftsFor,
    putPhoto: putPhoto, deletePhoto: deletePhoto, photosOf: photosOf, queue: queue, retry: retry,
    reopen: reopen, discard: discard, pruneSent: pruneSent, unsentCount: unsentCount, sync: sync,
    nextDue: nextDue, onChange: onChange, requestPersistence: requestPersistence,
    registerBackgroundSync: registerBackgroundSync, SYNC_TAG: SYNC_TAG, UNSENT: UNSENT, contextId: CONTEXT_ID,
    transact: transact,
  };
  scope.Outbox = Outbox;

  // ---- On every page: register the worker, reveal the app's links, send what waits -------------

  const doc = scope.document;
  if (!doc) return; // in the service worker: the worker's own script drives the rest

  const userMeta = doc.querySelector("meta[name=user-id]");
  const user = userMeta ? userMeta.content : "";
  const capable = "serviceWorker" in scope.navigator && "indexedDB" in scope && "Promise" in scope;

  function whenReady(callback) {
    if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", callback);
    else callback();
  }

  whenReady(function () {
    if (!capable || !user) return;
    doc.querySelectorAll("[data-pwa]").forEach(function (element) { element.hidden = false; });

    scope.navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return scope.navigator.serviceWorker.ready;
    }).then(function (registration) {
      // The worker refreshes the county's pages and checklists when they are old or another's.
      if (registration.active) registration.active.postMessage({ type: "refresh-if-stale", user: user });
    }).catch(function () { /* no worker: the outbox still works while this page is open */ });

    const link = doc.querySelector("[data-outbox-link]");
    const showCount = function () {
      unsentCount(user).then(function (count) {
        if (!link) return;
        link.hidden = count === 0;
        const badge = link.querySelector("[data-outbox-count]");
        if (badge) badge.textContent = String(count);
      }).catch(function () {});
    };
    showCount();
    onChange(showCount);

    // Logging out with unsent inspections asks first. They stay on the phone and go after the
    // next login of the same inspector; the worker drops the county's cached pages.
    doc.querySelectorAll("form[data-logout]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        // A storage that does not answer must not keep anyone logged in: ask it for 2 s at most.
        const late = new Promise(function (resolve) { setTimeout(function () { resolve(0); }, 2000); });
        Promise.race([unsentCount(user), late]).catch(function () { return 0; }).then(function (count) {
          const warning = (form.dataset.unsentWarning || "").replace("{num}", String(count));
          if (count > 0 && !scope.confirm(warning)) return;
          const controller = scope.navigator.serviceWorker.controller;
          if (controller) controller.postMessage({ type: "logout" });
          form.submit();
        });
      });
    });

    // Send: now (page open), when the phone comes online, when the page comes back to the front,
    // and when the earliest backoff runs out while the page stays open.
    let timer = null;
    const schedule = function () {
      if (timer) clearTimeout(timer);
      nextDue().then(function (at) {
        if (at === null) return;
        const wait = Math.min(Math.max(at - Date.now(), 1000), BACKOFF_MAX);
        timer = setTimeout(function () { sync().then(schedule); }, wait);
      });
    };
    sync().then(schedule);
    scope.addEventListener("online", function () { sync({ force: true }).then(schedule); });
    doc.addEventListener("visibilitychange", function () {
      if (doc.visibilityState === "visible") sync().then(schedule);
    });
    onChange(function (message) {
      // Queued in another tab (this tab's own queueing goes on to the outbox page, which sends).
      if (message.type === "queued" && message.from !== CONTEXT_ID) sync({ force: true }).then(schedule);
    });
  });
})(self);
