// QR Workshop's page: make a QR code with a live preview, read codes from files, the
// clipboard and the camera. Plain JavaScript, no dependencies, no inline code (the page's CSP
// allows scripts from this origin only). Every request goes to this origin's API.

const $ = (id) => document.getElementById(id);

/** Formats an <img> can show; others (text, pdf, eps) are previewed as PNG and downloaded. */
const PREVIEWABLE = ["png", "svg"];
/** File name extension of each output format. */
const EXTENSION = { png: "png", svg: "svg", text: "txt", pdf: "pdf", eps: "eps" };

/** How the symbologies (`symbology` in /generate and /decode) read on the page. */
const SYMBOLOGY = { qr: "QR", micro_qr: "Micro QR", rmqr: "rMQR" };

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

/** Makes `zone` take dropped files: highlighted while dragged over, `onDrop(dataTransfer)`. */
function acceptDrops(zone, onDrop) {
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    onDrop(e.dataTransfer);
  });
}

function show(el, text) {
  el.textContent = text || "";
  el.hidden = !text;
}

// ---------------------------------------------------------------------------------------
// Make

/** Logo files the API takes; SVG only with `format=svg` (the API says so if not). */
const LOGO_TYPES = "image/png,image/jpeg,image/svg+xml";
/** A POST download's object URL is revoked this long after its click started the download. */
const DOWNLOAD_URL_LIFETIME_MS = 10000;

