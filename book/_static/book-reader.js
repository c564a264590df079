/* The reader's side of the HTML book (book/_ext/book_reader.py loads it on every page).
 *
 * 1. A display equation, a table or a line of code wider than the column scrolls
 *    sideways (the theme sets overflow-x: auto on MathJax's container, on its table
 *    wrapper and on code),
 *    but on a phone the scroll bar is hidden until touched, so nothing shows that
 *    it goes on. Each such box gets data-overflow="right", "left" or "both", the
 *    side(s) where it is cut, and book.css fades it out there. Boxes that fit get
 *    no attribute.
 * 2. The theme's floating "Back to top" button sits over the text (over a figure,
 *    say) while it is shown. It is moved into the sticky article header, beside
 *    the other buttons, where it covers nothing; the theme's own script still
 *    decides when it shows (on scrolling up) and what it does.
 */
(function () {
  "use strict";

  const EDGE = 2; // px of slack, so that rounding does not count as overflow

  function markOverflow(box) {
    const hidden = box.scrollWidth - box.clientWidth;
    if (hidden <= EDGE) {
      box.removeAttribute("data-overflow");
      return;
    }
    const left = box.scrollLeft > EDGE;
    const right = box.scrollLeft < hidden - EDGE;
    const side = left && right ? "both" : left ? "left" : right ? "right" : null;
    if (side) box.setAttribute("data-overflow", side);
    else box.removeAttribute("data-overflow");
  }

  const watched = new WeakSet();
  const resizes = "ResizeObserver" in window
    ? new ResizeObserver((entries) => entries.forEach((e) => markOverflow(e.target)))
    : null;

  // What scrolls sideways: display maths, the theme's wrapper of a Markdown table,
  // a cell's HTML output (a table a cell prints), and code and its printed output.
  const SCROLLERS = 'mjx-container[display="true"], .pst-scrollable-table-container, ' +
    ".cell_output .output.text_html, article.bd-article pre";

  function watchEquations() {
    document.querySelectorAll(SCROLLERS).forEach((box) => {
      markOverflow(box);
      if (watched.has(box)) return;
      watched.add(box);
      box.addEventListener("scroll", () => markOverflow(box), { passive: true });
      if (resizes) resizes.observe(box);
    });
  }

  function whenTypeset(callback, tries) {
    // MathJax loads asynchronously; its startup promise settles once the page is typeset.
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(callback, callback);
    } else if (tries > 0) {
      setTimeout(() => whenTypeset(callback, tries - 1), 100);
    }
  }

  function moveBackToTop() {
    const button = document.getElementById("pst-back-to-top");
    const buttons = document.querySelector(".bd-header-article .article-header-buttons");
    if (!button || !buttons) return;
    // An icon button like its neighbours; the words stay for screen readers.
    for (const node of [...button.childNodes]) {
      if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
        const words = document.createElement("span");
        words.className = "visually-hidden";
        words.textContent = node.textContent.trim();
        node.replaceWith(words);
      }
    }
    button.setAttribute("title", "Back to top");
    button.classList.add("btn-sm", "pst-navbar-icon", "book-back-to-top");
    buttons.prepend(button);
  }

  function start() {
    moveBackToTop();
    watchEquations();
    whenTypeset(watchEquations, 200);
    window.addEventListener("resize", watchEquations, { passive: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
