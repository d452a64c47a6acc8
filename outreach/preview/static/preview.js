// outreach preview: live reload over Server-Sent Events, overlay toggle, full-size viewer.
(() => {
  "use strict";
  const body = document.body;
  const storyId = body.dataset.story || "";
  const live = document.getElementById("live");
  const say = (key, fallback) => (live && live.dataset[key]) || fallback;
  const toggle = document.getElementById("overlay-toggle");

  // --- overlay toggle (remembered across pages and reloads) ---
  const setOverlay = (on) => {
    body.classList.toggle("overlay", on);
    if (toggle) toggle.checked = on;
    try { localStorage.setItem("outreach-overlay", on ? "1" : "0"); } catch (e) { /* private mode */ }
  };
  let saved = false;
  try { saved = localStorage.getItem("outreach-overlay") === "1"; } catch (e) { /* ignore */ }
  if (toggle) {
    setOverlay(saved);
    toggle.addEventListener("change", () => setOverlay(toggle.checked));
  }
  document.addEventListener("keydown", (e) => {
    const typing = /INPUT|TEXTAREA|SELECT/.test(e.target.tagName) && e.target.type !== "checkbox";
    if (toggle && !typing && !e.ctrlKey && !e.metaKey && !e.altKey && (e.key === "s" || e.key === "S")) {
      setOverlay(!body.classList.contains("overlay"));
      e.preventDefault();
    }
  });

  // --- full-size viewer ---
  const dialog = document.getElementById("viewer");
  const vImg = document.getElementById("viewer-img");
  const vTitle = document.getElementById("viewer-title");
  const vOpen = document.getElementById("viewer-open");
  let frames = [];
  let index = 0;
  let opener = null;
  const show = (i) => {
    frames = Array.from(document.querySelectorAll("#main a.frame"));
    if (!frames.length) return;
    index = (i + frames.length) % frames.length;
    const a = frames[index];
    const vFrame = document.getElementById("viewer-frame");
    vFrame.querySelectorAll(":scope > :not(img)").forEach((n) => n.remove());
    a.querySelectorAll(":scope > :not(img)").forEach((n) => vFrame.appendChild(n.cloneNode(true)));
    vFrame.style.setProperty("--ar", a.closest(".card").style.getPropertyValue("--ar"));
    vFrame.style.setProperty("--full-w", (a.dataset.width || 1080) + "px");
    vImg.src = a.dataset.full;
    vImg.alt = (a.querySelector("img") || {}).alt || "";
    vTitle.textContent = a.dataset.title;
    vOpen.href = a.dataset.full;
    const vDownload = document.getElementById("viewer-download");
    const named = a.closest(".card").querySelector("a.download");
    if (vDownload) {
      vDownload.href = a.dataset.full;
      vDownload.setAttribute("download", named ? named.getAttribute("download") : "");
    }
  };
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a.frame");
    if (!a || !dialog || typeof dialog.showModal !== "function" || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    opener = a;
    show(Array.from(document.querySelectorAll("#main a.frame")).indexOf(a));
    dialog.showModal();
  });
  if (dialog) {
    document.getElementById("viewer-prev").addEventListener("click", () => show(index - 1));
    document.getElementById("viewer-next").addEventListener("click", () => show(index + 1));
    dialog.addEventListener("keydown", (e) => {
      if (e.key === "ArrowLeft") show(index - 1);
      if (e.key === "ArrowRight") show(index + 1);
    });
    document.getElementById("viewer-frame").addEventListener("click", (e) => {
      e.currentTarget.classList.toggle("actual");
    });
    dialog.addEventListener("close", () => { if (opener && document.contains(opener)) opener.focus(); });
  }

  // --- storyboard scrubber ---
  const bindScrub = () => {
    document.querySelectorAll("input[data-scrub]").forEach((input) => {
      const cards = input.closest("section").querySelectorAll(".frames .card");
      const out = input.parentElement.querySelector("output");
      const update = (scroll) => {
        cards.forEach((c, i) => c.classList.toggle("current", i === Number(input.value)));
        const cur = cards[Number(input.value)];
        if (cur) {
          out.textContent = cur.querySelector("figcaption span").textContent;
          if (scroll) cur.scrollIntoView({ block: "nearest", inline: "nearest" });
        }
      };
      input.addEventListener("input", () => update(true));
      update(false);
    });
  };

  // --- checks panel arrives after the cards (it runs the full `outreach check`) ---
  const loadChecks = () => {
    const pending = document.querySelector("#checks[data-src]");
    if (!pending) return;
    const src = pending.dataset.src;
    fetch(src, { cache: "no-store" }).then((r) => (r.ok ? r.text() : null)).then((html) => {
      const still = document.querySelector("#checks[data-src]");
      if (html && still && still.dataset.src === src) {
        still.outerHTML = html;
        loadChecks();
      }
    }).catch(() => {});
  };

  // --- cards the server had no time to draw: once their images are in, fetch their marks ---
  const awaitPending = () => {
    const imgs = Array.from(document.querySelectorAll("#main figure[data-pending] img"));
    if (!imgs.length) return;
    let left = imgs.length;
    const done = () => { left -= 1; if (left === 0) refresh(true); };
    imgs.forEach((img) => {
      if (img.complete) done();
      else {
        img.addEventListener("load", done, { once: true });
        img.addEventListener("error", done, { once: true });
      }
    });
  };

  // --- live reload ---
  let generation = 0;
  let pendingRounds = 0;
  const refresh = (fromPending) => {
    const mine = ++generation;
    const url = location.pathname + "?part=main";
    fetch(url, { cache: "no-store" }).then((r) => {
      if (r.status === 404) return "<p class=\"broken-panel\" role=\"alert\">This story is gone or was renamed. <a href=\"/\">Back to all stories</a></p>";
      return r.text();
    }).then((html) => {
      if (mine !== generation) return;  // a newer refresh is on its way
      const main = document.getElementById("main");
      const open = Array.from(main.querySelectorAll("details[open]")).map((d) => d.className);
      const focused = document.activeElement && main.contains(document.activeElement)
        ? document.activeElement.getAttribute("href") : null;
      main.innerHTML = html;
      if (focused) {
        const again = Array.from(main.querySelectorAll("a[href]")).find((a) => a.getAttribute("href") === focused);
        if (again) again.focus({ preventScroll: true });
      }
      open.forEach((c) => main.querySelectorAll("details." + c).forEach((d) => { d.open = true; }));
      body.dataset.updated = String(Date.now());
      if (live) live.textContent = say("updated", "Updated") + " " + new Date().toLocaleTimeString();
      bindScrub();
      loadChecks();
      pendingRounds = fromPending ? pendingRounds + 1 : 0;
      if (pendingRounds < 2) awaitPending();  // never loops: at most two follow-ups
    }).catch(() => {});
  };
  if (window.EventSource) {
    const es = new EventSource("/events");
    let dropped = false;
    es.addEventListener("change", (e) => {
      let data = {};
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (!storyId || data.everything || (data.stories || []).includes(storyId)) refresh();
    });
    es.addEventListener("error", () => {
      dropped = true;
      if (live) live.textContent = say("lost", "Preview server unreachable — retrying…");
    });
    es.addEventListener("open", () => {
      if (live) live.textContent = say("live", "Live: watching for changes");
      if (dropped) { dropped = false; refresh(); }
    });
  }
  // --- copy a platform's caption or alt text (buttons are redrawn on every refresh) ---
  const copyText = (text) => {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy"));
  };
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("button.copy");
    if (!button) return;
    const source = button.closest(".post").querySelector(button.dataset.copy);
    if (!source) return;
    const text = source.matches("ol")
      ? Array.from(source.querySelectorAll(".alt")).map((n) => n.textContent).join("\n")
      : source.textContent;
    copyText(text).then(() => {
      button.textContent = say("copied", "Copied");
      setTimeout(() => { button.textContent = say("copy", "Copy"); }, 1500);
    }).catch(() => {});
  });

  // --- Approve: the server writes `status: approved` into the story file ---
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("button.approve");
    if (!button) return;
    const meta = document.querySelector('meta[name="outreach-token"]');
    const message = button.parentElement.querySelector(".approve-message");
    button.disabled = true;
    fetch(button.dataset.url, {
      method: "POST",
      cache: "no-store",
      headers: { "X-Outreach-Token": meta ? meta.content : "" },
    }).then((r) => r.json().then((data) => [r.ok, data])).then(([ok, data]) => {
      if (message) message.textContent = data.message || "";
      if (ok) refresh(); else button.disabled = false;
    }).catch(() => { button.disabled = false; });
  });

  bindScrub();
  loadChecks();
  awaitPending();
})();
