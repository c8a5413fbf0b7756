/* presssite default theme: the search page. Starts Pagefind's UI (its own files, loaded
   before this one) in the page's language, which Pagefind reads from <html lang> to pick
   that locale's index and its interface words, and runs the query in the URL (?q=), so
   a search from the header's field or a shared link shows its results on load. */
(function () {
  "use strict";

  function start() {
    var element = document.getElementById("search");
    if (!element || typeof window.PagefindUI !== "function") return;
    // The index of the page's language is in parts, one per year: the newest year's in
    // the bundle, each older year's in a folder of its own (data-parts), merged in.
    var parts = (element.dataset.parts || "").split(" ").filter(Boolean);
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: element.dataset.bundle,
      baseUrl: "/", // the index holds whole site paths, the base path included
      mergeIndex: parts.map(function (path) {
        return { bundlePath: path, baseUrl: "/" };
      }),
      showImages: true,
      showSubResults: false,
      resetStyles: false
    });
    // Pagefind labels its field with a title only: give it a visible label as well.
    var input = element.querySelector("input");
    if (input && element.dataset.label) {
      input.id = input.id || "search-field";
      var label = document.createElement("label");
      label.className = "search-label";
      label.htmlFor = input.id;
      label.textContent = element.dataset.label;
      element.insertBefore(label, element.firstChild);
    }
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
