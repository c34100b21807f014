// Renders /openapi.json (OpenAPI 3.1) for people: every operation with its parameters,
// request bodies and responses, then the schemas and the problem types. No dependencies.

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

/** Inline `code` spans in descriptions become <code>; everything else stays text. */
function prose(text, tag = "p") {
  const node = el(tag);
  String(text || "").split(/`([^`]*)`/).forEach((part, i) => {
    node.append(i % 2 ? el("code", {}, part) : part);
  });
  return node;
}

function resolve(doc, obj) {
  let seen = 0;
  while (obj && obj.$ref && seen++ < 8) {
    obj = obj.$ref.replace(/^#\//, "").split("/").reduce((o, k) => (o ? o[k] : undefined), doc);
  }
  return obj || {};
}

/** A one-line summary of a schema: type, enum, range, pattern, default. */
function typeOf(doc, schema) {
  if (schema.$ref) return schema.$ref.split("/").pop();
  const s = schema;
  const parts = [];
  const type = Array.isArray(s.type) ? s.type.join(" | ") : s.type;
  if (s.const !== undefined) parts.push(JSON.stringify(s.const));
  else if (type === "array" && s.items) parts.push(`array of ${typeOf(doc, s.items)}`);
  else if (type) parts.push(type);
  if (s.format) parts.push(`(${s.format})`);
  if (s.enum) parts.push(`one of ${s.enum.join(", ")}`);
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? "…"} to ${s.maximum ?? "…"}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) parts.push(`length ${s.minLength ?? 0} to ${s.maxLength ?? "…"}`);
  if (s.pattern && !type?.includes("integer")) parts.push(`matching ${s.pattern}`);
  if (s.default !== undefined) parts.push(`default ${s.default}`);
  return parts.join(", ") || "any";
}

function table(head, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))));
}

function schemaTable(doc, schema) {
  const s = resolve(doc, schema);
  if (!s.properties) return el("p", {}, el("code", {}, typeOf(doc, s)));
  const required = new Set(s.required || []);
  return table(["field", "type", "meaning"], Object.entries(s.properties).map(([name, p]) => [
    el("code", {}, name + (required.has(name) ? "" : "?")),
    typeOf(doc, p),
    prose(p.description || p.title || "", "span"),
  ]));
}

function operation(doc, path, method, op) {
  const id = op.operationId || `${method}-${path}`;
  const section = el("section", { class: "doc-op", id, "aria-labelledby": `${id}-h` },
    el("h3", { id: `${id}-h` }, el("span", { class: "method" }, method.toUpperCase()), " ",
      el("span", { class: "doc-path" }, path), " ", op.summary || ""));
  if (op.description) section.append(prose(op.description));
  if (op.parameters?.length) {
    section.append(el("h4", {}, "Parameters"), table(["name", "in", "type", "meaning"], op.parameters.map((p0) => {
      const p = resolve(doc, p0);
      return [el("code", {}, p.name + (p.required ? "" : "?")), p.in, typeOf(doc, p.schema || {}), prose(p.description || "", "span")];
    })));
  }
  if (op.requestBody) {
    section.append(el("h4", {}, "Request body"));
    for (const [type, media] of Object.entries(resolve(doc, op.requestBody).content || {})) {
      section.append(el("p", {}, el("code", {}, type)), schemaTable(doc, media.schema || {}));
    }
  }
  section.append(el("h4", {}, "Responses"), table(["status", "content", "meaning"],
    Object.entries(op.responses || {}).map(([status, r0]) => {
      const r = resolve(doc, r0);
      const types = Object.entries(r.content || {}).map(([t, m]) => {
        const ref = m.schema?.$ref ? ` (${m.schema.$ref.split("/").pop()})` : "";
        return t + ref;
      }).join(", ");
      return [el("code", {}, status), types || "-", prose(r.description || "", "span")];
    })));
  return section;
}

function render(doc) {
  const root = document.getElementById("doc");
  root.replaceChildren(el("h1", {}, `${doc.info.title} HTTP API`), prose(doc.info.summary || ""),
    prose(doc.info.description || ""),
    el("p", {}, "Version ", doc.info.version, ". This page shows ", el("a", { href: "/openapi.json" }, "/openapi.json"),
      ", an OpenAPI ", doc.openapi, " document you can feed to any client generator."));
  const toc = el("ul", { class: "toc" });
  root.append(el("nav", { "aria-label": "Operations" }, el("h2", {}, "Operations"), toc));
  const ops = el("div");
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "delete", "patch", "head"].includes(method)) continue;
      const id = op.operationId || `${method}-${path}`;
      toc.append(el("li", {}, el("a", { href: `#${id}` }, `${method.toUpperCase()} ${path}`)));
      ops.append(operation(doc, path, method, op));
    }
  }
  root.append(el("h2", {}, "Operations in detail"), ops);
  const schemas = doc.components?.schemas || {};
  root.append(el("h2", { id: "schemas" }, "Schemas"));
  for (const [name, s] of Object.entries(schemas)) {
    root.append(el("h3", { id: `schema-${name}` }, name));
    if (s.description) root.append(prose(s.description));
    root.append(schemaTable(doc, s));
  }
  const types = schemas.Problem?.properties?.type?.anyOf || [];
  root.append(el("h2", { id: "problems" }, "Problem types"),
    prose("Every error is `application/problem+json`; its `type` is one of these URLs."),
    table(["status and kind", "type", "when"], types.map((t) => [t.title, el("code", {}, t.const), prose(t.description, "span")])));
  root.setAttribute("aria-busy", "false");
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

fetch("/openapi.json")
  .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
  .then(render)
  .catch((e) => {
    document.getElementById("doc-status").textContent = `The API document could not be loaded: ${e.message}`;
  });
