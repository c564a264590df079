/* "Live Code" needs the internet, and says so.
 *
 * sphinx-thebe loads thebe from a CDN when the reader asks for live code
 * (it appends a <script> for THEBE_JS_URL to <head>) and writes "Loading
 * thebe from CDN..." in the launch button; thebe then starts a kernel on
 * mybinder.org.  Offline the script never loads and that message stays for
 * ever.  This watches for that script: if it fails, or has not loaded after
 * WAIT_MS, the button becomes a plain message saying what is missing.  Once
 * thebe loads, sphinx-thebe rewrites the button as before.
 */
(() => {
  "use strict";
  const WAIT_MS = 15000;

  const isThebe = (node) =>
    node.tagName === "SCRIPT" && Boolean(node.src) &&
    ((typeof THEBE_JS_URL !== "undefined" && node.src === THEBE_JS_URL) ||
     /\/thebe@[^/]*\/lib\/index\.js$/.test(node.src));

  const say = (host, stillTrying) => {
    const text = (stillTrying ? `Still waiting for thebe from ${host}. ` : "") +
      `Live code needs the internet: it loads thebe from ${host} and runs the code ` +
      "on a mybinder.org kernel, and this page cannot reach them" +
      (stillTrying ? " yet. " : ". ") +
      "Connect and choose Live Code again, or download this page as a notebook " +
      "(the download button at the top) and run it in your own Jupyter.";
    document.querySelectorAll(".thebe-launch-button").forEach((old) => {
      // A message, not a button: there is nothing to press.  It keeps the
      // class, so sphinx-thebe finds it again on the next attempt.
      const note = document.createElement("div");
      note.className = "thebe-launch-button thebe-unreachable";
      note.setAttribute("role", "alert");
      note.textContent = text;
      old.replaceWith(note);
    });
  };

  const watch = (script) => {
    let host = "its CDN";
    try { host = new URL(script.src).host; } catch (e) { /* keep the generic name */ }
    let settled = false;
    const timer = setTimeout(() => { if (!settled) say(host, true); }, WAIT_MS);
    script.addEventListener("load", () => { settled = true; clearTimeout(timer); });
    script.addEventListener("error", () => {
      settled = true;
      clearTimeout(timer);
      say(host, false);
    });
    if (navigator.onLine === false) {
      // The browser knows it is offline: no need to wait for the request to fail.
      settled = true;
      clearTimeout(timer);
      say(host, false);
    }
  };

  new MutationObserver((records) => {
    for (const record of records) {
      record.addedNodes.forEach((node) => { if (isThebe(node)) watch(node); });
    }
  }).observe(document.head, { childList: true });
})();
