/* The in-app QR scanner (/app/scan): the camera through getUserMedia, decoded by the browser's
 * BarcodeDetector where it has one for QR codes, else by the vendored jsQR (static/vendor/); or a
 * photo of the code. A site code (…/s/<token>) opens that site page, from the service worker's
 * copy when there is no signal. Texts come from the page. */
(function () {
  "use strict";

  const root = document.getElementById("scanner");
  if (!root) return;
  const strings = JSON.parse(document.getElementById("scanner-strings").textContent);
  const video = root.querySelector("video");
  const status = root.querySelector("[data-status]");
  const startButton = root.querySelector("[data-start]");
  const stopButton = root.querySelector("[data-stop]");
  const fill = function (text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  };
  const SITE_PATH = /^\/s\/([A-Za-z0-9_-]{1,64})\/?$/;
  const FRAME_EVERY = 250;
  const MAX_SIDE = 800; // enough for a code that fills part of the frame, and quick on old phones

  root.hidden = false;
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) startButton.hidden = true;

  let stream = null;
  let timer = null;
  let decoder = null;
  let opening = false;

  /* The browser's own decoder where it reads QR codes, else jsQR, loaded on first use. */
  function getDecoder() {
    if (decoder) return decoder;
    decoder = (async function () {
      if ("BarcodeDetector" in window) {
        try {
          const formats = await window.BarcodeDetector.getSupportedFormats();
          if (formats.indexOf("qr_code") >= 0) {
            const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
            return async function (source) {
              const codes = await detector.detect(source);
              return codes.length ? codes[0].rawValue : null;
            };
          }
        } catch (error) { /* fall back to jsQR */ }
      }
      if (!window.jsQR) {
        await new Promise(function (resolve, reject) {
          const script = document.createElement("script");
          script.src = root.dataset.decoder;
          script.onload = resolve;
          script.onerror = reject;
          document.head.appendChild(script);
        });
      }
      const canvas = document.createElement("canvas");
      const context = canvas.getContext("2d", { willReadFrequently: true });
      return async function (source, width, height) {
        const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
        canvas.width = Math.max(1, Math.round(width * scale));
        canvas.height = Math.max(1, Math.round(height * scale));
        context.drawImage(source, 0, 0, canvas.width, canvas.height);
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = window.jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "attemptBoth" });
        return code ? code.data : null;
      };
    })();
    return decoder;
  }

  /* The site page a code points to, on this app's own address; null for any other code. */
  function sitePath(text) {
    let url;
    try { url = new URL(String(text).trim(), location.href); } catch (error) { return null; }
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    const match = SITE_PATH.exec(url.pathname);
    return match ? "/s/" + match[1] : null;
  }

  function found(text) {
    const path = sitePath(text);
    if (!path) {
      status.textContent = fill(strings.foreign, { text: String(text).slice(0, 80) });
      return false;
    }
    opening = true;
    stop();
    status.textContent = fill(strings.opening, { name: path });
    location.assign(path);
    return true;
  }

  async function scanFrame() {
    timer = null;
    if (!stream || opening) return;
    if (video.readyState >= 2 && video.videoWidth) {
      try {
        const decode = await getDecoder();
        const text = await decode(video, video.videoWidth, video.videoHeight);
        if (text && found(text)) return;
      } catch (error) { /* a frame that could not be read: try the next one */ }
    }
    if (stream) timer = setTimeout(scanFrame, FRAME_EVERY);
  }

  async function start() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
    } catch (error) {
      status.textContent = strings.no_camera;
      return;
    }
    video.srcObject = stream;
    root.querySelector("[data-viewfinder]").hidden = false;
    startButton.hidden = true;
    stopButton.hidden = false;
    status.textContent = strings.looking;
    try { await video.play(); } catch (error) { /* muted inline video plays; keep trying frames anyway */ }
    getDecoder();
    scanFrame();
  }

  function stop() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    root.querySelector("[data-viewfinder]").hidden = true;
    startButton.hidden = !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    stopButton.hidden = true;
  }

  async function scanPhoto(file) {
    const url = URL.createObjectURL(file);
    try {
      const image = await new Promise(function (resolve, reject) {
        const element = new Image();
        element.onload = function () { resolve(element); };
        element.onerror = reject;
        element.src = url;
      });
      const decode = await getDecoder();
      const text = await decode(image, image.naturalWidth, image.naturalHeight);
      if (!text) status.textContent = strings.not_found;
      else found(text);
    } catch (error) {
      status.textContent = strings.not_found;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  root.querySelector("[data-photo]").addEventListener("change", function (event) {
    const file = event.target.files && event.target.files[0];
    event.target.value = "";
    if (file) scanPhoto(file);
  });
  window.addEventListener("pagehide", stop);
})();
