/* A site page without a signal (templates/app/site.html, served by the service worker for /s/<token>):
 * draws the enterprise and its open hazards from the copy of the inspector's sites on the phone
 * (sites.js), and leads to the offline inspection. Every text shown comes from the page.
 */
(function () {
  "use strict";

  const root = document.getElementById("offline-site");
  if (!root || !window.Sites || !window.indexedDB) return;
  const strings = JSON.parse(document.getElementById("site-strings").textContent);
  const userMeta = document.querySelector("meta[name=user-id]");
  const user = userMeta ? userMeta.content : "";
  const token = window.Sites.tokenOf(location.pathname);
  const $ = function (selector, within) { return (within || root).querySelector(selector); };
  root.hidden = false;

  function hazardItem(hazard) {
    const item = document.getElementById("hazard-template").content.firstElementChild.cloneNode(true);
    const level = $("[data-level]", item);
    level.textContent = strings.levels[hazard.level] || hazard.level;
    level.classList.add(hazard.level);
    const status = $("[data-status]", item);
    status.textContent = strings.statuses[hazard.status] || hazard.status;
    status.classList.add("status-" + hazard.status);
    if (hazard.overdue) {
      item.classList.add("overdue");
      $("[data-overdue]", item).hidden = false;
    }
    $("[data-description]", item).textContent = hazard.description;
    $("[data-deadline]", item).textContent = hazard.deadline;
    $("[data-responsible]", item).textContent = hazard.responsible_person;
    return item;
  }

  function draw(site) {
    ["name", "county", "sector_name", "credit_code", "address", "unit"].forEach(function (name) {
      $("[data-fact=" + name + "]").textContent = site[name] || "";
    });
    $("[data-contact]").textContent = site.contact_name || "";
    const phone = $("[data-phone]");
    phone.textContent = site.contact_phone || "";
    phone.href = "tel:" + (site.contact_phone || "");
    ["address", "contact_name", "unit"].forEach(function (name) { // no row for what the roster leaves empty
      const empty = !site[name];
      $("[data-fact-label=" + name + "]").hidden = empty;
      $("[data-fact=" + name + "]").hidden = empty;
    });
    $("[data-copied]").textContent = strings.copied.replace("{time}",
      new Date(site.copied_at).toLocaleString(document.documentElement.lang || undefined));
    $("[data-inspect]").href = "/app/inspect/" + encodeURIComponent(site.token);
    $("[data-count]").textContent = "(" + site.hazards.length + ")";
    const list = $("[data-hazards]");
    site.hazards.forEach(function (hazard) { list.appendChild(hazardItem(hazard)); });
    if (!site.hazards.length) {
      const none = document.createElement("li");
      none.textContent = strings.none;
      list.appendChild(none);
    }
    document.title = site.name + " · " + document.title;
    $("[data-site]").hidden = false;
  }

  const missing = function () { $("[data-missing]").hidden = false; };
  if (!token) {
    missing();
    return;
  }
  window.Sites.site(token, user).then(function (site) {
    if (site) draw(site);
    else missing();
  }, missing);
})();
