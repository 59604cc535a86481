/* The outbox page (/app/outbox): lists what this phone holds for the logged-in inspector, with each
 * item's state (draft, waiting, sending, sent, failed and why); retry, correct, discard; "Send now";
 * and the offline copy of the county ("Refresh offline data"). Texts come from the page. */
(function () {
  "use strict";

  const root = document.getElementById("outbox");
  if (!root || !window.Outbox || !window.Sites || !window.indexedDB) return;
  const Outbox = window.Outbox;
  const Sites = window.Sites;
  const strings = JSON.parse(document.getElementById("outbox-strings").textContent);
  const userMeta = document.querySelector("meta[name=user-id]");
  const user = userMeta ? userMeta.content : "";
  const $ = function (selector, within) { return (within || root).querySelector(selector); };
  const fill = function (text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  };
  const time = function (ms) {
    const moment = new Date(ms);
    const today = new Date().toDateString() === moment.toDateString();
    return today ? moment.toLocaleTimeString() : moment.toLocaleString();
  };

  root.hidden = false;
  if (new URLSearchParams(location.search).get("offline")) $("[data-offline-page]").hidden = false;

  // ---- The list ---------------------------------------------------------------------------------

  function errorText(error) {
    if (!error) return "";
    if (error.message) return error.message; // the server's own words
    return fill(strings.errors[error.code] || strings.errors.http, { status: error.status || "" });
  }

  async function render() {
    const items = (await Outbox.listItems()).filter(function (item) { return String(item.user) === String(user); });
    const list = $("[data-items]");
    const template = document.getElementById("outbox-item");
    const nodes = [];
    for (const item of items) {
      const node = template.content.firstElementChild.cloneNode(true);
      node.dataset.uuid = item.uuid;
      node.dataset.state = item.state;
      $("[data-site]", node).textContent = item.site_name || item.site;
      const badge = $("[data-state]", node);
      badge.textContent = strings.states[item.state] || item.state;
      badge.classList.add("outbox-" + item.state);
      const times = [fill(strings.created, { time: time(item.created_at) })];
      if (item.state !== "sent") {
        const count = (await Outbox.photosOf(item.uuid)).length;
        if (count) times.push(fill(strings.photos, { num: count }));
      }
      if (item.state === "waiting" && item.next_attempt_at > Date.now()) {
        times.push(fill(strings.next_try, { time: time(item.next_attempt_at) }));
      }
      if (item.state === "sent") times.push(fill(strings.sent_at, { time: time(item.sent_at) }));
      $("[data-times]", node).textContent = times.join(" · ");
      const error = errorText(item.state === "sent" ? null : item.error);
      if (error) {
        $("[data-error]", node).textContent = error;
        $("[data-error]", node).hidden = false;
      }
      const draftUrl = "/app/inspect/" + encodeURIComponent(item.site) + "?draft=" + encodeURIComponent(item.uuid);
      if (item.state === "failed") {
        $("[data-retry]", node).hidden = false;
        $("[data-edit]", node).href = draftUrl;
        $("[data-edit]", node).hidden = false;
        $("[data-discard]", node).hidden = false;
      } else if (item.state === "draft") {
        $("[data-continue]", node).href = draftUrl;
        $("[data-continue]", node).hidden = false;
        $("[data-discard]", node).hidden = false;
      } else if (item.state === "sent" && item.problem_list_url) {
        $("[data-problem-list]", node).href = item.problem_list_url;
        $("[data-problem-list]", node).hidden = false;
      }
      nodes.push(node);
    }
    list.textContent = "";
    nodes.forEach(function (node) { list.appendChild(node); });
    $("[data-empty]").hidden = items.some(function (item) { return item.state !== "sent"; });
    $("[data-clear-sent]").hidden = !items.some(function (item) { return item.state === "sent"; });
  }

  let pending = null;
  function rerender() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; render(); }, 100);
  }
  Outbox.onChange(rerender);

  $("[data-items]").addEventListener("click", async function (event) {
    const node = event.target.closest("li[data-uuid]");
    if (!node) return;
    const uuid = node.dataset.uuid;
    if (event.target.closest("[data-retry]")) {
      await Outbox.retry(uuid);
      Outbox.sync({ force: true });
    } else if (event.target.closest("[data-edit]")) {
      event.preventDefault();
      await Outbox.reopen(uuid);
      location.assign(event.target.closest("[data-edit]").href);
    } else if (event.target.closest("[data-discard]")) {
      const text = node.dataset.state === "draft" ? strings.discard_draft : strings.discard_failed;
      if (window.confirm(text)) await Outbox.discard(uuid);
    }
  });

  const sendButton = $("[data-send-now]");
  sendButton.addEventListener("click", async function () {
    sendButton.disabled = true;
    $("[data-network]").textContent = strings.sending;
    try {
      await Outbox.sync({ force: true });
    } finally {
      sendButton.disabled = false;
      showNetwork();
    }
  });

  $("[data-clear-sent]").addEventListener("click", function () { Outbox.pruneSent(true); });

  function showNetwork() {
    $("[data-network]").textContent = navigator.onLine === false ? strings.offline : strings.online;
  }
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();

  // ---- The offline copy of the county -------------------------------------------------------

  function ask(message) {
    if (!navigator.serviceWorker) return Promise.reject(new Error("no service worker"));
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        const channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  function showMeta(meta) {
    const status = $("[data-offline-status]");
    if (meta && meta.error) status.textContent = strings.offline_data_failed;
    else if (meta && meta.at) status.textContent = fill(strings.offline_data, { sites: meta.sites, time: time(meta.at) });
    else status.textContent = strings.offline_data_none;
    status.dataset.at = meta && meta.at ? String(meta.at) : "";
  }

  const refreshButton = $("[data-refresh]");
  refreshButton.addEventListener("click", async function () {
    refreshButton.disabled = true;
    $("[data-offline-status]").textContent = strings.refreshing;
    $("[data-offline-status]").dataset.at = "";
    try {
      const meta = await ask({ type: "refresh", user: user });
      showMeta(meta && meta.login ? { error: true } : meta);
      showSites();
    } catch (error) {
      showMeta({ error: true });
    } finally {
      refreshButton.disabled = false;
    }
  });

  async function showSites() {
    try {
      const sites = await Sites.list(user);
      const list = $("[data-site-list]");
      list.textContent = "";
      sites.forEach(function (site) {
        const entry = document.createElement("li");
        const link = document.createElement("a");
        link.href = "/s/" + encodeURIComponent(site.token);
        link.textContent = site.name;
        entry.appendChild(link);
        const facts = document.createElement("small");
        facts.textContent = " " + [site.county, site.sector_name].filter(Boolean).join(" · ");
        entry.appendChild(facts);
        list.appendChild(entry);
      });
      $("[data-sites]").hidden = !sites.length;
    } catch (error) { /* no copy on this phone yet: the list stays hidden */ }
  }

  if (navigator.storage && navigator.storage.persisted) {
    navigator.storage.persisted().then(function (persisted) {
      $("[data-storage]").textContent = persisted ? strings.persistent : strings.not_persistent;
    });
  }

  ask({ type: "meta" }).then(showMeta, function () { showMeta(null); });
  showSites();
  Outbox.pruneSent(false).then(render, render);
})();
