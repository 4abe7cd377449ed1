// Progressive enhancement: draw each chart from its inline Vega-Lite spec (the table beside it
// already shows the same numbers), and offer the chart as SVG or PNG via vega-embed's view.
(function () {
  "use strict";
  var views = {};
  // htmx would add its indicator styles as an inline <style>, which the CSP refuses.
  if (window.htmx) { window.htmx.config.includeIndicatorStyles = false; }

  function download(url, name) {
    var a = document.createElement("a");
    a.href = url; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }

  function drawCharts(root) {
    if (typeof vegaEmbed === "undefined") return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var specEl = document.getElementById(el.id + "-spec");
      if (!specEl) return;
      el.dataset.drawn = "1";
      var spec = JSON.parse(specEl.textContent);
      // ast: Vega's expression interpreter instead of code made with Function(), so the
      // page's Content-Security-Policy needs no 'unsafe-eval'; no injected <style> elements
      // (the tooltip's style is in app.css).
      vegaEmbed(el, spec, {
        actions: false, renderer: "svg", ast: true, defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      }).then(function (res) {
        views[el.id] = res.view;
        var actions = el.parentElement.querySelector(".chart-actions");
        if (actions) actions.hidden = false;
        el.dataset.ready = "1";
      }).catch(function (err) { el.dataset.error = String(err); });
    });
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

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function () { drawCharts(document); });
})();
