// QR Workshop's page: make a QR code with a live preview, read codes from files, the
// clipboard and the camera. Plain JavaScript, no dependencies, no inline code (the page's CSP
// allows scripts from this origin only). Every request goes to this origin's API.

const $ = (id) => document.getElementById(id);

/** Formats an <img> can show; others (text, pdf, eps) are previewed as PNG and downloaded. */
const PREVIEWABLE = ["png", "svg"];
/** File name extension of each output format. */
const EXTENSION = { png: "png", svg: "svg", text: "txt", pdf: "pdf", eps: "eps" };

/** Waits this long after the last keystroke before asking for a new preview. */
const PREVIEW_DEBOUNCE_MS = 250;
/** The camera is sampled at most this often; one frame is in flight at a time. */
const CAMERA_INTERVAL_MS = 300;
/** Frames are scaled down to this many pixels on the long side before upload. */
const CAMERA_MAX_SIDE = 1280;

/**
 * The most a symbol (version 40) holds per level, in numeric, alphanumeric and byte mode
 * (ISO/IEC 18004 table 7; the same table is in crates/qr-encode/src/capacity.rs).
 */
const CAPACITY = {
  L: [7089, 4296, 2953], M: [5596, 3391, 2331], Q: [3993, 2420, 1663], H: [3057, 1852, 1273],
};

// ---------------------------------------------------------------------------------------
// Problem+json: every API error carries a `detail` sentence meant for people.

async function problemText(response) {
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") return body.detail;
  } catch (_) { /* not JSON: fall through */ }
  return `The server answered ${response.status} ${response.statusText}.`;
}

function show(el, text) {
  el.textContent = text || "";
  el.hidden = !text;
}

// ---------------------------------------------------------------------------------------
// Make

/**
 * The generation options, read from the GET /generate parameters of /openapi.json, so a new
 * option appears on the page as soon as the document describes it. `data` has its own text
 * box; aliases (x-alias-of) are other names for the same option and are left out.
 */
async function loadOptions() {
  const response = await fetch("/openapi.json");
  if (!response.ok) throw new Error(await problemText(response));
  const doc = await response.json();
  const op = doc.paths["/generate"].get;
  return op.parameters.filter((p) => p.in === "query" && p.name !== "data" && !p["x-alias-of"]
    && !(p.schema && p.schema["x-ui-skip"]));
}

