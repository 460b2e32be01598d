/* The site header on a narrow screen: the menu folds under the 菜单 button (site.css shows the
   button below 760 px). A file, not an inline script: Content-Security-Policy script-src 'self'.
   Without this script the header shows every link, wrapped. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".nav-toggle");
  if (!button) { return; }
  header.classList.add("has-toggle");
  button.addEventListener("click", function () {
    var open = header.classList.toggle("menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
}());
