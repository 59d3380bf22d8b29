/* Reader behaviour on article pages, small and without dependencies. The pages work without it:
 * every audience passage then shows with its label, and citations keep their title tooltip.
 * - "Which best describes you?": the choice is kept in localStorage and applied on every page.
 * - Citation tooltips with the full reference, on hover and on keyboard focus. The tooltip is
 *   fixed-positioned outside the text flow, so showing it moves nothing on the page. */
(function () {
  "use strict";
  var KEY = "clinical-answers.audience";

  function load() {
    try { return localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }
  function save(value) {
    try {
      if (value) localStorage.setItem(KEY, value); else localStorage.removeItem(KEY);
    } catch (e) { /* storage off: the choice lasts for this page only */ }
  }

  function setUpAudience() {
    var form = document.getElementById("audience-selector");
    if (!form) return;
    var inputs = form.querySelectorAll('input[name="audience"]');
    var note = form.querySelector(".audience-selector__note");
    var offered = {};
    inputs.forEach(function (input) { if (input.value) offered[input.value] = input; });

    function apply(choice, announce) {
      if (!offered[choice]) choice = "";
      (offered[choice] || form.querySelector('input[value=""]')).checked = true;
      // Only passages for an audience this page offers can be hidden: nothing is lost.
      document.querySelectorAll(".audience-block[data-audience]").forEach(function (block) {
        var who = block.getAttribute("data-audience");
        block.hidden = Boolean(choice) && who !== choice && Boolean(offered[who]);
      });
      if (announce && note) {
        note.textContent = choice
          ? "Showing the passages for: " + offered[choice].parentNode.textContent.trim() + "."
          : "Showing every passage.";
      }
    }

    form.hidden = false;
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("change", function (event) {
      save(event.target.value);
      apply(event.target.value, true);
    });
    apply(load(), false);
  }

  var tip = null;
  var shownFor = null;
  var hideTimer = 0;

  // The full reference is the entry the number links to, read from the list (not copied into
  // every link: pages stay small), without its back-links.
  function reference(link) {
    var entry = document.getElementById((link.getAttribute("href") || "").slice(1));
    if (!entry) return link.getAttribute("data-title") || "";
    var copy = entry.cloneNode(true);
    copy.querySelectorAll(".citation-backref").forEach(function (back) { back.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function tooltip() {
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "citation-tooltip";
      tip.className = "citation-tooltip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      // The pointer may move onto the tooltip (to read or select it) without closing it.
      tip.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
      tip.addEventListener("mouseleave", hideSoon);
      document.body.appendChild(tip);
    }
    return tip;
  }

  function place() {
    if (!shownFor) return;
    var box = shownFor.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var left = Math.min(Math.max(8, box.left + box.width / 2 - tip.offsetWidth / 2),
      width - tip.offsetWidth - 8);
    var top = box.bottom + 6;
    if (top + tip.offsetHeight > window.innerHeight - 8) top = box.top - tip.offsetHeight - 6;
    tip.style.left = Math.max(8, left) + "px";
    tip.style.top = Math.max(8, top) + "px";
  }

  function show(link) {
    var text = reference(link);
    if (!text) return;
    clearTimeout(hideTimer);
    if (shownFor && shownFor !== link) shownFor.removeAttribute("aria-describedby");
    tooltip().textContent = text;
    tip.hidden = false;
    shownFor = link;
    // Screen readers hear the reference once: as the link's name when it carries it already.
    if ((link.getAttribute("aria-label") || "").indexOf(text) < 0) {
      link.setAttribute("aria-describedby", tip.id);
    }
    place();
  }

  function hide() {
    clearTimeout(hideTimer);
    if (tip) tip.hidden = true;
    if (shownFor) shownFor.removeAttribute("aria-describedby");
    shownFor = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 150);
  }

  function citation(event) {
    var target = event.target;
    return target && target.closest ? target.closest("sup.citation a") : null;
  }

  function setUpCitations() {
    var links = document.querySelectorAll("sup.citation a");
    if (!links.length) return;
    links.forEach(function (link) {
      // Our tooltip replaces the browser's, which would otherwise show the same text twice.
      if (link.hasAttribute("title")) {
        link.setAttribute("data-title", link.getAttribute("title"));
        link.removeAttribute("title");
      }
    });
    document.addEventListener("mouseover", function (event) {
      var link = citation(event);
      if (link) show(link);
    });
    document.addEventListener("mouseout", function (event) {
      if (citation(event)) hideSoon();
    });
    document.addEventListener("focusin", function (event) {
      var link = citation(event);
      if (link) show(link); else if (shownFor) hide();
    });
    document.addEventListener("focusout", function (event) {
      if (citation(event)) hideSoon();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && shownFor) hide();
    });
    window.addEventListener("scroll", place, { passive: true });
    window.addEventListener("resize", place);
  }

  // Material's search dialog has no accessible name (axe: aria-dialog-name).
  var search = document.querySelector(".md-search[role=dialog]");
  if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");

  setUpAudience();
  setUpCitations();
})();
