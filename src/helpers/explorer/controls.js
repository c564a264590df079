/* The explorers' controls: one script for the static book and for the live chart.
 *
 * The static page loads it before book/_ext/explorer/explorer.js; in a kernel,
 * helpers.explorer.vega puts it in front of Altair's JupyterChart script. It
 *
 * - labels every slider for screen readers: aria-valuetext reads the value the
 *   reader sees (2^x for a logarithmic slider), not the slider's position, and
 *   the number beside the slider shows the same;
 * - keeps the arrow keys of a focused control for the control in JupyterLab,
 *   which otherwise takes them for its own shortcuts unless an element says
 *   data-lm-suppress-shortcuts;
 * - lets the reader drag a mark whose datum names a slider in its `drag` field:
 *   the pointer's height, read on the mark's y scale, moves that slider, so the
 *   chart, the slider, its label and (live) the kernel all follow.
 */
const bookControls = (() => {
  "use strict";

  function shown(control, value) {
    const v = control.power ? Math.pow(control.power, value) : value;
    return v.toFixed(control.digits);
  }

  function label(root, controls) {
    root.querySelectorAll(".vega-bind input, .vega-bind select").forEach((input) => {
      input.setAttribute("data-lm-suppress-shortcuts", "true");
      const control = controls[input.name];
      if (!control || input.dataset.bookLabelled) return;
      input.dataset.bookLabelled = "1";
      const output = input.parentElement.querySelector(".vega-bind-value, output, span:last-child");
      const update = () => {
        const text = shown(control, Number(input.value));
        input.setAttribute("aria-valuetext", control.label + " " + text);
        if (output && output !== input) output.textContent = text;
      };
      input.setAttribute("aria-label", control.label);
      input.addEventListener("input", update);
      update();
    });
  }

  // The offset of a scenegraph item's group from the view's origin, in view pixels.
  function groupOffset(item) {
    let x = 0, y = 0;
    for (let g = item.mark && item.mark.group; g; g = g.mark && g.mark.group) {
      x += g.x || 0;
      y += g.y || 0;
    }
    return [x, y];
  }

  // Move the slider `input` to `value`, on its grid and within its ends, as a reader would.
  function setSlider(input, value) {
    const lo = Number(input.min), hi = Number(input.max), step = Number(input.step) || 0;
    let v = Math.min(hi, Math.max(lo, value));
    if (step > 0) v = lo + Math.round((v - lo) / step) * step;
    const text = String(Number(v.toFixed(10)));
    if (input.value === text) return;
    input.value = text;
    input.dispatchEvent(new Event("input", {bubbles: true}));
  }

  /* Dragging: `drags` maps a slider's name to the name of the y scale its marks are drawn
   * on. A mark is draggable when its datum has `drag` equal to that name. The chart may be
   * drawn again into `root` (a new view, as in a change of theme): the latest view counts. */
  function drag(view, root, drags) {
    if (!drags || !Object.keys(drags).length) return;
    const state = root.bookDrag || (root.bookDrag = {active: null});
    state.view = view;
    const move = (event) => {
      const canvas = root.querySelector("svg");
      if (!state.active || !canvas) return;
      const box = canvas.getBoundingClientRect();
      // The SVG may be drawn smaller than its own size (max-width: 100%).
      const k = box.height > 0 ? canvas.height.baseVal.value / box.height : 1;
      // The chart's top-level group is drawn at origin + padding within the SVG.
      const pad = state.view.padding();
      const top = state.view.origin()[1] + (typeof pad === "number" ? pad : pad.top || 0);
      const y = (event.clientY - box.top) * k - top - state.active.offset[1];
      const scale = state.view.scale(state.active.scale);
      if (scale && scale.invert) setSlider(state.active.input, scale.invert(y));
      event.preventDefault();
    };
    if (!state.listening) {
      state.listening = true;
      window.addEventListener("pointermove", move, {passive: false});
      window.addEventListener("pointerup", () => { state.active = null; });
      window.addEventListener("pointercancel", () => { state.active = null; });
    }
    view.addEventListener("pointerdown", (event, item) => {
      const name = item && item.datum && item.datum.drag;
      if (!name || !(name in drags)) return;
      const input = root.querySelector(`.vega-bind input[name="${name}"]`);
      if (!input) return;
      state.active = {input, scale: drags[name], offset: groupOffset(item)};
      move(event);
    });
    // A draggable mark says so to the pointer.
    view.addEventListener("pointermove", (event, item) => {
      const canvas = root.querySelector("svg");
      if (canvas && !state.active) {
        canvas.style.cursor = item && item.datum && item.datum.drag in drags ? "ns-resize" : "";
      }
    });
  }

  return {shown, label, drag, setSlider};
})();
