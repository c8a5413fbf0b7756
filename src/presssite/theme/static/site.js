/* presssite default theme: a gallery lightbox on the native <dialog>.
   Without JavaScript each thumbnail is a plain link to the large photo; with it, the
   link opens the photo with its caption and credit. Esc closes, Left/Right move, focus
   returns to the thumbnail, and a live region says "Photo 2 of 7" in the page's
   language (the patterns come from data- attributes written by the template). */
(function () {
  "use strict";

  function setup(gallery) {
    var links = Array.prototype.slice.call(gallery.querySelectorAll("a.gallery-link"));
    if (!links.length || typeof HTMLDialogElement !== "function") return;
    var data = gallery.dataset;
    var index = 0;
    var opener = null;

    var dialog = document.createElement("dialog");
    dialog.className = "lightbox";
    dialog.setAttribute("aria-label", data.labelDialog || "");
    var figure = document.createElement("figure");
    var image = document.createElement("img");
    image.decoding = "async";
    var caption = document.createElement("figcaption");
    figure.appendChild(image);
    figure.appendChild(caption);
    var controls = document.createElement("div");
    controls.className = "lightbox-controls";
    var status = document.createElement("p");
    status.className = "lightbox-status";
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");

    function button(label, onClick) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label || "";
      b.addEventListener("click", onClick);
      return b;
    }

    var prev = button(data.labelPrev, function () { show(index - 1); });
    var next = button(data.labelNext, function () { show(index + 1); });
    var close = button(data.labelClose, function () { dialog.close(); });
    controls.appendChild(prev);
    controls.appendChild(status);
    controls.appendChild(next);
    controls.appendChild(close);
    dialog.appendChild(figure);
    dialog.appendChild(controls);
    document.body.appendChild(dialog);

    function show(i) {
      index = (i + links.length) % links.length;
      var link = links[index];
      var thumb = link.querySelector("img");
      image.src = link.getAttribute("href");
      image.alt = thumb ? thumb.alt : "";
      if (link.dataset.width) image.width = Number(link.dataset.width);
      if (link.dataset.height) image.height = Number(link.dataset.height);
      var source = link.closest("figure");
      var text = source ? source.querySelector("figcaption") : null;
      caption.textContent = "";
      caption.hidden = !text;
      if (text) {
        Array.prototype.forEach.call(text.childNodes, function (node) {
          caption.appendChild(node.cloneNode(true));
        });
      }
      var single = links.length < 2;
      prev.hidden = single;
      next.hidden = single;
      status.textContent = (data.counter || "{n} / {total}")
        .replace("{n}", String(index + 1))
        .replace("{total}", String(links.length));
    }

    links.forEach(function (link, i) {
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
          return;
        }
        event.preventDefault();
        opener = link;
        dialog.showModal();
        show(i);
        close.focus();
      });
    });

    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") {
        event.preventDefault();
        show(index - 1);
      } else if (event.key === "ArrowRight") {
        event.preventDefault();
        show(index + 1);
      }
    });

    /* A click on the backdrop (outside the dialog's box) closes it. */
    dialog.addEventListener("click", function (event) {
      if (event.target !== dialog) return;
      var box = dialog.getBoundingClientRect();
      var inside = event.clientX >= box.left && event.clientX <= box.right &&
        event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) dialog.close();
    });

    dialog.addEventListener("close", function () {
      image.removeAttribute("src");
      if (opener) opener.focus();
      opener = null;
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-gallery]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
