// Dispatch board helpers that must not cost a server round trip:
// ticking timers, the repeating new-order voice alert, the sound unlock and mute switch,
// and a probe that records when each order card first became visible (for benchmarks).
(function () {
  if (window.__qhBoard) return;
  window.__qhBoard = true;
  var lang = function () { try { return JSON.parse(localStorage.getItem("qh_lang")) || "zh"; } catch (e) { return localStorage.getItem("qh_lang") || "zh"; } };
  var audio = new Audio();
  var unlocked = false;
  var lastRing = 0;
  var RING_EVERY_MS = 6000;
  var WARN_MS = 5 * 60 * 1000;
  window.__qhSeen = window.__qhSeen || {};

  function muted() { return localStorage.getItem("qh_muted") === "1"; }

  function fmtDuration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var en = lang() === "en";
    if (s < 60) return en ? s + "s" : s + "秒";
    var m = Math.floor(s / 60), r = s % 60;
    if (m < 10) return en ? m + "m " + r + "s" : m + "分" + r + "秒";
    if (m < 60) return en ? m + " min" : m + "分钟";
    var h = Math.floor(m / 60), mm = m % 60;
    return en ? h + " h " + mm + " min" : h + "小时" + mm + "分";
  }

  function fmtClock(ms) {
    var d = new Date(ms + 8 * 3600 * 1000); // Asia/Shanghai
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getUTCHours()) + ":" + p(d.getUTCMinutes());
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text; // unchanged text: no DOM mutation
  }

  // Timers are written here, not by React: fill them every second and as soon as a card is
  // inserted (a card that moved tab is a new element), so no card ever shows a blank timer.
  function paintTimers(now, root) {
    root = root || document;
    root.querySelectorAll(".qh-elapsed").forEach(function (el) {
      var since = +el.getAttribute("data-since");
      setText(el, since ? fmtDuration(now - since) : "");
    });
    root.querySelectorAll(".qh-clock").forEach(function (el) {
      var at = +el.getAttribute("data-at");
      setText(el, at ? fmtClock(at) : "");
    });
    root.querySelectorAll(".qh-countdown").forEach(function (el) {
      var dl = +el.getAttribute("data-deadline");
      var left = dl - now;
      setText(el, left >= 0 ? fmtDuration(left) : (lang() === "en" ? "late " : "超时") + fmtDuration(-left));
    });
    root.querySelectorAll(".qh-deadline").forEach(function (el) {
      var left = +el.getAttribute("data-deadline") - now;
      el.classList.toggle("qh-late", left < 0);
      el.classList.toggle("qh-warn", left >= 0 && left <= WARN_MS);
    });
  }

  function tick() {
    var now = Date.now();
    paintTimers(now);
    document.querySelectorAll("[data-order-id]").forEach(function (el) {
      var id = el.getAttribute("data-order-id");
      if (!window.__qhSeen[id]) window.__qhSeen[id] = performance.timeOrigin + performance.now();
    });
    var banner = document.getElementById("qh-sound-banner");
    if (banner) banner.style.display = unlocked || muted() ? "none" : "";
    document.querySelectorAll(".qh-mute-label").forEach(function (el) {
      var en = lang() === "en";
      setText(el, muted() ? (en ? "Unmute" : "开启提醒") : (en ? "Mute" : "静音"));
    });
    ring(now);
  }

  function ring(now) {
    var probe = document.getElementById("qh-alert");
    if (!probe) return;
    var count = +probe.getAttribute("data-count");
    document.body.classList.toggle("qh-flash", count > 0);
    if (!count || !unlocked || muted() || now - lastRing < RING_EVERY_MS) return;
    lastRing = now;
    var platforms = (probe.getAttribute("data-platforms") || "").split(",").filter(Boolean);
    var platform = platforms.length ? platforms[Math.floor(now / RING_EVERY_MS) % platforms.length] : "offline";
    audio.src = "/sounds/new-order-" + platform + ".mp3";
    audio.play().catch(function () { unlocked = false; });
  }

  function unlock() {
    if (unlocked) return;
    audio.src = "/sounds/ding.mp3";
    audio.play().then(function () { unlocked = true; lastRing = 0; }).catch(function () {});
  }

  document.addEventListener("click", function (ev) {
    unlock();
    if (ev.target.closest && ev.target.closest("[data-qh-mute]")) {
      localStorage.setItem("qh_muted", muted() ? "0" : "1");
    }
  }, true);
  document.addEventListener("touchend", unlock, true);
  // The server sends a phone the cards of one tab and a desk every column: tell it when the
  // window crosses the breakpoint where the columns appear (rotating a tablet, resizing).
  var desk = window.matchMedia("(min-width: 64em)");
  var onLayout = function () {
    var sync = document.getElementById("qh-layout-sync");
    if (sync) sync.click();
  };
  if (desk.addEventListener) desk.addEventListener("change", onLayout); else desk.addListener(onLayout);
  setInterval(tick, 1000);
  // Cards that appear between ticks are stamped as soon as React inserts them.
  new MutationObserver(function (records) {
    var now = Date.now();
    var t = performance.timeOrigin + performance.now();
    var seen = function (el) {
      var id = el.getAttribute("data-order-id");
      if (!window.__qhSeen[id]) window.__qhSeen[id] = t;
    };
    records.forEach(function (r) {  // only what was inserted: cheap under a stream of updates
      r.addedNodes.forEach(function (n) {
        if (n.nodeType !== 1) return;
        if (n.hasAttribute("data-order-id")) seen(n);
        n.querySelectorAll("[data-order-id]").forEach(seen);
        if (n.querySelector(".qh-deadline, .qh-elapsed")) paintTimers(now, n);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
