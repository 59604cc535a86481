// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

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
