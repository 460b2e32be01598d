/* The public "set your own weights" page: re-weights a published ranking in the browser, with
   no request to the server, as scoring/studio.py states the arithmetic:

     c_j   = (w_j * T) / (P_j * W)   T = Σ P_j, W = Σ w_j, both summed from the first dimension
     total = Σ_j D_j * c_j           the exactly rounded sum of the exact products

   The products are split exactly (Dekker's two-product) and summed exactly rounded (Shewchuk's
   algorithm, as Python's math.fsum), so the totals are the very floats the server's
   scoring.core.weighted_totals gives — with the official weights (c_j = 1) the official
   totals. Ranks: 1, 2, 2, 4 on the unrounded totals. The weights live in the link's fragment
   (#D1=4&D2=4…), so the page itself stays the same for everyone (and cached).
   The data come from <script type="application/json" id="weights-data"> (json_script): no
   inline script (Content-Security-Policy: script-src 'self'). */
(function () {
  "use strict";
  var source = document.getElementById("weights-data");
  var app = document.getElementById("weights-app");
  if (!source || !app) { return; }
  var data = JSON.parse(source.textContent);
  var dims = data.dimensions, regions = data.regions;
  var points = dims.map(function (d) { return d.points; });
  var weights = dims.map(function (d) { return d.default; });
  var sliders = dims.map(function (d) { return document.getElementById("weight-" + d.code); });
  var tbody = document.querySelector("#weights-table tbody");
  var status = document.getElementById("weights-status");
  var link = document.getElementById("weights-link");
  var SPLITTER = 134217729; // 2^27 + 1

  function twoProduct(a, b) {
    var p = a * b;
    var c = SPLITTER * a, aHi = c - (c - a), aLo = a - aHi;
    c = SPLITTER * b;
    var bHi = c - (c - b), bLo = b - bHi;
    return [p, ((aHi * bHi - p) + aHi * bLo + aLo * bHi) + aLo * bLo];
  }

  // Python's math.fsum (CPython's msum, finite values): the sum rounded once.
  function fsum(values) {
    var partials = [], k, j, x, y, t, hi, lo, i;
    for (k = 0; k < values.length; k++) {
      x = values[k];
      i = 0;
      for (j = 0; j < partials.length; j++) {
        y = partials[j];
        if (Math.abs(x) < Math.abs(y)) { t = x; x = y; y = t; }
        hi = x + y;
        lo = y - (hi - x);
        if (lo !== 0) { partials[i++] = lo; }
        x = hi;
      }
      partials.length = i;
      if (x !== 0) { partials.push(x); }
    }
    var n = partials.length;
    hi = 0;
    lo = 0;
    if (n > 0) {
      hi = partials[--n];
      while (n > 0) {
        x = hi;
        y = partials[--n];
        hi = x + y;
        lo = y - (hi - x);
        if (lo !== 0) { break; }
      }
      if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
        y = lo * 2;
        x = hi + y;
        if (y === x - hi) { hi = x; }
      }
    }
    return hi;
  }

  function scales(ws) {
    var total = 0, sum = 0, j;
    for (j = 0; j < points.length; j++) { total += points[j]; }
    for (j = 0; j < ws.length; j++) { sum += ws[j]; }
    if (sum === 0) { return null; }
    return ws.map(function (w, j) { return (w * total) / (points[j] * sum); });
  }

  function totalOf(row, c) {
    var parts = [], any = false;
    for (var j = 0; j < row.length; j++) {
      if (row[j] === null) { continue; } // a missing dimension counts 0
      any = true;
      var pe = twoProduct(row[j], c[j]);
      parts.push(pe[0], pe[1]);
    }
    return any ? fsum(parts) : NaN;
  }

  // 2 decimals, half up, from the shortest decimal form (as the server's round_half_up).
  function shown(x) {
    var s = String(x);
    if (s.indexOf("e") !== -1) { return x.toFixed(2); }
    var negative = s.charAt(0) === "-";
    if (negative) { s = s.slice(1); }
    var parts = s.split("."), fraction = (parts[1] || "") + "000";
    var cents = parseInt(parts[0], 10) * 100 + parseInt(fraction.slice(0, 2), 10);
    if (fraction.charAt(2) >= "5") { cents += 1; }
    var digits = String(cents);
    while (digits.length < 3) { digits = "0" + digits; }
    return (negative && cents ? "-" : "") + digits.slice(0, -2) + "." + digits.slice(-2);
  }

  function change(official, mine) {
    var d = official - mine;
    if (d > 0) { return "↑" + d; }
    if (d < 0) { return "↓" + (-d); }
    return "=";
  }

  function cell(text, numeric) {
    var td = document.createElement("td");
    if (numeric) { td.className = "num"; }
    td.textContent = text;
    return td;
  }

  function render() {
    var c = scales(weights);
    weights.forEach(function (w, j) {
      var output = document.getElementById("weight-" + dims[j].code + "-value");
      var share = document.getElementById("weight-" + dims[j].code + "-share");
      var sum = weights.reduce(function (a, b) { return a + b; }, 0);
      output.textContent = String(w);
      share.textContent = app.getAttribute("data-share").replace(
        "{p}", sum ? (Math.round(w / sum * 1000) / 10).toString() : "0");
    });
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    if (c === null) {
      status.textContent = app.getAttribute("data-all-zero");
      return;
    }
    var rows = regions.map(function (r) {
      return { region: r, total: totalOf(r.points, c) };
    });
    var order = rows.slice().sort(function (a, b) { return b.total - a.total; });
    var rank = 0;
    order.forEach(function (row, k) {
      if (k === 0 || row.total !== order[k - 1].total) { rank = k + 1; }
      row.rank = rank;
    });
    order.sort(function (a, b) {
      return a.rank - b.rank || a.region.rank - b.region.rank ||
        (a.region.code < b.region.code ? -1 : 1);
    });
    var moved = 0;
    order.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-region", row.region.code);
      tr.setAttribute("data-rank", String(row.rank));
      tr.setAttribute("data-total", String(row.total));
      var delta = row.region.rank - row.rank;
      if (delta) { moved += 1; }
      tr.appendChild(cell(String(row.rank), true));
      tr.appendChild(cell(row.region.label, false));
      var strong = document.createElement("strong");
      strong.textContent = shown(row.total);
      var totalCell = cell("", true);
      totalCell.appendChild(strong);
      tr.appendChild(totalCell);
      tr.appendChild(cell(String(row.region.rank), true));
      tr.appendChild(cell(row.region.shown, true));
      var changeCell = cell(change(row.region.rank, row.rank), true);
      if (delta > 0) { changeCell.classList.add("moved-up"); }
      if (delta < 0) { changeCell.classList.add("moved-down"); }
      tr.appendChild(changeCell);
      tr.appendChild(cell(row.region.interval, true));
      tbody.appendChild(tr);
    });
    status.textContent = moved ? app.getAttribute("data-changed").replace("{n}", String(moved))
      : app.getAttribute("data-unchanged");
  }

  function fragment() {
    return dims.map(function (d, j) { return d.code + "=" + weights[j]; }).join("&");
  }

  // The link box follows every move; the address bar when a slider is let go (a new
  // address makes the browser look at the page's icon again, so not on every step).
  function remember(address) {
    var url = location.href.split("#")[0] + "#" + fragment();
    link.value = url;
    if (address && window.history && history.replaceState) { history.replaceState(null, "", url); }
  }

  function fromFragment() {
    var hash = location.hash.replace(/^#/, "");
    if (!hash) { return; }
    hash.split("&").forEach(function (pair) {
      var parts = pair.split("="), j = -1;
      dims.forEach(function (d, k) { if (d.code === decodeURIComponent(parts[0])) { j = k; } });
      var value = parseFloat(parts[1]);
      if (j < 0 || !isFinite(value)) { return; }
      value = Math.min(Math.max(value, 0), dims[j].max);
      weights[j] = Math.round(value * 2) / 2; // the sliders' 0.5 steps
      sliders[j].value = String(weights[j]);
    });
  }

  sliders.forEach(function (slider, j) {
    slider.addEventListener("input", function () {
      weights[j] = parseFloat(slider.value);
      render();
      remember(false);
    });
    slider.addEventListener("change", function () { remember(true); });
  });
  document.getElementById("weights-reset").addEventListener("click", function () {
    dims.forEach(function (d, j) { weights[j] = d.default; sliders[j].value = String(d.default); });
    render();
    remember(true);
  });
  document.getElementById("weights-copy").addEventListener("click", function () {
    var button = this;
    function done(ok) {
      status.textContent = app.getAttribute(ok ? "data-copied" : "data-copy-failed");
      if (!ok) { link.select(); }
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link.value).then(function () { done(true); },
        function () { done(false); });
    } else {
      link.select();
      try { done(document.execCommand("copy")); } catch (e) { done(false); }
    }
    button.blur();
  });
  window.addEventListener("hashchange", function () { fromFragment(); render(); remember(false); });

  fromFragment();
  render();
  remember(false);
  app.setAttribute("data-ready", "true");
}());
