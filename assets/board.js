// Dispatch board helpers that must not cost a server round trip:
// ticking timers, the repeating new-order voice alert, the one-off 订单已取消 / 顾客申请退款 voice
// lines, the sound unlock and mute switch, the desk's sideways column row, and a probe that
// records when each order card first became visible (for benchmarks).
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
  window.__qhPlayed = window.__qhPlayed || [];  // sounds asked for, in order (tests read it)
  var VOICE = {
    cancelled: "/sounds/order-cancelled.mp3",
    refund: "/sounds/refund-requested.mp3",
    rider: "/sounds/rider-problem.mp3",
  };
  var spoken = {};  // "cancelled:12" → true: each cancel / refund request is said once
  var voiceQueue = [];
  var primed = false;  // the first loaded board has been seen

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

  // "14:30" today, "明天 14:30" tomorrow, else "11-28 14:30" (Asia/Shanghai): booked times.
  function fmtWhen(ms, now) {
    var day = function (t) { return Math.floor((t + 8 * 3600 * 1000) / 86400000); };
    var d = new Date(ms + 8 * 3600 * 1000);
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    var diff = day(ms) - day(now);
    if (diff === 0) return fmtClock(ms);
    if (diff === 1) return (lang() === "en" ? "tomorrow " : "明天 ") + fmtClock(ms);
    return p(d.getUTCMonth() + 1) + "-" + p(d.getUTCDate()) + " " + fmtClock(ms);
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
    root.querySelectorAll(".qh-when").forEach(function (el) {
      var at = +el.getAttribute("data-at");
      setText(el, at ? fmtWhen(at, now) : "");
    });
    root.querySelectorAll(".qh-deadline").forEach(function (el) {
      var left = +el.getAttribute("data-deadline") - now;
      el.classList.toggle("qh-late", left < 0);
      el.classList.toggle("qh-warn", left >= 0 && left <= WARN_MS);
    });
    // 超时未接单: past the accept deadline and still not accepted (until the platform cancels)
    root.querySelectorAll(".qh-c-overdue").forEach(function (el) {
      var over = +el.getAttribute("data-deadline") < now;
      el.classList.toggle("qh-on", over);
      var card = el.closest(".qh-card");
      if (card) card.classList.toggle("qh-card-overdue", over);
    });
  }

  function paintMute() {
    var on = muted() ? "true" : "false";
    document.querySelectorAll("[data-qh-mute]").forEach(function (el) {
      if (el.getAttribute("aria-pressed") !== on) el.setAttribute("aria-pressed", on);
    });
  }

  // Desk: which columns are on screen (their names light up above), and arrows at the edges
  // while more columns lie to either side.
  function paintColumns() {
    var row = document.getElementById("board-columns");
    if (!row) return;
    var box = row.getBoundingClientRect();
    var all = true;
    row.querySelectorAll(".qh-col").forEach(function (col) {
      var r = col.getBoundingClientRect();
      var seen = r.left >= box.left - 2 && r.right <= box.right + 2;
      all = all && seen;
      var chip = document.getElementById("nav-" + col.id.replace("column-", ""));
      if (chip) chip.classList.toggle("qh-in-view", seen);
    });
    var wrap = row.parentElement;
    wrap.classList.toggle("qh-more-left", row.scrollLeft > 2);
    wrap.classList.toggle("qh-more-right", row.scrollLeft + row.clientWidth < row.scrollWidth - 2);
    var nav = document.getElementById("desk-nav");
    if (nav) nav.classList.toggle("qh-all-visible", all);
  }

  function goTo(tab) {
    var col = document.getElementById("column-" + tab);
    var row = document.getElementById("board-columns");
    if (!col || !row) return;
    var left = col.offsetLeft - row.offsetLeft;
    if (left < row.scrollLeft || left + col.offsetWidth > row.scrollLeft + row.clientWidth) {
      row.scrollTo({ left: Math.max(0, left - 12), behavior: "smooth" });
    }
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
    paintMute();
    paintColumns();
    ring(now);
  }

  function play(src) {
    window.__qhPlayed.push(src);
    audio.src = src;
    audio.play().catch(function () { unlocked = false; });
  }

  function ring(now) {
    var probe = document.getElementById("qh-alert");
    if (!probe) return;
    var count = +probe.getAttribute("data-count");
    document.body.classList.toggle("qh-flash", count > 0);
    // What is already in 异常 when the board opens is on screen: only what arrives later is said.
    var loaded = +probe.getAttribute("data-updated") > 0;
    (probe.getAttribute("data-events") || "").split(",").filter(Boolean).forEach(function (key) {
      if (spoken[key]) return;
      spoken[key] = true;
      var kind = key.split(":")[0];
      if (primed && VOICE[kind] && voiceQueue.indexOf(kind) < 0) voiceQueue.push(kind);
    });
    if (loaded) primed = true;
    if (muted()) voiceQueue = [];
    if (!unlocked || muted()) return;
    var busy = !audio.paused && !audio.ended;
    if (voiceQueue.length && !busy) {  // a cancel or refund request is said before the next ring
      lastRing = now;
      play(VOICE[voiceQueue.shift()]);
      return;
    }
    if (!count || now - lastRing < RING_EVERY_MS) return;
    lastRing = now;
    var platforms = (probe.getAttribute("data-platforms") || "").split(",").filter(Boolean);
    var platform = platforms.length ? platforms[Math.floor(now / RING_EVERY_MS) % platforms.length] : "offline";
    play("/sounds/new-order-" + platform + ".mp3");
  }

  function unlock() {
    if (unlocked) return;
    audio.src = "/sounds/ding.mp3";
    audio.play().then(function () { unlocked = true; lastRing = 0; }).catch(function () {});
  }

  document.addEventListener("click", function (ev) {
    unlock();
    if (!ev.target.closest) return;
    if (ev.target.closest("[data-qh-mute]")) {
      localStorage.setItem("qh_muted", muted() ? "0" : "1");
      paintMute();
    }
    var goto = ev.target.closest("[data-qh-goto]");
    if (goto) goTo(goto.getAttribute("data-qh-goto"));
    var arrow = ev.target.closest("[data-qh-scroll]");
    var row = document.getElementById("board-columns");
    if (arrow && row) {
      var step = Math.max(240, row.clientWidth - 120) * (arrow.getAttribute("data-qh-scroll") === "left" ? -1 : 1);
      row.scrollBy({ left: step, behavior: "smooth" });
    }
  }, true);
  document.addEventListener("scroll", function (ev) {
    if (ev.target && ev.target.id === "board-columns") paintColumns();
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
        if (n.querySelector(".qh-deadline, .qh-elapsed, .qh-when, .qh-c-overdue")) paintTimers(now, n);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