/** One labelled field per option: select for enums, number for integers, colour, or text. */
function buildField(param) {
  const s = param.schema || {};
  const id = `opt-${param.name}`;
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = s.title || param.name;
  wrap.append(label);
  let input;
  if (Array.isArray(s.enum)) {
    input = document.createElement("select");
    for (const value of s.enum) {
      const option = document.createElement("option");
      option.value = option.textContent = String(value);
      input.append(option);
    }
  } else {
    input = document.createElement("input");
    if (s.type === "integer" || s.type === "number") {
      input.type = "number";
      input.inputMode = "numeric";
      if (s.minimum !== undefined) input.min = s.minimum;
      if (s.maximum !== undefined) input.max = s.maximum;
      input.step = s.type === "integer" ? 1 : "any";
    } else if (s["x-ui-widget"] === "color") {
      input.type = "color";
    } else {
      input.type = "text";
    }
  }
  input.id = id;
  input.name = param.name;
  if (s.default !== undefined) input.value = String(s.default);
  input.dataset.default = input.value;
  if (param.description) {
    const hint = document.createElement("small");
    hint.id = `${id}-hint`;
    hint.className = "hint";
    hint.textContent = param.description.replace(/`/g, "");
    input.setAttribute("aria-describedby", hint.id);
    wrap.append(input, hint);
  } else {
    wrap.append(input);
  }
  return wrap;
}

/** The query for the current form: data plus every option changed from its default. */
function currentQuery(form, overrides = {}) {
  const query = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.name !== "data" && el.value === el.dataset.default && !(el.name in overrides)) continue;
    query.set(el.name, el.name in overrides ? overrides[el.name] : el.value);
  }
  for (const [name, value] of Object.entries(overrides)) query.set(name, value);
  return query;
}

function capacityNote(text, ecc, version) {
  const table = CAPACITY[ecc] || CAPACITY.H;
  const bytes = new TextEncoder().encode(text).length;
  let used, max, unit;
  if (/^[0-9]+$/.test(text)) [used, max, unit] = [text.length, table[0], "digits"];
  else if (/^[0-9A-Z $%*+\-./:]+$/.test(text)) [used, max, unit] = [text.length, table[1], "characters"];
  else [used, max, unit] = [bytes, table[2], "bytes"];
  const left = Math.max(0, max - used);
  return `Version ${version}, level ${ecc}. ${used} ${unit} used; ${left} more fit at level ${ecc}.`;
}

function setupMake(params) {
  const form = $("make-form");
  const fieldset = $("options");
  if (params.length) $("options-loading").remove();
  for (const p of params) fieldset.append(buildField(p));

  const preview = $("preview");
  let previewUrl = null;
  let timer = null;
  let generation = 0;

  async function refresh() {
    const data = $("data").value;
    const query = currentQuery(form);
    $("link").value = new URL(`/generate?${query}`, location.href).href;
    $("download-png").href = `/generate?${currentQuery(form, { format: "png" })}`;
    $("download-svg").href = `/generate?${currentQuery(form, { format: "svg" })}`;
    const format = (form.elements.format && form.elements.format.value) || "png";
    const other = $("download-other");
    other.hidden = PREVIEWABLE.includes(format);
    if (!other.hidden) {
      other.href = `/generate?${query}`;
      other.download = `qr-code.${EXTENSION[format] || format}`;
      other.textContent = `Download ${format.toUpperCase()}`;
    }
    const path = PREVIEWABLE.includes(format) ? `/generate?${query}` : $("download-png").href;
    $("copy-status").textContent = "";
    if (!data) {
      show($("make-error"), "Type some text or a link to encode.");
      $("make-status").textContent = "";
      preview.hidden = true;
      return;
    }
    const mine = ++generation;
    let response;
    try {
      response = await fetch(path);
    } catch (e) {
      if (mine === generation) show($("make-error"), `The service could not be reached (${e.message}).`);
      return;
    }
    if (mine !== generation) return; // a newer keystroke already asked again
    if (!response.ok) {
      const detail = await problemText(response);
      if (mine !== generation) return;
      show($("make-error"), detail);
      $("make-status").textContent = "";
      preview.hidden = true;
      return;
    }
    const blob = await response.blob();
    if (mine !== generation) return;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(blob);
    preview.src = previewUrl;
    preview.alt = `QR code for: ${data.length > 80 ? `${data.slice(0, 80)}…` : data}`;
    preview.hidden = false;
    show($("make-error"), "");
    const ecc = (form.elements.ecc && form.elements.ecc.value) || "H";
    $("make-status").textContent = capacityNote(data, ecc, response.headers.get("x-qr-version") || "?");
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DEBOUNCE_MS);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (e) => { e.preventDefault(); refresh(); });

  $("copy-link").addEventListener("click", async () => {
    const link = $("link");
    try {
      await navigator.clipboard.writeText(link.value);
      $("copy-status").textContent = "Link copied.";
    } catch (_) {
      // Without clipboard permission: select it so Ctrl+C copies it.
      link.focus();
      link.select();
      $("copy-status").textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
  refresh();
}

// ---------------------------------------------------------------------------------------
// Read

const SVG_NS = "http://www.w3.org/2000/svg";

/** Shows `blob` as the read image and posts it to /decode. */
async function readImage(blob, source) {
  const shot = $("shot");
  show($("read-error"), "");
  $("read-status").textContent = `Reading ${source}…`;
  $("stage").hidden = false;
  $("video").hidden = true;
  shot.hidden = false;
  if (shot.dataset.url) URL.revokeObjectURL(shot.dataset.url);
  shot.dataset.url = URL.createObjectURL(blob);
  shot.src = shot.dataset.url;
  clearOverlay();
  $("codes").replaceChildren();
  const result = await decode(blob);
  if (!result) return;
  await shot.decode().catch(() => {});
  drawCodes(result.codes, shot.naturalWidth, shot.naturalHeight);
}

/** POSTs an image to /decode; returns the parsed answer, or null after showing the error. */
async function decode(blob) {
  let response;
  try {
    response = await fetch("/decode", { method: "POST", body: blob });
  } catch (e) {
    show($("read-error"), `The service could not be reached (${e.message}).`);
    $("read-status").textContent = "";
    return null;
  }
  if (!response.ok) {
    show($("read-error"), await problemText(response));
    $("read-status").textContent = "";
    return null;
  }
  return response.json();
}

function clearOverlay() {
  $("overlay").replaceChildren();
}

/** Lists the codes and outlines each one over the image (its corners, numbered). */
function drawCodes(codes, width, height) {
  const overlay = $("overlay");
  overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
  clearOverlay();
  const list = $("codes");
  list.replaceChildren();
  const n = codes.length;
  $("read-status").textContent = n === 0
    ? "No QR code found. Try a sharper or closer picture."
    : `${n} code${n === 1 ? "" : "s"} found.`;
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 200));
  codes.forEach((code, i) => {
    const polygon = document.createElementNS(SVG_NS, "polygon");
    polygon.setAttribute("points", code.corners.map((p) => p.join(",")).join(" "));
    polygon.setAttribute("stroke-width", stroke);
    overlay.append(polygon);
    const [x, y] = code.corners[0];
    const label = document.createElementNS(SVG_NS, "text");
    label.setAttribute("x", x);
    label.setAttribute("y", y);
    label.setAttribute("font-size", stroke * 8);
    label.textContent = String(i + 1);
    overlay.append(label);
    list.append(codeItem(code, i));
  });
}

/** One listed code: its text, level and version, copy, and a link behind a confirmation. */
function codeItem(code, i) {
  const li = document.createElement("li");
  li.className = "code";
  li.dataset.index = String(i);
  const text = document.createElement("p");
  text.className = "code-text";
  text.textContent = code.text ?? `(binary, ${atob(code.bytes_base64 || "").length} bytes)`;
  const meta = document.createElement("p");
  meta.className = "hint";
  const corners = code.corners.map((p) => `(${p[0]}, ${p[1]})`).join(", ");
  meta.textContent = `Level ${code.ecc} · version ${code.version}${code.inverted ? " · inverted" : ""}${code.mirrored ? " · mirrored" : ""} · corners ${corners}`;
  li.append(text, meta);
  const actions = document.createElement("div");
  actions.className = "actions";
  if (code.text) {
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy text";
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(code.text);
        copy.textContent = "Copied";
      } catch (_) {
        copy.textContent = "Copy failed";
      }
    });
    actions.append(copy);
  }
  const url = linkOf(code.text);
  if (url) {
    const open = document.createElement("button");
    open.type = "button";
    open.textContent = "Open link…";
    open.setAttribute("aria-expanded", "false");
    const confirm = document.createElement("p");
    confirm.className = "confirm";
    confirm.hidden = true;
    confirm.append(`This code leads to ${url.host}. Check the address before you go: `);
    const a = document.createElement("a");
    a.href = url.href;
    a.rel = "noopener noreferrer nofollow";
    a.target = "_blank";
    a.textContent = url.href;
    confirm.append(a);
    open.addEventListener("click", () => {
      confirm.hidden = false;
      open.setAttribute("aria-expanded", "true");
      a.focus();
    });
    actions.append(open);
    li.append(actions, confirm);
  } else {
    li.append(actions);
  }
  return li;
}

/** An http(s) URL in the text, or null: other schemes are never offered as links. */
function linkOf(text) {
  if (!text || !/^https?:\/\//i.test(text.trim())) return null;
  try {
    return new URL(text.trim());
  } catch (_) {
    return null;
  }
}

function firstImage(items) {
  for (const item of items || []) {
    if (item.kind === "file" && item.type.startsWith("image/")) return item.getAsFile();
  }
  return null;
}

function setupRead() {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => {
    const file = e.target.files[0];
    if (file) readImage(file, file.name);
    e.target.value = "";
  });
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = firstImage(e.dataTransfer.items) || e.dataTransfer.files[0];
    if (file) readImage(file, file.name || "the dropped image");
    else show($("read-error"), "That was not an image file.");
  });
  document.addEventListener("paste", (e) => {
    const file = firstImage(e.clipboardData && e.clipboardData.items);
    if (!file) return; // plain text paste into a text box: leave it alone
    e.preventDefault();
    readImage(file, "the pasted image");
    $("read").scrollIntoView({ block: "start" });
  });
  setupCamera();
}

/** Samples the camera until a frame has a code, then shows that frame with its codes. */
function setupCamera() {
  const start = $("camera-start");
  const stop = $("camera-stop");
  const video = $("video");
  let stream = null;
  let timer = null;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    start.disabled = true;
    start.title = "This browser offers no camera here (it needs https or localhost).";
    return;
  }

  function halt() {
    clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    start.hidden = false;
    stop.hidden = true;
  }

  async function sample() {
    if (!stream) return;
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (w && h) {
      const k = Math.min(1, CAMERA_MAX_SIDE / Math.max(w, h));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(w * k);
      canvas.height = Math.round(h * k);
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
      const result = blob && stream ? await decode(blob) : null;
      if (!stream) return;
      if (result && result.codes.length > 0) {
        halt();
        start.focus();
        const shot = $("shot");
        if (shot.dataset.url) URL.revokeObjectURL(shot.dataset.url);
        shot.dataset.url = URL.createObjectURL(blob);
        shot.src = shot.dataset.url;
        shot.hidden = false;
        await shot.decode().catch(() => {});
        drawCodes(result.codes, canvas.width, canvas.height);
        return;
      }
    }
    timer = setTimeout(sample, CAMERA_INTERVAL_MS);
  }

  start.addEventListener("click", async () => {
    show($("read-error"), "");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" }, audio: false,
      });
    } catch (e) {
      show($("read-error"), `The camera could not be opened (${e.name}: ${e.message}).`);
      return;
    }
    $("codes").replaceChildren();
    clearOverlay();
    $("stage").hidden = false;
    $("shot").hidden = true;
    video.hidden = false;
    video.srcObject = stream;
    await video.play().catch(() => {});
    start.hidden = true;
    stop.hidden = false;
    stop.focus();
    $("read-status").textContent = "Scanning: hold a QR code in front of the camera.";
    sample();
  });
  stop.addEventListener("click", () => {
    halt();
    $("read-status").textContent = "Camera stopped.";
    start.focus();
  });
}

// ---------------------------------------------------------------------------------------

setupRead();
loadOptions().then(setupMake, (e) => {
  $("options-loading").textContent = `The options could not be loaded: ${e.message}`;
  setupMake([]);
});
