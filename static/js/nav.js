/* The site frame's script (a file, not an inline script: Content-Security-Policy
   script-src 'self'), on every page:
   - the header on a narrow screen: the menu folds under the 菜单 button (site.css shows the
     button below 760 px); without this script the header shows every link, wrapped;
   - a table box that scrolls sideways (.table-scroll) can be reached and scrolled with the
     keyboard (WCAG 2.1.1): it takes the focus while, and only while, it overflows. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".nav-toggle");
  if (button) {
    header.classList.add("has-toggle");
    button.addEventListener("click", function () {
      var open = header.classList.toggle("menu-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function focusable() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }
  focusable();
  window.addEventListener("resize", focusable);
}());
