/* presssite default theme: the site's root page sends the visitor to the home page in
   the first of their browser's languages the site has, else the default language. The
   homes and the default come from the script element's data- attributes (a file, not an
   inline script, so the Content Security Policy forbids every inline script). Without
   JavaScript the root page links to every home. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var homes = JSON.parse(script.getAttribute("data-homes") || "{}");
  var fallback = homes[script.getAttribute("data-default") || ""];
  var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  var codes = Object.keys(homes);
  for (var i = 0; i < wanted.length; i++) {
    var want = String(wanted[i]).toLowerCase();
    for (var pass = 0; pass < 2; pass++) {
      for (var j = 0; j < codes.length; j++) {
        var code = codes[j].toLowerCase().replace("_", "-");
        if (pass === 0 ? code === want : code.split("-")[0] === want.split("-")[0]) {
          location.replace(homes[codes[j]]);
          return;
        }
      }
    }
  }
  if (fallback) location.replace(fallback);
})();
