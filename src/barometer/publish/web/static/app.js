// Progressive enhancement. Every chart has a table beside it with the same figures; this
// script draws the chart from its Vega-Lite specification when it scrolls into view, loading
// Vega and Vega-Lite only then. Expressions run in Vega's interpreter (no eval), number formats
// follow the page's locale (Babel's symbols, given on <body>), and a chart can be saved as SVG
// or PNG. The sections of a municipality page start folded; a link into one opens it.
(function () {
  "use strict";
  var views = {};
  // htmx would add its indicator styles as an inline <style>, which the CSP refuses.
  if (window.htmx) { window.htmx.config.includeIndicatorStyles = false; }

  var libs = null;
  var body = document.body;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.async = false;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function loadLibs() {
    if (!libs) {
      libs = loadScript(body.dataset.vega)
        .then(function () { return loadScript(body.dataset.vegaInterpreter); })
        .then(function () { return loadScript(body.dataset.vegaLite); })
        .then(function () {
          vega.formatLocale({
            decimal: body.dataset.decimal,
            thousands: body.dataset.group,
            grouping: [3],
            currency: ["", ""]
          });
        });
    }
    return libs;
  }

  function download(url, name) {
    var a = document.createElement("a");
    a.href = url; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }

  function draw(el) {
    if (el.dataset.drawn) return Promise.resolve();
    el.dataset.drawn = "1";
    var specEl = document.getElementById(el.id + "-spec");
    if (!specEl) return Promise.resolve();
    var spec = JSON.parse(specEl.content ? specEl.content.textContent : specEl.textContent);
    return loadLibs().then(function () {
      var compiled = vegaLite.compile(spec).spec;
      var view = new vega.View(vega.parse(compiled, null, { ast: true }), {
        expr: vega.expressionInterpreter,
        renderer: "svg",
        container: el,
        hover: true
      });
      return view.runAsync().then(function () {
        views[el.id] = view;
        var actions = el.parentElement.querySelector(".chart-actions");
        if (actions) actions.hidden = false;
        el.dataset.ready = "1";
      });
    }).catch(function (err) { el.dataset.error = String(err); });
  }

  var observer = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { observer.unobserve(e.target); draw(e.target); }
      });
    }, { rootMargin: "400px 0px" })
    : null;

  function watch(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      if (observer) observer.observe(el); else draw(el);
    });
  }

  // Draw every chart now (before printing, and for tests that read every chart).
  window.barometerDrawAll = function () {
    var all = [];
    document.querySelectorAll("details.section").forEach(function (d) { d.open = true; });
    document.querySelectorAll("[data-chart]").forEach(function (el) { all.push(draw(el)); });
    return Promise.all(all);
  };
  window.addEventListener("beforeprint", function () { window.barometerDrawAll(); });

  function openTarget() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var d = target && target.closest("details");
    while (d) { d.open = true; d = d.parentElement && d.parentElement.closest("details"); }
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-export]");
    if (!btn) return;
    var view = views[btn.dataset.target];
    if (!view) return;
    var fmt = btn.dataset.export;
    view.toImageURL(fmt, fmt === "png" ? 2 : 1).then(function (url) {
      download(url, btn.dataset.target + "." + fmt);
    });
  });

  document.addEventListener("click", function (ev) {
    if (!ev.target.closest("[data-open-all]")) return;
    document.querySelectorAll("details.section").forEach(function (d) { d.open = true; });
  });

  function start() {
    document.querySelectorAll("[data-open-all]").forEach(function (b) { b.hidden = false; });
    openTarget();
    watch(document);
  }

  window.addEventListener("hashchange", openTarget);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSettle", function () { watch(document); });
})();
