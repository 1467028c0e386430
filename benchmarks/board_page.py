"""The board benchmark's browser side: Chromium settings, the scripts injected into the page that
stamp when cards and board updates appear, and the methods that read those stamps."""

from __future__ import annotations

import shutil
import time

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Boards in background contexts must keep rendering like a wall screen does.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
VIEWPORT = {"width": 1440, "height": 900}

# Stamps, in the page, when each card (by platform order id) was first inserted and first painted,
# and every board update that reached the DOM (#qh-alert attributes written by BoardState).
INIT_SCRIPT = r"""
(() => {
  if (window.__qhBench) return;
  window.__qhBench = true;
  window.__qhDom = {};      // platform order id -> epoch ms when React inserted the card
  window.__qhPaint = {};    // platform order id -> epoch ms of the next animation frame
  window.__qhUpdates = [];  // [client epoch ms, data-updated, data-reload-ms, data-count]
  window.__qhWs = [];       // [epoch ms a state delta arrived, chars, the updated_ms it carries]
  const Native = window.WebSocket;
  const Wrapped = function (url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener('message', (ev) => {  // registered before the app's own handler
      const t = Date.now();
      if (typeof ev.data !== 'string' || ev.data.length < 100) return;
      const m = ev.data.match(/updated_ms[^"]*"\s*:\s*(\d+)/);
      window.__qhWs.push([t, ev.data.length, m ? +m[1] : 0]);
    });
    return ws;
  };
  Wrapped.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Wrapped[k] = Native[k];
  window.WebSocket = Wrapped;
  window.__qhLong = [];     // [epoch ms start, ms]: main-thread tasks over 50 ms (React renders)
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__qhLong.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
  let pending = [], lastUpdated = null, frame = false;
  const flush = () => {
    frame = false;
    const t = Date.now();
    for (const k of pending) if (!(k in window.__qhPaint)) window.__qhPaint[k] = t;
    pending = [];
  };
  const scan = () => {
    const t = Date.now();
    let fresh = false;
    document.querySelectorAll('[data-platform-order-id]').forEach((el) => {
      const k = el.getAttribute('data-platform-order-id');
      if (k && !(k in window.__qhDom)) { window.__qhDom[k] = t; pending.push(k); fresh = true; }
    });
    if (fresh && !frame) {
      frame = true;
      requestAnimationFrame(flush);
      setTimeout(() => { if (frame) flush(); }, 250);  // no frame (hidden page): still stamp
    }
    const a = document.getElementById('qh-alert');
    if (a) {
      const u = a.getAttribute('data-updated');
      if (u !== lastUpdated) {
        lastUpdated = u;
        window.__qhUpdates.push([t, +u, +a.getAttribute('data-reload-ms'), +a.getAttribute('data-count')]);
      }
    }
  };
  const start = () => new MutationObserver(scan).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true,
    attributeFilter: ['data-updated', 'data-reload-ms', 'data-count'],
  });
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

RTT_SCRIPT = """
async (n) => {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch('/api/version?r=' + i, {cache: 'no-store'});
    await r.text();
    out.push(performance.now() - t);
  }
  return out;
}
"""

# Extra boards (RSS phase) only: no CSS animations, so that this machine's browser core is not
# spent repainting the flashing 新订单 header of boards nobody looks at.
NO_ANIMATION = """
document.addEventListener('DOMContentLoaded', () => {
  const s = document.createElement('style');
  s.textContent = '*, *::before, *::after { animation: none !important; transition: none !important; }';
  document.head.appendChild(s);
});
"""

BOARD_READY = (
    "() => { const a = document.getElementById('qh-alert'); return !!a && +a.getAttribute('data-updated') > 0; }"
)


class PageMixin:
    """Reads the stamps of the measuring page (`self.page_cdp`: its CDP session)."""

    @staticmethod
    def updates(page) -> list[list[float]]:
        return page.evaluate("() => window.__qhUpdates")

    @staticmethod
    def wait_update_after(page, t_ms: float, timeout: float, *, by: str = "dom") -> list | None:
        """The first board update, in the order they reached the DOM, that reached the DOM
        (by="dom"), was built (by="built") or started building (by="started") at or after t_ms."""
        test = {"dom": "u[0] >= t", "built": "u[1] >= t", "started": "u[1] - u[2] >= t - 1"}[by]
        deadline = time.monotonic() + timeout
        while True:
            found = page.evaluate(f"(t) => window.__qhUpdates.find(u => {test}) || null", t_ms)
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    @staticmethod
    def wait_quiet(page, quiet: float, timeout: float) -> bool:
        """Until no board update has reached the page for `quiet` seconds (its queue is empty)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = page.evaluate(
                "() => Math.max(0, ...window.__qhWs.map(m => m[0]), ...window.__qhUpdates.map(u => u[0]))"
            )
            if time.time() * 1000 - last >= quiet * 1000:
                return True
            time.sleep(0.2)
        return False

    def page_metrics(self) -> dict[str, float]:
        """The measuring page's renderer main thread so far (CDP Performance, seconds)."""
        m = {x["name"]: x["value"] for x in self.page_cdp.send("Performance.getMetrics")["metrics"]}
        return {
            "t": time.monotonic(),
            "task": m.get("TaskDuration", 0.0),
            "script": m.get("ScriptDuration", 0.0),
            "style_layout": m.get("RecalcStyleDuration", 0.0) + m.get("LayoutDuration", 0.0),
        }

    def page_busy(self, before: dict[str, float]) -> dict[str, float]:
        """Share of wall time the page's main thread spent in tasks since `before`, split into
        script (React), style + layout, and the rest (paint, raster, compositing, GC...)."""
        after = self.page_metrics()
        wall = max(1e-6, after["t"] - before["t"])
        task = (after["task"] - before["task"]) / wall * 100
        script = (after["script"] - before["script"]) / wall * 100
        style = (after["style_layout"] - before["style_layout"]) / wall * 100
        return {
            "busy_pct": round(task),
            "script_pct": round(script),
            "style_layout_pct": round(style),
            "other_pct": round(max(0.0, task - script - style)),
        }
