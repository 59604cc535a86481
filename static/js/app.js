// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // ---- Evidence: the phone's position, smaller photos and marks drawn on them --------------------------
  // Shared by the server-rendered pages (below) and the offline inspection (offline-inspection.js), and run by
  // bench/run.py's photo_upload_kb in headless Chromium: one code for the photo a phone sends.

  // The size and quality the phone sends a photo at, chosen by measurement (python -m bench.photo_upload, in
  // headless Chromium with this code, over the bench's 12-megapixel photos; make bench's photo_upload_kb): at
  // 1440 px and 0.6 the median upload is 199 KB (1600 px and 0.8 sent 362 KB), no photo above 270 KB, and a
  // certificate's 3-mm print and a gauge's needle stay legible after the server's stamp; at 1280 px the smallest
  // characters begin to run together. The server re-encodes and stamps it again at its own limits.
  var LONG_SIDE = 1440;
  var QUALITY = 0.6;
  // Wider than this (metres) a fix says nothing about presence: none is recorded (checklist/presence.py
  // MAX_ACCURACY_METRES, where the server refuses it).
  var MAX_ACCURACY = 5000;
  var FIX_REUSE = 60 * 1000; // a fix this recent serves the next photo too

  var lastFix = null;

  function isoNow() { return new Date().toISOString(); }

  /* Where the phone is, if the inspector lets the browser tell: {latitude, longitude, accuracy, located_at}, or
   * null (no permission, no fix within `wait` ms, a fix too coarse): never an error, never a blocker.
   * The browser's Geolocation API gives WGS-84 on every phone, also in China; only some apps show GCJ-02
   * ("Mars" coordinates, a few hundred metres off), and the server and the roster use WGS-84 too. */
  function locate(options) {
    var wait = (options && options.wait) || 10000;
    var geolocation = navigator.geolocation;
    if (!geolocation) return Promise.resolve(null);
    if (lastFix && Date.now() - lastFix.at < FIX_REUSE) return Promise.resolve(lastFix.fix);
    var asked = new Promise(function (resolve) {
      var settled = false;
      var done = function (fix) { if (!settled) { settled = true; resolve(fix); } };
      setTimeout(function () { done(null); }, wait + 500);
      try {
        geolocation.getCurrentPosition(function (position) {
          var c = position.coords;
          var usable = isFinite(c.latitude) && isFinite(c.longitude) && Math.abs(c.latitude) <= 90 &&
            Math.abs(c.longitude) <= 180 && c.accuracy > 0 && c.accuracy <= MAX_ACCURACY;
          if (!usable) return done(null);
          var fix = {
            latitude: Math.round(c.latitude * 1e7) / 1e7, longitude: Math.round(c.longitude * 1e7) / 1e7,
            accuracy: Math.round(c.accuracy * 10) / 10, located_at: new Date(position.timestamp || Date.now()).toISOString(),
          };
          lastFix = { fix: fix, at: Date.now() };
          done(fix);
        }, function () { done(null); }, { enableHighAccuracy: true, timeout: wait, maximumAge: FIX_REUSE });
      } catch (error) { done(null); }
    });
    return asked;
  }

  /* Put a fix (or nothing) and the phone's clock into a form's hidden fields (web/forms.py PositionFields). */
  function fillPosition(form, fix) {
    var set = function (name, value) {
      var input = form.querySelector("input[name=" + name + "]");
      if (input) input.value = value;
    };
    ["latitude", "longitude", "accuracy", "located_at"].forEach(function (name) { set(name, fix ? String(fix[name]) : ""); });
    set("sent_at", isoNow());
  }

  function loadImage(blob) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(blob);
      var image = new Image();
      image.onload = function () { resolve({ image: image, url: url }); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      image.src = url;
    });
  }

  function blobBytes(blob) {
    if (blob.arrayBuffer) return blob.arrayBuffer();
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(blob);
    });
  }

  function canvasJpeg(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  /* A photo made smaller: long side at most LONG_SIDE, JPEG at QUALITY, upright (the browser applies the
   * camera's orientation when it draws), no metadata. Resolves {bytes, type, width, height}; a file the browser
   * cannot draw (HEIC on some phones) is kept as it is, for the server to judge. options may override the
   * size and quality (the bench measures its candidates with this very code). */
  function compress(file, options) {
    var longSide = (options && options.longSide) || LONG_SIDE;
    var quality = (options && options.quality) || QUALITY;
    return loadImage(file).then(function (loaded) {
      var image = loaded.image;
      var scale = Math.min(1, longSide / Math.max(image.naturalWidth, image.naturalHeight));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
      var context = canvas.getContext("2d");
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = "high"; // a filtered reduction: small print stays readable, not jagged
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(loaded.url);
      var size = { width: canvas.width, height: canvas.height };
      return canvasJpeg(canvas, quality).then(function (blob) {
        canvas.width = canvas.height = 0; // let the phone have its memory back
        if (!blob) throw new Error("no JPEG");
        return blobBytes(blob).then(function (bytes) {
          return { bytes: bytes, type: "image/jpeg", width: size.width, height: size.height };
        });
      });
    }).catch(function () {
      return blobBytes(file).then(function (bytes) { return { bytes: bytes, type: file.type || "image/jpeg" }; });
    });
  }

  /* Draw a shape of the marker in image pixels: red on a white edge, seen on dark and light ground alike. */
  function drawShape(context, shape, unit) {
    var strokes = [["#fff", unit * 1.8], ["#e00000", unit]];
    context.lineCap = context.lineJoin = "round";
    if (shape.tool === "text") {
      context.font = "bold " + Math.round(unit * 7) + "px sans-serif";
      context.textBaseline = "middle";
      context.lineWidth = unit * 1.6;
      context.strokeStyle = "#fff";
      context.strokeText(shape.text, shape.x, shape.y);
      context.fillStyle = "#e00000";
      context.fillText(shape.text, shape.x, shape.y);
      return;
    }
    strokes.forEach(function (stroke) {
      context.strokeStyle = stroke[0];
      context.lineWidth = stroke[1];
      context.beginPath();
      if (shape.tool === "circle") {
        context.arc(shape.x, shape.y, Math.max(shape.r, unit * 4), 0, 2 * Math.PI);
      } else {
        var angle = Math.atan2(shape.y2 - shape.y, shape.x2 - shape.x);
        var head = unit * 6;
        context.moveTo(shape.x, shape.y);
        context.lineTo(shape.x2, shape.y2);
        context.moveTo(shape.x2 - head * Math.cos(angle - 0.5), shape.y2 - head * Math.sin(angle - 0.5));
        context.lineTo(shape.x2, shape.y2);
        context.lineTo(shape.x2 - head * Math.cos(angle + 0.5), shape.y2 - head * Math.sin(angle + 0.5));
      }
      context.stroke();
    });
  }

  /* Open the marker over a photo (its bytes): circles, arrows and a short text, drawn with one finger, undone
   * one at a time. Resolves the marked copy {bytes, type} (same size, JPEG at QUALITY), or null when cancelled
   * or nothing was drawn. Its texts come from the page's <template id="marker-template">. */
  function mark(bytes, type) {
    var template = document.getElementById("marker-template");
    if (!template) return Promise.resolve(null);
    return loadImage(new Blob([bytes], { type: type || "image/jpeg" })).then(function (loaded) {
      return new Promise(function (resolve) {
        var image = loaded.image;
        var overlay = template.content.firstElementChild.cloneNode(true);
        var canvas = overlay.querySelector("canvas");
        var context = canvas.getContext("2d");
        var input = overlay.querySelector("[data-marker-input]");
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        var unit = Math.max(3, Math.round(Math.max(canvas.width, canvas.height) / 110)); // lines seen on a phone
        var shapes = [];
        var tool = "circle";
        var drag = null;
        var redraw = function (extra) {
          context.drawImage(image, 0, 0);
          shapes.concat(extra ? [extra] : []).forEach(function (shape) { drawShape(context, shape, unit); });
        };
        var point = function (event) {
          var box = canvas.getBoundingClientRect();
          return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
        };
        var shapeOf = function (start, end) {
          var moved = Math.hypot(end[0] - start[0], end[1] - start[1]);
          if (tool === "circle") return { tool: tool, x: start[0], y: start[1], r: moved > unit * 3 ? moved : unit * 14 };
          if (tool === "arrow") {
            if (moved > unit * 3) return { tool: tool, x: start[0], y: start[1], x2: end[0], y2: end[1] };
            return { tool: tool, x: end[0] - unit * 20, y: end[1] + unit * 20, x2: end[0], y2: end[1] }; // a tap: pointing at it
          }
          var text = input.value.trim();
          return text ? { tool: tool, text: text, x: end[0], y: end[1] } : null;
        };
        var close = function (result) {
          document.removeEventListener("keydown", onKey);
          overlay.remove();
          URL.revokeObjectURL(loaded.url);
          document.body.style.overflow = "";
          resolve(result);
        };
        var onKey = function (event) { if (event.key === "Escape") close(null); };
        canvas.addEventListener("pointerdown", function (event) {
          event.preventDefault();
          canvas.setPointerCapture(event.pointerId);
          drag = point(event);
        });
        canvas.addEventListener("pointermove", function (event) {
          if (!drag || tool === "text") return;
          redraw(shapeOf(drag, point(event)));
        });
        var finish = function (event) {
          if (!drag) return;
          var shape = shapeOf(drag, point(event));
          drag = null;
          if (shape) shapes.push(shape);
          redraw();
        };
        canvas.addEventListener("pointerup", finish);
        canvas.addEventListener("pointercancel", function () { drag = null; redraw(); });
        overlay.querySelectorAll("[data-tool]").forEach(function (button) {
          button.addEventListener("click", function () {
            tool = button.dataset.tool;
            overlay.querySelectorAll("[data-tool]").forEach(function (other) {
              other.setAttribute("aria-pressed", String(other === button));
            });
            overlay.querySelector("[data-marker-text]").hidden = tool !== "text";
            if (tool === "text") input.focus();
          });
        });
        overlay.querySelector("[data-undo]").addEventListener("click", function () { shapes.pop(); redraw(); });
        overlay.querySelector("[data-cancel]").addEventListener("click", function () { close(null); });
        overlay.querySelector("[data-done]").addEventListener("click", function () {
          if (!shapes.length) { close(null); return; }
          redraw();
          canvasJpeg(canvas, QUALITY).then(function (blob) {
            return blob ? blobBytes(blob) : null;
          }).then(function (marked) {
            close(marked ? { bytes: marked, type: "image/jpeg" } : null);
          }, function () { close(null); });
        });
        document.addEventListener("keydown", onKey);
        document.body.appendChild(overlay);
        document.body.style.overflow = "hidden";
        redraw();
      });
    }).catch(function () { return null; });
  }

  var canReplaceFiles = (function () {
    try { return typeof DataTransfer === "function" && !!new DataTransfer().items; } catch (error) { return false; }
  })();

  window.Evidence = {
    LONG_SIDE: LONG_SIDE, QUALITY: QUALITY, locate: locate, fillPosition: fillPosition, compress: compress,
    mark: mark, canMark: !!document.getElementById("marker-template"),
  };

  // The start form of a site page: the position goes with it, if the inspector allows (never holds it up long).
  document.querySelectorAll("form[data-locate]").forEach(function (form) {
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) return;
      event.preventDefault();
      sending = true;
      var button = form.querySelector("button[type=submit]");
      if (button && button.dataset.locating) { button.disabled = true; button.textContent = button.dataset.locating; }
      locate({ wait: 8000 }).then(function (fix) {
        fillPosition(form, fix);
        form.submit();
      });
    });
  });

  // An item's photos on the server-rendered page: made smaller before they go, each may be marked, and the
  // position goes with them. Without DataTransfer (an old browser) the photos go up as they are.
  var photoInput = document.querySelector("input[data-evidence-photos]");
  if (photoInput && canReplaceFiles) {
    var itemPhotos = photoInput.form;
    var previews = itemPhotos.querySelector("[data-previews]");
    var markedInput = itemPhotos.querySelector("input[name=marked]");
    var entries = [];
    var ready = Promise.resolve();
    var fixPromise = Promise.resolve(null);
    var showPreviews = function () {
      previews.textContent = "";
      var template = document.getElementById("preview-template");
      entries.forEach(function (entry) {
        var node = template.content.firstElementChild.cloneNode(true);
        var shown = entry.marked || entry.photo;
        if (entry.url) URL.revokeObjectURL(entry.url);
        entry.url = URL.createObjectURL(new Blob([shown.bytes], { type: shown.type }));
        node.querySelector("img").src = entry.url;
        node.querySelector("[data-marked]").hidden = !entry.marked;
        node.querySelector("[data-mark]").addEventListener("click", function () {
          mark(entry.photo.bytes, entry.photo.type).then(function (marked) {
            if (marked) { entry.marked = marked; showPreviews(); }
          });
        });
        previews.appendChild(node);
      });
      previews.hidden = !entries.length;
    };
    photoInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(photoInput.files || []);
      entries = [];
      fixPromise = files.length ? locate({ wait: 8000 }) : Promise.resolve(null);
      ready = Promise.all(files.map(function (file) {
        return compress(file).then(function (photo) { return { photo: photo, marked: null, name: file.name }; });
      })).then(function (made) { entries = made; showPreviews(); });
    });
    var sending = false;
    itemPhotos.addEventListener("submit", function (event) {
      if (sending) return;
      event.preventDefault();
      sending = true;
      Promise.all([ready, fixPromise]).then(function (done) {
        if (entries.length) {
          var photos = new DataTransfer(), marks = new DataTransfer(), indexes = [];
          entries.forEach(function (entry, index) {
            photos.items.add(new File([entry.photo.bytes], "photo-" + (index + 1) + ".jpg", { type: entry.photo.type }));
            if (entry.marked) {
              marks.items.add(new File([entry.marked.bytes], "marked-" + (index + 1) + ".jpg", { type: "image/jpeg" }));
              indexes.push(index);
            }
          });
          photoInput.files = photos.files;
          markedInput.files = marks.files;
          itemPhotos.querySelector("input[name=marked_for]").value = indexes.join(",");
        }
        fillPosition(itemPhotos, entries.length ? done[1] : null);
        itemPhotos.submit();
      }, function () { itemPhotos.submit(); });
    });
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Show the hazard fields only when the item is marked as failed.
  var itemForm = document.getElementById("item-form");
  if (itemForm) {
    var hazardFields = itemForm.querySelector(".hazard-fields");
    var sync = function () {
      var chosen = itemForm.querySelector("input[name=outcome]:checked");
      hazardFields.hidden = !(chosen && chosen.value === hazardFields.dataset.showWhen);
    };
    itemForm.addEventListener("change", sync);
    sync();
  }

  // The signature pad: draw with a finger, sent as a PNG data URL in a hidden field.
  var pad = document.querySelector(".signature-pad");
  if (pad) {
    var canvas = pad.querySelector("canvas");
    var form = pad.closest("form");
    var target = form.querySelector("input[name=" + pad.dataset.target + "]");
    var context = canvas.getContext("2d");
    var drawing = false, drawn = false;
    context.lineWidth = 3;
    context.lineCap = "round";
    var point = function (event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
    };
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      context.lineTo(p[0], p[1]);
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointerup", function () { drawing = false; });
    pad.querySelector("[data-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    });
    form.addEventListener("submit", function () {
      target.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  }
})();