/** The schema a `#/…` JSON pointer names in `doc`. */
function pointer(doc, ref) {
  return ref.replace(/^#\//, "").split("/").reduce((o, k) => (o ? o[k] : undefined), doc);
}

/**
 * What the form is built from, all read from /openapi.json so a new option or payload field
 * appears on the page as soon as the document describes it: the GET /generate query
 * parameters (`data` has its own text box; aliases, x-alias-of, are other names for an
 * option and are left out), the payload builders (GenerateRequest properties whose
 * `x-fields` names the schema of their fields) and the logo.
 */
async function loadForm() {
  const response = await fetch("/openapi.json");
  if (!response.ok) throw new Error(await problemText(response));
  const doc = await response.json();
  const op = doc.paths["/generate"].get;
  const body = doc.components.schemas.GenerateRequest.properties;
  return {
    params: op.parameters.filter((p) => p.in === "query" && p.name !== "data" && !p["x-alias-of"]
      && !(p.schema && p.schema["x-ui-skip"])),
    kinds: Object.entries(body).filter(([, p]) => p["x-fields"])
      .map(([kind, p]) => ({ kind, schema: pointer(doc, p["x-fields"]) })),
    logo: body.logo,
  };
}

/**
 * One labelled field for a schema: a select for an enum, a checkbox for a boolean, a text
 * area for a list (one item a line) or `x-ui-widget: textarea`, a number field for a number
 * or integer with its range, a colour picker for `x-ui-widget: color`, else a text box.
 */
function buildField(id, s, description, required) {
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = (s.title || id) + (required ? " (required)" : "");
  const types = [].concat(s.type);
  let input;
  if (Array.isArray(s.enum)) {
    input = document.createElement("select");
    if (s.default === undefined && !required) input.append(new Option("(default)", ""));
    for (const value of s.enum) input.append(new Option(String(value), String(value)));
  } else if (types.includes("array") || s["x-ui-widget"] === "textarea") {
    input = document.createElement("textarea");
    input.rows = 2;
    if (types.includes("array")) input.dataset.list = "1";
  } else {
    input = document.createElement("input");
    if (types.includes("boolean")) {
      input.type = "checkbox";
      wrap.classList.add("check");
    } else if (types.includes("integer") || types.includes("number")) {
      input.type = "number";
      input.inputMode = types.includes("integer") ? "numeric" : "decimal";
      if (s.minimum !== undefined) input.min = s.minimum;
      if (s.maximum !== undefined) input.max = s.maximum;
      input.step = types.includes("integer") ? 1 : "any";
    } else if (s["x-ui-widget"] === "color") {
      input.type = "color";
    } else {
      input.type = s["x-ui-widget"] === "tel" ? "tel" : s.format === "uri" ? "url" : "text";
      if (s.examples) input.placeholder = String(s.examples[0]);
    }
  }
  input.id = id;
  if (input.type === "checkbox") input.checked = s.default === true;
  else if (s.default !== undefined) input.value = String(s.default);
  input.dataset.default = input.value;
  if (required) input.required = true;
  wrap.append(label, input);
  if (description) {
    const hint = document.createElement("small");
    hint.id = `${id}-hint`;
    hint.className = "hint";
    hint.textContent = description.replace(/`/g, "");
    input.setAttribute("aria-describedby", hint.id);
    wrap.append(hint);
  }
  return wrap;
}

/** The logo picker: a file input that also takes a file dropped on it, and a remove button. */
function buildLogoField(schema) {
  const wrap = buildField("logo", { title: (schema && schema.title) || "Logo" },
    "PNG or JPEG (SVG with the svg format), at most 128 KiB: choose or drop a file.");
  const input = wrap.querySelector("input");
  input.type = "file";
  input.accept = LOGO_TYPES;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.id = "logo-remove";
  remove.textContent = "Remove logo";
  remove.hidden = true;
  wrap.append(remove);
  acceptDrops(wrap, (data) => {
    if (!data.files.length) return;
    input.files = data.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  input.addEventListener("change", () => { remove.hidden = !input.files.length; });
  remove.addEventListener("click", () => {
    input.value = "";
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  });
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

/** The chosen builder's fields as the API takes them: lists split by line, blanks left out. */
function payloadFields() {
  const fields = {};
  for (const el of $("payload").querySelectorAll("[data-field]")) {
    const name = el.dataset.field;
    if (el.type === "checkbox") {
      if (el.checked) fields[name] = true;
    } else if (el.dataset.list) {
      const items = el.value.split("\n").map((v) => v.trim()).filter(Boolean);
      if (items.length) fields[name] = items;
    } else if (el.value !== "") {
      fields[name] = el.value;
    }
  }
  return fields;
}

/** Single quotes for a POSIX shell. */
const shell = (text) => `'${String(text).replace(/'/g, "'\\''")}'`;

/** The same request as a curl command line, for the copy box of a POST. */
function curlOf(body) {
  const url = new URL("/generate", location.href).href;
  if (!(body instanceof FormData)) {
    return `curl -H 'content-type: application/json' -d ${shell(body)} ${url} -o qr-code`;
  }
  const parts = [...body].map(([k, v]) => (v instanceof File
    ? `-F ${shell(`${k}=@${v.name}`)}` : `--form-string ${shell(`${k}=${v}`)}`));
  return `curl ${parts.join(" ")} ${url} -o qr-code`;
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

function setupMake({ params, kinds, logo }) {
  const form = $("make-form");
  const fieldset = $("options");
  if (params.length) $("options-loading").remove();
  for (const p of params) {
    const field = buildField(`opt-${p.name}`, p.schema || {}, p.description);
    const input = field.querySelector("input, select, textarea");
    input.name = p.name;
    if (p.name === "logo_size") fieldset.append(buildLogoField(logo));
    fieldset.append(field);
  }
  if (!$("logo")) fieldset.append(buildLogoField(logo));

  const kindSelect = $("kind");
  for (const { kind, schema } of kinds) kindSelect.append(new Option(schema.title || kind, kind));
  const chosen = () => kinds.find((k) => k.kind === kindSelect.value);

  /** Shows the text box, or the chosen builder's fields built from its schema. */
  function showKind() {
    const k = chosen();
    $("text-block").hidden = !!k;
    $("data").disabled = !!k;
    const box = $("payload");
    box.hidden = !k;
    box.replaceChildren(box.firstElementChild);
    if (!k) return;
    $("payload-title").textContent = k.schema.title || k.kind;
    const required = new Set(k.schema.required || []);
    if (k.schema.description) {
      const note = document.createElement("p");
      note.className = "hint";
      note.textContent = k.schema.description.replace(/`/g, "");
      box.append(note);
    }
    for (const [name, s] of Object.entries(k.schema.properties || {})) {
      const field = buildField(`${k.kind}-${name}`, s, s.description, required.has(name));
      field.querySelector("input, select, textarea").dataset.field = name;
      box.append(field);
    }
  }

  /** The request for the current form: GET with a query for plain text; a POST with JSON
   * for a builder (a Wi-Fi password stays out of URLs and logs), multipart with a logo. */
  function request(overrides = {}) {
    const k = chosen();
    const logoFile = $("logo").files[0];
    const query = currentQuery(form, overrides);
    if (!k && !logoFile) return { url: `/generate?${query}`, get: true };
    const fields = k ? payloadFields() : {};
    let body;
    if (logoFile) {
      body = new FormData();
      for (const [name, value] of query) body.append(name, value);
      for (const [name, value] of Object.entries(fields)) {
        for (const v of [].concat(value)) body.append(`${k.kind}.${name}`, String(v));
      }
      body.append("logo", logoFile, logoFile.name);
    } else {
      body = JSON.stringify({ ...Object.fromEntries(query), [k.kind]: fields });
    }
    const headers = typeof body === "string" ? { "content-type": "application/json" } : {};
    return { url: "/generate", init: { method: "POST", headers, body }, fields };
  }

  /** What is still missing before a request makes sense, in words; "" when nothing. */
  function missing(req) {
    const k = chosen();
    if (!k) return $("data").value ? "" : "Type some text or a link to encode.";
    const absent = (k.schema.required || []).filter((n) => !(n in req.fields))
      .map((n) => (k.schema.properties[n] || {}).title || n);
    return absent.length ? `Fill in: ${absent.join(", ")}.` : "";
  }

  function format() {
    return (form.elements.format && form.elements.format.value) || "png";
  }

  const preview = $("preview");
  let previewUrl = null;
  let timer = null;
  let generation = 0;

  async function refresh() {
    const req = request();
    const fmt = format();
    const other = $("download-other");
    other.hidden = PREVIEWABLE.includes(fmt);
    other.textContent = `Download ${fmt.toUpperCase()}`;
    // Structured append answers a ZIP of the symbols (a PDF of pages for pdf).
    const sequence = !!(form.elements.append && form.elements.append.value.trim());
    const name = (f) => (!sequence ? `qr-code.${EXTENSION[f] || f}`
      : f === "pdf" ? "qr-codes.pdf" : `qr-codes-${f}.zip`);
    $("download-png").download = name("png");
    $("download-svg").download = name("svg");
    other.download = name(fmt);
    if (req.get) {
      $("link-label").textContent = "Link to this image (GET /generate)";
      $("copy-link").textContent = "Copy link";
      $("link").value = new URL(req.url, location.href).href;
      $("download-png").href = request({ format: "png" }).url;
      $("download-svg").href = request({ format: "svg" }).url;
      other.href = req.url;
    } else {
      $("link-label").textContent = "The same request with curl (POST /generate)";
      $("copy-link").textContent = "Copy command";
      $("link").value = curlOf(req.init.body);
      for (const id of ["download-png", "download-svg", "download-other"]) $(id).href = "#make";
    }
    $("copy-status").textContent = "";
    const lacking = missing(req);
    if (lacking) {
      show($("make-error"), lacking);
      $("make-status").textContent = "";
      preview.hidden = true;
      return;
    }
    const shown = PREVIEWABLE.includes(fmt) ? req : request({ format: "png" });
    const mine = ++generation;
    let response;
    try {
      response = await fetch(shown.url, shown.init);
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
    const symbols = response.headers.get("x-qr-symbols");
    if (symbols) {
      // A ZIP of several symbols: nothing an <img> can show; say what the downloads hold.
      preview.hidden = true;
      show($("make-error"), "");
      $("make-status").textContent = `A structured-append sequence of ${symbols} symbol${symbols === "1" ? "" : "s"}, versions up to ${response.headers.get("x-qr-version")}: download them as a ZIP (or one PDF).`;
      return;
    }
    const blob = await response.blob();
    if (mine !== generation) return;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(blob);
    preview.src = previewUrl;
    const k = chosen();
    const what = k ? `${k.schema.title}: ${Object.values(req.fields)[0]}` : $("data").value;
    preview.alt = `QR code for ${what.length > 80 ? `${what.slice(0, 80)}…` : what}`;
    preview.hidden = false;
    show($("make-error"), "");
    const version = response.headers.get("x-qr-version") || "?";
    const logoNote = req.get ? "" : req.init.body instanceof FormData ? " With the logo." : "";
    $("make-status").textContent = statusNote(k, version) + logoNote;
  }

  /** "Version 4, level H." and, for plain text in a QR code, how much more fits. */
  function statusNote(k, version) {
    const eccField = form.elements.ecc;
    const chosenEcc = eccField && eccField.value !== eccField.dataset.default ? eccField.value : null;
    const symbology = form.elements.symbology;
    if (symbology && symbology.value !== symbology.dataset.default) {
      // Micro QR and rMQR pick their own default level; the capacity table is QR's.
      return `${SYMBOLOGY[symbology.value] || symbology.value} version ${version}${chosenEcc ? `, level ${chosenEcc}` : ""}.`;
    }
    const ecc = chosenEcc || (k && k.schema["x-default-ecc"]) || (eccField && eccField.value) || "H";
    return k ? `Version ${version}, level ${ecc}.` : capacityNote($("data").value, ecc, version);
  }

  /** A download of a POST answer: fetched on click, saved through an object URL. */
  async function downloadPost(link, fmt) {
    const req = request({ format: fmt });
    const lacking = missing(req);
    if (lacking) return show($("make-error"), lacking);
    let response;
    try {
      response = await fetch(req.url, req.init);
    } catch (e) {
      return show($("make-error"), `The service could not be reached (${e.message}).`);
    }
    if (!response.ok) return show($("make-error"), await problemText(response));
    const url = URL.createObjectURL(await response.blob());
    const save = document.createElement("a");
    save.href = url;
    save.download = link.download;
    save.click();
    // The click has started the download; the URL only needs to outlive that start.
    setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_LIFETIME_MS);
  }
  for (const [id, fmt] of [["download-png", "png"], ["download-svg", "svg"], ["download-other", null]]) {
    const link = $(id);
    link.addEventListener("click", (e) => {
      if (request().get) return; // a plain GET link downloads by itself
      e.preventDefault();
      downloadPost(link, fmt || format());
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DEBOUNCE_MS);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (e) => { e.preventDefault(); refresh(); });
  kindSelect.addEventListener("change", showKind);

  $("copy-link").addEventListener("click", async () => {
    const link = $("link");
    try {
      await navigator.clipboard.writeText(link.value);
      $("copy-status").textContent = request().get ? "Link copied." : "Command copied.";
    } catch (_) {
      // Without clipboard permission: select it so Ctrl+C copies it.
      link.focus();
      link.select();
      $("copy-status").textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
  showKind();
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
  // symbology and version_name come with Micro QR and rMQR support; older answers lack them.
  const symbology = code.symbology ? `${SYMBOLOGY[code.symbology] || code.symbology} · ` : "";
  const level = code.ecc ? `Level ${code.ecc}` : "Error detection only";
  meta.textContent = `${symbology}${level} · version ${code.version_name ?? code.version}${code.inverted ? " · inverted" : ""}${code.mirrored ? " · mirrored" : ""} · corners ${corners}`;
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
  acceptDrops(drop, (data) => {
    const file = firstImage(data.items) || data.files[0];
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
loadForm().then(setupMake, (e) => {
  $("options-loading").textContent = `The options could not be loaded: ${e.message}`;
  setupMake({ params: [], kinds: [], logo: null });
});
