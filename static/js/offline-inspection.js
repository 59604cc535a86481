/* The inspection form of the installed app (/app/inspect/<token>): works without a signal.
 *
 * The draft is kept in IndexedDB as the inspector types (a reload, a closed tab or a restarted
 * phone loses nothing); photos are made smaller by app.js's Evidence.compress (the size and quality measured
 * for issue 16) and kept as ArrayBuffers, each with the phone's position when it was added and, if the inspector
 * marked it (Evidence.mark), its marked copy beside it; the position at the start goes with the inspection.
 * "Save to outbox" queues the inspection under its uuid, and outbox.js sends it.
 * The inspection's uuid is the record's key: saving again from this or another tab overwrites the
 * same record, and a draft that has been queued refuses further changes.
 * Every text shown comes from the page (templates/app/inspect.html), none from here.
 */
(function () {
  "use strict";

  const root = document.getElementById("offline-inspection");
  if (!root || !window.Outbox || !window.Sites || !window.indexedDB || !window.Evidence) return;
  const Outbox = window.Outbox;
  const Sites = window.Sites;
  const Evidence = window.Evidence;

  const SAVE_DELAY = 300;
  const FINE = /^\d{1,10}(\.\d{1,2})?$/;

  const strings = JSON.parse(document.getElementById("offline-strings").textContent);
  const labels = strings.labels;
  const form = document.getElementById("offline-form");
  const token = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop());
  const userMeta = document.querySelector("meta[name=user-id]");
  const user = userMeta ? userMeta.content : "";
  const sessionKey = "checklist-draft:" + token;
  const $ = function (selector, within) { return (within || root).querySelector(selector); };
  const $$ = function (selector, within) { return Array.prototype.slice.call((within || root).querySelectorAll(selector)); };
  const fill = function (text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  };

  let state = null; // the draft record: {uuid, user, site, site_name, sector_code, checklist, started_at, position, form}
  let photos = []; // [{uuid, item_code, marked_from, url}] of this draft
  let locked = false;
  let saveTimer = null;
  let me = null;

  // ---- Loading -------------------------------------------------------------------------------

  function getJson(url) {
    // Through the service worker: the network when there is one, else the copy kept on the phone.
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  /* The site from the copy on the phone (sites.js); one outside it (a city inspector's visit) from
   * the API while there is a signal. */
  async function findSite() {
    const copied = await Sites.site(token, user);
    if (copied) return copied;
    const sites = await getJson("/api/v1/sites");
    return sites.filter(function (candidate) { return candidate.token === token; })[0];
  }

  function emptyForm() {
    return { mode: "", team_id: null, results: {}, actions: [], signature: { signer_name: "", png: "", refused: false } };
  }

  async function chooseDraft() {
    const wanted = new URLSearchParams(location.search).get("draft") || sessionStorage.getItem(sessionKey);
    if (wanted) {
      const record = await Outbox.getItem(wanted);
      if (record && record.site === token && String(record.user) === String(user)) return record;
    }
    const drafts = await Outbox.draftsFor(token, user);
    if (drafts.length) {
      $("[data-resumed]").hidden = false;
      return drafts[0];
    }
    return null;
  }

  async function load() {
    root.hidden = false;
    let site, checklist;
    try {
      me = await getJson("/api/v1/me");
      site = await findSite();
      if (!site) throw new Error("unknown site");
    } catch (error) {
      $("[data-load-error]").hidden = false;
      return;
    }
    let existing;
    try {
      existing = await chooseDraft();
    } catch (error) { // no IndexedDB here (a private window, say): the plain form is the way
      $("[data-load-error]").hidden = false;
      return;
    }
    if (existing) {
      state = existing;
    } else {
      try {
        checklist = await getJson("/api/v1/checklists/" + encodeURIComponent(site.sector_code));
      } catch (error) {
        $("[data-load-error]").hidden = false;
        return;
      }
      state = {
        uuid: Outbox.uuid(), user: user, site: token, site_name: site.name, sector_code: site.sector_code,
        checklist: checklist, started_at: new Date().toISOString(), position: null, form: emptyForm(),
      };
      locateStart();
    }
    sessionStorage.setItem(sessionKey, state.uuid);
    $("[data-site-name]").textContent = site.name;
    $("[data-site-facts]").textContent = [site.county, site.sector_name, site.address].filter(Boolean).join(" · ");
    document.title = site.name + " · " + document.title;
    if (state.state && state.state !== "draft") {
      lock();
      return;
    }
    build();
    apply();
    await loadPhotos();
    form.hidden = false;
    listen();
  }

  // ---- Building the form ------------------------------------------------------------------------

  let fieldCount = 0;

  function build() {
    const modeBox = $("[data-modes]");
    (me.modes || []).forEach(function (mode) {
      const label = document.createElement("label");
      label.className = "choice";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "mode";
      input.value = mode;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + (labels.modes[mode] || mode)));
      modeBox.appendChild(label);
    });
    const team = $("#offline-team");
    (me.teams || []).forEach(function (choice) {
      const option = document.createElement("option");
      option.value = String(choice.id);
      option.textContent = choice.name;
      team.appendChild(option);
    });
    if (!state.form.mode && me.modes && me.modes.length) {
      state.form.mode = me.modes[0];
      if (state.form.mode !== "self_check" && me.teams && me.teams.length) state.form.team_id = me.teams[0].id;
    }

    const template = document.getElementById("item-template");
    state.checklist.items.forEach(function (item, index) {
      const node = template.content.firstElementChild.cloneNode(true);
      node.dataset.code = item.code;
      node.id = "item-" + item.code;
      $("[data-code]", node).textContent = item.code;
      $("[data-text]", node).textContent = item.text;
      if (item.basis) $("[data-basis]", node).textContent = item.basis;
      else $("[data-basis-line]", node).remove();
      if (item.criterion) $("[data-criterion]", node).textContent = item.criterion;
      else $("[data-criterion-line]", node).remove();
      node.dataset.defaultLevel = item.criterion ? "major" : "general";  /* a cited criterion: major by default */
      if (item.guidance) $("[data-guidance]", node).textContent = item.guidance;
      else $("[data-guidance]", node).remove();
      $$("[data-outcome]", node).forEach(function (input) { input.name = "outcome-" + index; });
      $$("[data-level]", node).forEach(function (input) { input.name = "level-" + index; });
      $$("label[data-for]", node).forEach(function (label) {
        const control = node.querySelector("[data-field=" + label.dataset.for + "], [data-" + label.dataset.for + "]");
        fieldCount += 1;
        control.id = "field-" + fieldCount;
        label.htmlFor = control.id;
      });
      $("[data-section=" + (item.section === "common" ? "common" : "sector") + "]").appendChild(node);
    });
  }

  function result(code) {
    if (!state.form.results[code]) {
      const level = document.getElementById("item-" + code).dataset.defaultLevel;
      state.form.results[code] = { outcome: "", note: "", level: level, description: "", deadline: "", responsible_person: "", hazard_uuid: "" };
    }
    return state.form.results[code];
  }

  function showItem(node) {
    const entry = state.form.results[node.dataset.code] || {};
    node.className = "item " + (entry.outcome || "unanswered");
    $(".hazard-fields", node).hidden = entry.outcome !== "fail";
    if (entry.outcome === "fail" || entry.note) $(".item-more", node).open = true;
  }

  function showMode() {
    const selfCheck = state.form.mode === "self_check";
    $("[data-team-field]").hidden = selfCheck || !(me.teams && me.teams.length);
    $("[data-enforcement]").hidden = selfCheck;
  }

  /* Put the draft's values into the form (on load, and when another tab changed the draft). */
  function apply() {
    $$("input[name=mode]").forEach(function (input) { input.checked = input.value === state.form.mode; });
    $("#offline-team").value = state.form.team_id ? String(state.form.team_id) : "";
    $$("li.item").forEach(function (node) {
      const entry = state.form.results[node.dataset.code] || {};
      $$("[data-outcome]", node).forEach(function (input) { input.checked = input.value === entry.outcome; });
      $$("[data-level]", node).forEach(function (input) { input.checked = input.value === (entry.level || node.dataset.defaultLevel); });
      $$("[data-field]", node).forEach(function (input) { input.value = entry[input.dataset.field] || ""; });
      showItem(node);
    });
    showMode();
    showActions();
    const signature = state.form.signature;
    $("[data-signer-name]").value = signature.signer_name || "";
    $("[data-refused]").checked = !!signature.refused;
    pad.show(signature.png);
  }

  // ---- Position -------------------------------------------------------------------------------

  /* Where the phone is at the start, if the inspector allows: kept with the draft, sent with the inspection. */
  function locateStart() {
    Evidence.locate({ wait: 15000 }).then(function (fix) {
      if (!fix || locked || !state || state.position) return;
      state.position = fix;
      scheduleSave();
    });
  }

  // ---- Photos ---------------------------------------------------------------------------------

  async function loadPhotos() {
    photos.forEach(function (photo) { URL.revokeObjectURL(photo.url); });
    const stored = await Outbox.photosOf(state.uuid);
    photos = stored.map(function (photo) {
      return {
        uuid: photo.uuid, item_code: photo.item_code, marked_from: photo.marked_from || null,
        url: URL.createObjectURL(new Blob([photo.bytes], { type: photo.type })),
      };
    });
    $$("li.item").forEach(showThumbs);
  }

  /* An item's photos, each marked copy just before its original (as the server shows them). */
  function itemPhotos(code) {
    const own = photos.filter(function (photo) { return photo.item_code === code; });
    const shown = [];
    own.filter(function (photo) { return !photo.marked_from; }).forEach(function (original) {
      own.filter(function (photo) { return photo.marked_from === original.uuid; }).forEach(function (copy) { shown.push(copy); });
      shown.push(original);
    });
    return shown;
  }

  function showThumbs(node) {
    const box = $("[data-thumbs]", node);
    box.textContent = "";
    const template = document.getElementById("thumb-template");
    itemPhotos(node.dataset.code).forEach(function (photo) {
      const thumb = template.content.firstElementChild.cloneNode(true);
      thumb.querySelector("img").src = photo.url;
      thumb.dataset.photo = photo.uuid;
      const badge = thumb.querySelector("[data-marked]");
      if (badge) badge.hidden = !photo.marked_from;
      const markButton = thumb.querySelector("[data-mark]");
      if (markButton) markButton.hidden = !!photo.marked_from || !Evidence.canMark;
      box.appendChild(thumb);
    });
  }

  async function addPhotos(input, node) {
    const files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    if (!files.length || locked) return;
    await saveNow(); // the draft first, so that no photo is ever kept without its inspection
    const located = Evidence.locate({ wait: 8000 }); // while the photos are made smaller
    for (const file of files) {
      try {
        const compressed = await Evidence.compress(file);
        await Outbox.putPhoto({
          uuid: Outbox.uuid(), inspection: state.uuid, item_code: node.dataset.code,
          bytes: compressed.bytes, type: compressed.type, size: compressed.bytes.byteLength,
          captured_at: file.lastModified || Date.now(), created_at: Date.now(), sent: false,
          position: await located,
        });
      } catch (error) {
        showProblems([fill(strings.photo_failed, { name: file.name })]);
      }
    }
    await loadPhotos();
    scheduleSave();
  }

  /* Mark a photo: its marked copy is kept beside it (a new one replaces the one before), sent after it. */
  async function markPhoto(uuid) {
    const stored = (await Outbox.photosOf(state.uuid));
    const original = stored.filter(function (photo) { return photo.uuid === uuid; })[0];
    if (!original || locked) return;
    const marked = await Evidence.mark(original.bytes, original.type);
    if (!marked || locked) return;
    for (const copy of stored) {
      if (copy.marked_from === uuid) await Outbox.deletePhoto(copy.uuid);
    }
    await Outbox.putPhoto({
      uuid: Outbox.uuid(), inspection: state.uuid, item_code: original.item_code, marked_from: uuid,
      bytes: marked.bytes, type: marked.type, size: marked.bytes.byteLength, captured_at: original.captured_at,
      created_at: Date.now(), sent: false, position: original.position || null,
    });
    await loadPhotos();
    scheduleSave();
  }

  /* Remove a photo; an original takes its marked copy with it. */
  async function removePhoto(uuid) {
    for (const photo of photos) {
      if (photo.marked_from === uuid) await Outbox.deletePhoto(photo.uuid);
    }
    await Outbox.deletePhoto(uuid);
    await loadPhotos();
    scheduleSave();
  }

  // ---- Enforcement actions ------------------------------------------------------------------

  function showActions() {
    const list = $("[data-actions]");
    list.textContent = "";
    const template = document.getElementById("action-template");
    state.form.actions.forEach(function (action, index) {
      const node = template.content.firstElementChild.cloneNode(true);
      $("[data-kind]", node).textContent = labels.kinds[action.kind] || action.kind;
      $("[data-number]", node).textContent = action.document_number || "";
      $("[data-fine]", node).textContent = action.kind === "fine" && action.fine_wan ? "· " + action.fine_wan + " " + strings.fine_unit : "";
      $("[data-note]", node).textContent = action.note || "";
      $("[data-remove]", node).dataset.index = String(index);
      list.appendChild(node);
    });
  }

  function addAction() {
    const values = {};
    $$("[data-action-field]").forEach(function (input) { values[input.dataset.actionField] = input.value.trim(); });
    const error = $("[data-action-error]");
    if (values.fine_wan && !FINE.test(values.fine_wan)) {
      error.textContent = strings.fine_invalid;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    state.form.actions.push({
      kind: values.kind, document_number: values.document_number, fine_wan: values.fine_wan, note: values.note,
    });
    $$("[data-action-field]").forEach(function (input) { if (input.tagName !== "SELECT") input.value = ""; });
    showActions();
    scheduleSave();
  }

  // ---- The signature pad --------------------------------------------------------------------

  const pad = (function () {
    const canvas = $(".sign-pad canvas");
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;
    const setup = function () { context.lineWidth = 3; context.lineCap = "round"; context.strokeStyle = "#000"; };
    setup();
    const point = function (event) {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
    };
    canvas.addEventListener("pointerdown", function (event) {
      if (locked) return;
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const p = point(event);
      context.beginPath();
      context.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      const p = point(event);
      context.lineTo(p[0], p[1]);
      context.stroke();
      drawn = true;
    });
    const end = function () {
      if (!drawing) return;
      drawing = false;
      if (drawn) {
        state.form.signature.png = canvas.toDataURL("image/png");
        scheduleSave();
      }
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    return {
      clear: function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        state.form.signature.png = "";
        scheduleSave();
      },
      show: function (png) {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = !!png;
        if (!png) return;
        const image = new Image();
        image.onload = function () { context.drawImage(image, 0, 0); setup(); };
        image.src = png;
      },
    };
  })();

  // ---- Saving -------------------------------------------------------------------------------

  function record() {
    return {
      uuid: state.uuid, user: state.user, site: state.site, site_name: state.site_name,
      sector_code: state.sector_code, checklist: state.checklist, started_at: state.started_at,
      position: state.position || null, created_at: state.created_at, form: state.form,
    };
  }

  function scheduleSave() {
    if (locked) return;
    if (saveTimer) clearTimeout(saveTimer);
    $("[data-save-state]").textContent = strings.saving;
    saveTimer = setTimeout(saveNow, SAVE_DELAY);
  }

  async function saveNow() {
    if (saveTimer) { clearTimeout(saveTimer); saveTimer = null; }
    if (locked) return false;
    try {
      const outcome = await Outbox.saveDraft(record());
      if (!outcome.saved) { lock(); return false; }
      state.rev = outcome.rev;
      state.created_at = state.created_at || Date.now();
      $("[data-save-state]").textContent = fill(strings.saved, { time: new Date().toLocaleTimeString() });
      return true;
    } catch (error) {
      $("[data-save-state]").textContent = fill(strings.save_failed, { reason: String(error && error.message || error) });
      return false;
    }
  }

  function lock() {
    locked = true;
    form.hidden = true;
    $("[data-locked]").hidden = false;
  }

  // ---- Checking and queueing ----------------------------------------------------------------

  function showProblems(problems, nodes) {
    const box = $("[data-problems]");
    box.textContent = "";
    $$("li.item.invalid").forEach(function (node) { node.classList.remove("invalid"); });
    if (!problems.length) { box.hidden = true; return; }
    const list = document.createElement("ul");
    problems.forEach(function (problem) {
      const entry = document.createElement("li");
      if (problem.code) {
        const link = document.createElement("a");
        link.href = "#item-" + problem.code;
        link.textContent = problem.code + " " + problem.text;
        entry.appendChild(link);
      } else {
        entry.textContent = problem.text || problem;
      }
      list.appendChild(entry);
    });
    box.appendChild(list);
    box.hidden = false;
    (nodes || []).forEach(function (node) { node.classList.add("invalid"); });
  }

  function check() {
    const problems = [];
    const nodes = [];
    if (!state.form.mode) problems.push({ text: strings.no_mode });
    let unanswered = false;
    $$("li.item").forEach(function (node) {
      const entry = state.form.results[node.dataset.code] || {};
      if (!entry.outcome) { unanswered = true; nodes.push(node); return; }
      if (entry.outcome !== "fail") return;
      if (!(entry.description || "").trim()) { problems.push({ code: node.dataset.code, text: strings.need_description }); nodes.push(node); }
      if (!(entry.responsible_person || "").trim()) { problems.push({ code: node.dataset.code, text: strings.need_responsible }); nodes.push(node); }
    });
    if (unanswered) problems.unshift({ text: strings.unanswered });
    return { problems: problems, nodes: nodes };
  }

  /* The API's body (see the outbox contract): one result per item, photos named by their uuids. */
  function body() {
    const selfCheck = state.form.mode === "self_check";
    const signature = state.form.signature;
    let signed = null;
    if (signature.refused) signed = { refused: true, signer_name: signature.signer_name.trim() };
    else if (signature.png) signed = { signer_name: signature.signer_name.trim(), png_base64: signature.png.split(",")[1] };
    return {
      site: state.site,
      mode: state.form.mode,
      team_id: selfCheck || !state.form.team_id ? null : Number(state.form.team_id),
      started_at: state.started_at,
      checklist_id: state.checklist.id,
      results: state.checklist.items.map(function (item) {
        const entry = state.form.results[item.code];
        const failed = entry.outcome === "fail";
        return {
          item_code: item.code,
          outcome: entry.outcome,
          note: (entry.note || "").trim(),
          photos: photos.filter(function (photo) { return photo.item_code === item.code; }).map(function (photo) { return photo.uuid; }),
          hazard: failed ? {
            uuid: entry.hazard_uuid, level: entry.level || "general", description: entry.description.trim(),
            deadline: entry.deadline || null, responsible_person: entry.responsible_person.trim(),
          } : null,
        };
      }),
      actions: selfCheck ? [] : state.form.actions.map(function (action) {
        return { kind: action.kind, document_number: action.document_number, fine_wan: action.fine_wan || null, note: action.note };
      }),
      inspectors: [],
      signature: signed,
      position: state.position ? {
        latitude: state.position.latitude, longitude: state.position.longitude, accuracy: state.position.accuracy,
        located_at: state.position.located_at || null,
      } : null,
    };
  }

  async function submit(event) {
    event.preventDefault();
    if (locked) return;
    const found = check();
    showProblems(found.problems, found.nodes);
    if (found.problems.length) {
      $("[data-problems]").scrollIntoView({ block: "center" });
      return;
    }
    const button = $("[data-queue]");
    button.disabled = true;
    try {
      if (!(await saveNow())) return;
      const csrf = document.querySelector("meta[name=csrf-token]");
      await Outbox.queue(state.uuid, body(), csrf ? csrf.content : "");
      locked = true;
      sessionStorage.removeItem(sessionKey);
      location.assign("/app/outbox");
    } catch (error) {
      showProblems([{ text: fill(strings.save_failed, { reason: String(error && error.message || error) }) }]);
    } finally {
      button.disabled = false;
    }
  }

  // ---- Events -------------------------------------------------------------------------------

  function listen() {
    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);
    form.addEventListener("submit", submit);
    form.addEventListener("click", function (event) {
      const remove = event.target.closest(".thumb-remove");
      if (remove) removePhoto(remove.closest(".thumb").dataset.photo);
      const markButton = event.target.closest("[data-mark]");
      if (markButton) markPhoto(markButton.closest(".thumb").dataset.photo);
      const action = event.target.closest("[data-remove]");
      if (action) {
        state.form.actions.splice(Number(action.dataset.index), 1);
        showActions();
        scheduleSave();
      }
      if (event.target.closest("[data-add-action]")) addAction();
      if (event.target.closest("[data-clear-signature]")) pad.clear();
      if (event.target.closest("[data-discard]")) discard();
    });
    window.addEventListener("pagehide", function () { if (saveTimer) saveNow(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && saveTimer) saveNow();
    });
    Outbox.onChange(async function (message) {
      if (!state || message.uuid !== state.uuid || message.from === Outbox.contextId) return;
      const stored = await Outbox.getItem(state.uuid);
      if (!stored) return;
      if (stored.state !== "draft") { lock(); return; }
      if (message.type === "draft" && stored.rev !== state.rev) {
        state.form = stored.form;
        state.position = state.position || stored.position || null;
        state.rev = stored.rev;
        apply();
        await loadPhotos();
        $("[data-save-state]").textContent = strings.changed_elsewhere;
      }
    });
  }

  function onEdit(event) {
    const target = event.target;
    if (target.matches("[data-action-field]")) return; // added with the button
    if (target.matches("[data-photos]")) {
      if (event.type === "change") addPhotos(target, target.closest("li.item"));
      return;
    }
    if (target.name === "mode") {
      state.form.mode = target.value;
      showMode();
    } else if (target.id === "offline-team") {
      state.form.team_id = target.value ? Number(target.value) : null;
    } else if (target.matches("[data-signer-name]")) {
      state.form.signature.signer_name = target.value;
    } else if (target.matches("[data-refused]")) {
      state.form.signature.refused = target.checked;
    } else {
      const node = target.closest("li.item");
      if (!node) return;
      const entry = result(node.dataset.code);
      if (target.matches("[data-outcome]")) {
        entry.outcome = target.value;
        if (entry.outcome === "fail" && !entry.hazard_uuid) entry.hazard_uuid = Outbox.uuid();
        showItem(node);
      } else if (target.matches("[data-level]")) {
        entry.level = target.value;
      } else if (target.dataset.field) {
        entry[target.dataset.field] = target.value;
      }
    }
    scheduleSave();
  }

  async function discard() {
    if (!window.confirm(strings.discard)) return;
    if (saveTimer) { clearTimeout(saveTimer); saveTimer = null; }
    locked = true;
    await Outbox.discard(state.uuid);
    sessionStorage.removeItem(sessionKey);
    location.assign("/s/" + encodeURIComponent(token));
  }

  load();
})();
