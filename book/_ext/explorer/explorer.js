/* The book's explorers: Vega-Lite charts embedded from the spec in each block.
 *
 * Each .vega-explorer block holds its chart's spec and its controls' labels
 * (written by helpers.explorer.vega).  This script embeds the chart with the
 * Vega bundle served from the build, hands its controls to bookControls (the
 * package's controls.js, shared with the live chart: labels, dragging), follows
 * the theme's light and dark modes, and keeps the still drawn at build time
 * for print.  It loads nothing from the network.
 */
(function () {
  "use strict";

  const DARK = {
    background: null,
    axis: {domainColor: "#9aa4ad", gridColor: "#3a4148", tickColor: "#9aa4ad",
           labelColor: "#ced6dd", titleColor: "#ced6dd"},
    legend: {labelColor: "#ced6dd", titleColor: "#ced6dd"},
    title: {color: "#ced6dd", subtitleColor: "#ced6dd"},
    text: {color: "#ced6dd"},
    view: {stroke: "#3a4148"},
    range: {category: ["#7fb1e3", "#f2a65a", "#7fd18a", "#ef8a8a", "#c3a3e6",
                       "#c9a27e", "#f0a6d3", "#b5b5b5", "#d9d46a", "#6fd3dd"]},
  };
  const LIGHT = {background: null};

  function dark() {
    return document.documentElement.dataset.theme === "dark";
  }

  async function embed(block, values) {
    const data = JSON.parse(block.querySelector("script.vega-explorer-spec").textContent);
    const target = block.querySelector(".vega-explorer-chart");
    if (block.explorer) block.explorer.view.finalize();
    target.innerHTML = "";
    const result = await vegaEmbed(target, data.spec, {
      actions: false, renderer: "svg", config: dark() ? DARK : LIGHT,
    });
    const view = result.view;
    if (values) {
      for (const [name, value] of Object.entries(values)) view.signal(name, value);
      await view.runAsync();
      block.querySelectorAll(".vega-bind input, .vega-bind select").forEach((input) => {
        if (!(input.name in values)) return;
        if (input.type === "radio") input.checked = String(values[input.name]) === input.value;
        else input.value = values[input.name];
      });
    }
    // bookControls: src/helpers/explorer/controls.js, served beside this script.
    bookControls.label(block, data.meta.controls);
    bookControls.drag(view, target, data.meta.drags);
    block.explorer = {
      view: view,
      meta: data.meta,
      // Every data table of the view, with full precision: what the browser tests read.
      datasets: () => Object.fromEntries((result.vgSpec.data || []).map(
        (d) => [d.name, view.data(d.name).map((row) => Object.assign({}, row))])),
      values: () => Object.fromEntries(
        Object.keys(data.meta.controls).concat(data.meta.choices || []).map(
          (name) => [name, view.signal(name)])),
    };
    block.classList.add("vega-explorer-live");
    block.dataset.theme = dark() ? "dark" : "light";  // drawn in this theme's colours
    block.dataset.ready = "1";
  }

  function start() {
    // Without the bundle or the controls script, keep the stills.
    if (typeof vegaEmbed !== "function" || typeof bookControls !== "object") return;
    const blocks = Array.from(document.querySelectorAll(".vega-explorer"));
    blocks.forEach((block) => embed(block).catch((error) => {
      block.dataset.error = String(error);
      console.error("explorer", block.id, error);
    }));
    // Redraw in the theme's colours when the reader switches mode, keeping the values.
    new MutationObserver(() => {
      blocks.forEach((block) => {
        if (block.explorer) embed(block, block.explorer.values());
      });
    }).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
