/* The copy of the inspector's sites kept on the phone, for the site pages opened without a signal
 * (offline-site.js) and the offline inspection (offline-inspection.js).
 *
 * The service worker fills it from /api/v1/sites/offline: the whole copy the first time and for
 * another person, afterwards only what changed since the last answer's cursor (checklist/read/offline.py
 * on the server). The answer comes as columns; the copy keeps rows, in outbox.js's database: sites by
 * id (found by token), their open hazards (found by site) and one record of what the copy is.
 * Loaded by the service worker (importScripts) and by the pages that draw from it, after outbox.js.
 */
(function (scope) {
  "use strict";

  const Outbox = scope.Outbox;
  const RECORD = "copy";
  const DAY = 24 * 3600 * 1000;
  const SITE_PAGE = /^\/s\/([^/]+)\/?$/;

  /* The token of a site page's path (/s/<token>), or null for any other path. */
  function tokenOf(path) {
    const match = SITE_PAGE.exec(path);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function rows(columns) {
    const names = Object.keys(columns);
    const count = names.length ? columns[names[0]].length : 0;
    const list = new Array(count);
    for (let index = 0; index < count; index += 1) {
      const row = {};
      names.forEach(function (name) { row[name] = columns[name][index]; });
      list[index] = row;
    }
    return list;
  }

  /* What the copy is: {user, cursor, at, sites, names: {counties, sectors, units}}, or undefined. */
  function record() {
    return Outbox.transact(["copy"], "readonly", function (stores, result) {
      stores.copy.get(RECORD).onsuccess = function (event) { result.value = event.target.result; };
    });
  }

  /* Store an answer of /api/v1/sites/offline for `user`, in one transaction: a part of the whole copy
   * (the first clears what the phone held), or the changes since the last cursor. `cursor` is the one to
   * ask from next time, kept once the copy is whole: the first part's, or the changes' own. Resolves
   * with the new record, or with {incomplete: true} when the changes name a site the copy does not hold:
   * the caller then asks for the whole copy. */
  function apply(answer, user, cursor) {
    return Outbox.transact(["sites", "hazards", "copy"], "readwrite", function (stores, result) {
      stores.copy.get(RECORD).onsuccess = function (event) {
        const before = event.target.result;
        const first = answer.complete && !answer.after;
        const names = first || !before ? { counties: {}, sectors: {}, units: {} } : before.names;
        if (first) {
          stores.sites.clear();
          stores.hazards.clear();
        }
        rows(answer.sites).forEach(function (site) { stores.sites.put(site); });
        rows(answer.hazards).forEach(function (hazard) { stores.hazards.put(hazard); });
        answer.closed.forEach(function (id) { stores.hazards.delete(id); });
        ["counties", "sectors", "units"].forEach(function (kind) { Object.assign(names[kind], answer[kind]); });
        let missing = false;
        const finish = function () { // once the changes above are placed: requests run in order
          stores.sites.count().onsuccess = function (countEvent) {
            const whole = answer.next === null;
            const copy = { user: String(user), cursor: whole ? cursor : null, at: Date.now(),
              sites: countEvent.target.result, names: names };
            stores.copy.put(copy, RECORD);
            result.value = missing ? { incomplete: true } : copy;
          };
        };
        if (answer.complete) {
          finish();
        } else {
          stores.sites.getAllKeys().onsuccess = function (keysEvent) {
            const held = new Set(keysEvent.target.result);
            const kept = new Set(answer.site_ids);
            missing = answer.site_ids.some(function (id) { return !held.has(id); });
            held.forEach(function (id) { // no longer the inspector's: the site and its hazards go
              if (kept.has(id)) return;
              stores.sites.delete(id);
              stores.hazards.index("site_id").openKeyCursor(IDBKeyRange.only(id)).onsuccess = function (cursorEvent) {
                const found = cursorEvent.target.result;
                if (!found) return;
                stores.hazards.delete(found.primaryKey);
                found.continue();
              };
            });
            finish();
          };
        }
      };
    });
  }

  function localDays(time) { // the phone's own calendar day, as days since 1970 (the copy's deadlines)
    return Math.floor((time - new Date(time).getTimezoneOffset() * 60000) / DAY);
  }

  /* The site of a token as its page shows it, with its open hazards, for `user`; null if the copy
   * does not hold it (or is another person's). */
  function site(token, user) {
    return Outbox.transact(["sites", "hazards", "copy"], "readonly", function (stores, result) {
      let copy = null;
      stores.copy.get(RECORD).onsuccess = function (event) { copy = event.target.result; }; // answered first
      stores.sites.index("token").get(token).onsuccess = function (event) {
        const found = event.target.result;
        if (!found || !copy || copy.user !== String(user)) return;
        stores.hazards.index("site_id").getAll(found.id).onsuccess = function (hazardsEvent) {
          result.value = shown(found, hazardsEvent.target.result, copy);
        };
      };
    }).then(function (found) { return found || null; });
  }

  /* A stored site as its page shows it: named county, sector and unit, its hazards by deadline. */
  function shown(found, hazards, copy) {
    const today = localDays(Date.now());
    found.county = copy.names.counties[found.county_id] || "";
    found.sector_name = copy.names.sectors[found.sector_code] || "";
    found.unit = copy.names.units[found.supervising_unit_id] || "";
    found.copied_at = copy.at;
    found.hazards = hazards.sort(function (a, b) { return a.deadline - b.deadline || a.id - b.id; }).map(function (hazard) {
      hazard.overdue = hazard.deadline < today;
      hazard.deadline = new Date(hazard.deadline * DAY).toISOString().slice(0, 10);
      return hazard;
    });
    return found;
  }

  /* Whether the copy holds the site of a token. */
  function holds(token) {
    return Outbox.transact(["sites"], "readonly", function (stores, result) {
      stores.sites.index("token").getKey(token).onsuccess = function (event) {
        result.value = event.target.result !== undefined;
      };
    });
  }

  /* The token of a site of the copy, or null. */
  function any() {
    return Outbox.transact(["sites"], "readonly", function (stores, result) {
      stores.sites.openCursor().onsuccess = function (event) {
        result.value = event.target.result ? event.target.result.value.token : null;
      };
    });
  }

  /* Every site of `user`'s copy, {token, name, county, sector_name}, by name. */
  function list(user) {
    return Outbox.transact(["sites", "copy"], "readonly", function (stores, result) {
      stores.copy.get(RECORD).onsuccess = function (copyEvent) {
        const copy = copyEvent.target.result;
        result.value = [];
        if (!copy || copy.user !== String(user)) return;
        stores.sites.getAll().onsuccess = function (event) {
          result.value = event.target.result.map(function (site) {
            return { token: site.token, name: site.name, county: copy.names.counties[site.county_id] || "",
              sector_name: copy.names.sectors[site.sector_code] || "" };
          }).sort(function (a, b) { return a.name.localeCompare(b.name, "zh-CN"); });
        };
      };
    });
  }

  /* Forget the copy: the next person on this phone must not read this county offline. */
  function clear() {
    return Outbox.transact(["sites", "hazards", "copy"], "readwrite", function (stores) {
      stores.sites.clear();
      stores.hazards.clear();
      stores.copy.clear();
    });
  }

  scope.Sites = { apply: apply, record: record, tokenOf: tokenOf, site: site, holds: holds, any: any, list: list, clear: clear };
})(self);
