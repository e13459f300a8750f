// The page: settings in, pictures out. All training happens in the server; this file
// sends the settings and controls over one WebSocket and draws what comes back.

import { decodeBytes, paintAxes, paintCurve, paintEdges, paintLandscape, paintMap, paintPoints } from "./draw.js";
import { setLanguage, t } from "./i18n.js";
import { ACTIVATIONS, DATASETS, FEATURE_LABELS, FEATURES, LEARNING_RATES, fromUrl, toUrl } from "./state.js";

const $ = (id) => document.getElementById(id);
const initial = fromUrl(location.hash);
const config = initial.config;
const view = initial.view;
let socket = null;
let data = null;      // the last "data" message: points, bounds, feature maps
let snapshot = null;  // the last "snapshot" message
let playing = false;
let upload = null;    // the last CSV upload answer
let status = null;    // [kind, () => text]: rebuilt when the language changes
let hovered = null;   // a neuron or feature whose map the big canvas shows while the mouse is on it
let presets = [];     // every topic preset: name, title, text, example, guide (from the server)
const linkedPreset = new URLSearchParams(location.search).get("preset");  // a link ?preset=NAME
// The server's session token, served inside the page; the API and the WebSocket require it.
const TOKEN = document.querySelector('meta[name="descenso-token"]').content;

// ------------------------------------------------------------------ messages
function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function sendConfig() {
  saveUrl();
  send({ type: "config", config });
}

function sendSettings(settings) {
  saveUrl();
  send({ type: "set", settings });
}

function saveUrl() {
  history.replaceState(null, "", toUrl(config, view));
}

function connect() {
  showStatus("info", () => t("connecting"));
  socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(TOKEN)}`);
  socket.onopen = () => {
    hideStatus();
    if (linkedPreset) send({ type: "preset", name: linkedPreset });
    else sendConfig();
  };
  socket.onclose = () => { setPlaying(false); showStatus("error", () => t("disconnected")); };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    handlers[message.type]?.(message);
  };
}

const handlers = {
  data(message) {
    data = message;
    Object.assign(config, message.config, { csv: config.csv });
    presets = message.presets;
    if (message.preset) {
      view.preset = message.preset;
      dropPresetFromLink();
    }
    fillLearningRates();
    fillPresets();
    snapshot = null;
    syncControls();
    buildNetwork();
    hideStatus();
    if (message.source) showStatus("info", () => t("showing_model", { name: message.source }));
  },
  snapshot(message) {
    snapshot = message;
    setPlaying(message.state === "playing");
    drawSnapshot();
  },
  status(message) {
    setPlaying(false);
    const reason = () => inLanguage(message.text, message.reason);
    if (message.kind === "divergence") {
      showStatus("error", () => `${t("diverged", { reason: reason() })} ${t("diverged_hint")}`);
    } else if (message.kind === "stop") {
      showStatus("stop", () => t("stopped", { reason: reason() }));
    } else {
      showStatus("info", reason);
    }
  },
  error(message) {
    showStatus("error", () => t("error", { message: inLanguage(message.text, message.message) }));
  },
  export(message) {
    const bytes = decodeBytes(message.data);
    const link = $("download");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    link.download = message.filename;
    link.textContent = message.filename;
    link.classList.remove("hidden");
    $("export-command").value = message.command;
    $("export-snippet").value = message.snippet;
    showStatus("info", () => t("exported", { name: message.filename }));
    link.click();
  },
};

// ------------------------------------------------------------------ topic presets
// The link ?preset=NAME starts that preset once; afterwards the address bar's hash holds the run
// (and the preset's name, for its text), so a reload keeps what the learner changed.
function dropPresetFromLink() {
  const query = new URLSearchParams(location.search);
  if (!query.has("preset")) return;
  query.delete("preset");
  const rest = query.toString();
  history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
}

function fillPresets() {
  const select = $("preset");
  const lang = view.lang;
  select.replaceChildren(new Option(t("no_preset"), ""),
    ...presets.map((p) => new Option(p.title[lang] ?? p.title.en, p.name)));
  select.value = presets.some((p) => p.name === view.preset) ? view.preset : "";
  showPreset();
}

function showPreset() {
  const preset = presets.find((p) => p.name === view.preset);
  $("preset-box").classList.toggle("hidden", !preset);
  if (!preset) return;
  const lang = view.lang;
  $("preset-title").textContent = preset.title[lang] ?? preset.title.en;
  $("preset-text").textContent = preset.text[lang] ?? preset.text.en;
  $("preset-example").textContent = preset.example;
  $("preset-guide").textContent = preset.guide[lang] ?? preset.guide.en;
  $("preset-link").href = `${location.pathname}?preset=${encodeURIComponent(preset.name)}`;
}

// The server sends the library's messages (stop reasons, errors) in both languages: {en, es}.
function inLanguage(text, fallback) {
  return text?.[view.lang] ?? text?.en ?? fallback;
}

// ------------------------------------------------------------------ status line
// text: a string, or a function that builds it in the current language.
function showStatus(kind, text) {
  status = [kind, typeof text === "function" ? text : () => text];
  const box = $("status");
  box.className = `status ${kind}`;
  box.textContent = status[1]();
}

function hideStatus() {
  status = null;
  $("status").className = "status hidden";
}

function setPlaying(value) {
  playing = value;
  $("play").classList.toggle("active", value);
}

// ------------------------------------------------------------------ controls
function syncControls() {
  $("task").value = config.task;
  $("noise").value = config.noise;
  $("noise-out").textContent = config.noise;
  $("points").value = config.points;
  $("points-out").textContent = config.points;
  $("test").value = config.test_ratio;
  $("test-out").textContent = `${Math.round(config.test_ratio * 100)}%`;
  $("dseed").textContent = config.data_seed;
  $("optimizer").value = config.optimizer;
  $("lr").value = String(config.lr);
  $("batch").value = config.batch_size;
  $("l1").value = config.l1;
  $("l2").value = config.l2;
  $("stop-target").value = config.stop.target_loss ?? "";
  $("stop-patience").value = config.stop.patience ?? "";
  $("stop-max").value = config.stop.max_epochs ?? "";
  $("show-test").checked = view.showTest;
  $("discretize").checked = view.discretize;
  const metric = config.task === "classification" ? "accuracy" : "r2";
  $("loss-name").textContent = t(config.task === "classification" ? "loss_bce" : "loss_mse");
  $("metric-name-train").textContent = t(`${metric}_train`);
  $("metric-name-test").textContent = t(`${metric}_test`);
  const sets = $("datasets");
  sets.replaceChildren(...DATASETS[config.task].map((name) => {
    const button = document.createElement("button");
    button.className = `text dataset${config.dataset === name ? " chosen" : ""}`;
    button.textContent = t(`ds_${name}`);
    button.dataset.name = name;
    button.onclick = () => { config.dataset = name; config.csv = null; $("upload-msg").textContent = ""; sendConfig(); };
    return button;
  }));
  saveUrl();
}

function fillLearningRates() {
  const select = $("lr");
  const rates = LEARNING_RATES.includes(config.lr) ? LEARNING_RATES : [...LEARNING_RATES, config.lr].sort((a, b) => a - b);
  select.replaceChildren(...rates.map((v) => new Option(String(v), String(v))));
  select.value = String(config.lr);
}

function optionalNumber(input) {
  return input.value === "" ? null : Number(input.value);
}

function wireControls() {
  $("play").onclick = () => send({ type: playing ? "pause" : "play" });
  $("step").onclick = () => send({ type: "step" });
  $("reset").onclick = () => { hideStatus(); send({ type: "reset" }); };
  $("reinit").onclick = () => { hideStatus(); send({ type: "reinit" }); };
  $("task").onchange = () => {
    config.task = $("task").value;
    config.dataset = DATASETS[config.task][0];
    config.csv = null;
    $("upload-msg").textContent = "";
    sendConfig();
  };
  for (const [id, key, out] of [["noise", "noise"], ["points", "points"], ["test", "test_ratio"]]) {
    $(id).oninput = () => { $(`${id}-out`).textContent = $(id).value; };
    $(id).onchange = () => { config[key] = Number($(id).value); sendConfig(); };
  }
  $("regen").onclick = () => { config.data_seed = (config.data_seed % 2147483646) + 1; sendConfig(); };
  $("optimizer").onchange = () => { config.optimizer = $("optimizer").value; sendConfig(); };
  $("lr").onchange = () => { config.lr = Number($("lr").value); sendSettings({ lr: config.lr }); };
  for (const [id, key] of [["batch", "batch_size"], ["l1", "l1"], ["l2", "l2"]]) {
    $(id).onchange = () => {
      const value = Number($(id).value);
      if (!Number.isFinite(value) || $(id).value === "") return;
      config[key] = value;
      sendSettings({ [key]: value });
    };
  }
  const stopChanged = () => {
    config.stop = { target_loss: optionalNumber($("stop-target")), patience: optionalNumber($("stop-patience")),
      max_epochs: optionalNumber($("stop-max")) };
    sendSettings({ stop: config.stop });
  };
  for (const id of ["stop-target", "stop-patience", "stop-max"]) $(id).onchange = stopChanged;
  $("show-test").onchange = () => { view.showTest = $("show-test").checked; saveUrl(); drawOutput(); };
  $("discretize").onchange = () => { view.discretize = $("discretize").checked; saveUrl(); drawOutput(); };
  $("add-layer").onclick = () => {
    if (config.layers.length >= 6) return;
    config.layers.push({ neurons: 2, activation: config.layers.at(-1)?.activation ?? "relu" });
    sendConfig();
  };
  $("remove-layer").onclick = () => { config.layers.pop(); sendConfig(); };
  $("lang-en").onclick = () => changeLanguage("en");
  $("lang-es").onclick = () => changeLanguage("es");
  $("export").onclick = () => send({ type: "export" });
  $("preset").onchange = () => {
    const name = $("preset").value;
    hideStatus();
    if (name) send({ type: "preset", name });
    else { view.preset = null; showPreset(); saveUrl(); }
  };
  $("csv-file").onchange = uploadCsv;
  $("csv-use").onclick = useCsv;
  $("model-file").onchange = openModel;
  window.onresize = () => drawSnapshot();
}

function changeLanguage(lang) {
  view.lang = setLanguage(lang);
  $("lang-en").classList.toggle("chosen", view.lang === "en");
  $("lang-es").classList.toggle("chosen", view.lang === "es");
  syncControls();
  buildNetwork();
  fillPresets();
  if (status) showStatus(status[0], status[1]);
}

// ------------------------------------------------------------------ uploads
const MAX_UPLOAD_BYTES = 2_000_000;  // the server's limit (protocol.MAX_UPLOAD_BYTES); it checks again

async function post(path, file) {
  if (file.size > MAX_UPLOAD_BYTES) throw new Error(t("too_large", { name: file.name, mb: MAX_UPLOAD_BYTES / 1e6 }));
  $("upload-msg").textContent = t("uploading");
  const response = await fetch(path, { method: "POST", body: file,
    headers: { "Content-Type": "application/octet-stream", "X-Filename": encodeURIComponent(file.name),
               "X-Descenso-Token": TOKEN } });
  const answer = await response.json();
  if (!response.ok) throw new Error(inLanguage(answer.text, answer.error));
  return answer;
}

async function uploadCsv() {
  const file = $("csv-file").files[0];
  if (!file) return;
  try {
    upload = await post("api/csv", file);
  } catch (error) {
    $("upload-msg").textContent = error.message;
    return;
  }
  $("upload-msg").textContent = t("csv_ready", { rows: upload.rows, cols: upload.columns.length });
  const numeric = upload.columns.filter((c) => c.numeric).map((c) => c.name);
  const fill = (id, names, chosen) => {
    $(id).replaceChildren(...names.map((n) => new Option(n, n)));
    $(id).value = chosen;
  };
  fill("csv-x1", numeric, numeric[0]);
  fill("csv-x2", numeric, numeric[1] ?? numeric[0]);
  const names = upload.columns.map((c) => c.name);
  fill("csv-target", names, names.at(-1));
  $("csv-columns").classList.remove("hidden");
}

function useCsv() {
  if (!upload) return;
  const target = upload.columns.find((c) => c.name === $("csv-target").value);
  config.task = target.distinct === 2 ? "classification" : "regression";
  config.dataset = "csv";
  config.csv = { token: upload.token, x1: $("csv-x1").value, x2: $("csv-x2").value, target: target.name };
  $("upload-msg").textContent = `${t("csv_in_use", { name: upload.name, rows: upload.rows })} ${t("csv_link_note")}`;
  sendConfig();
}

async function openModel() {
  const file = $("model-file").files[0];
  if (!file) return;
  try {
    const answer = await post("api/model", file);
    $("upload-msg").textContent = t("model_loaded", { name: answer.name, summary: answer.summary });
    send({ type: "load_model", token: answer.token });
  } catch (error) {
    $("upload-msg").textContent = error.message;
  }
}

// ------------------------------------------------------------------ the network
let nodeColumns = [];

function node(className, label) {
  const box = document.createElement("div");
  box.className = `node ${className}`;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 40;
  box.append(canvas);
  if (label) {
    const span = document.createElement("span");
    span.textContent = label;
    box.append(span);
  }
  return box;
}

// While the mouse is on a node, the big canvas shows that node's map, as large as the output.
function hoverable(box, which) {
  box.onmouseenter = () => { hovered = which; drawOutput(); };
  box.onmouseleave = () => { hovered = null; drawOutput(); };
}

function buildNetwork() {
  hovered = null;
  const columns = $("columns");
  columns.replaceChildren();
  nodeColumns = [];
  const inputs = document.createElement("div");
  inputs.className = "column inputs";
  const active = [];
  for (const name of FEATURES) {
    const box = node(config.features.includes(name) ? "feature on" : "feature off", FEATURE_LABELS[name]);
    box.dataset.feature = name;
    hoverable(box, { feature: name });
    box.title = name;
    box.onclick = () => {
      const chosen = new Set(config.features);
      if (chosen.has(name) && chosen.size === 1) return;
      chosen.has(name) ? chosen.delete(name) : chosen.add(name);
      config.features = FEATURES.filter((f) => chosen.has(f));
      sendConfig();
    };
    if (data?.feature_maps?.[name]) paintMap(box.querySelector("canvas"), decodeBytes(data.feature_maps[name]), data.map_size);
    if (config.features.includes(name)) active.push(box);
    inputs.append(box);
  }
  columns.append(inputs);
  nodeColumns.push(active);
  config.layers.forEach((layer, l) => {
    const column = document.createElement("div");
    column.className = "column hidden-layer";
    column.append(layerHeader(layer, l));
    const nodes = [];
    for (let j = 0; j < layer.neurons; j++) {
      const box = node("neuron");
      hoverable(box, { layer: l, neuron: j });
      nodes.push(box);
      column.append(box);
    }
    nodeColumns.push(nodes);
    columns.append(column);
  });
  const out = document.createElement("div");
  out.className = "column out";
  const outNode = node("neuron output-node", t("output"));
  out.append(outNode);
  columns.append(out);
  nodeColumns.push([outNode]);
  const n = config.layers.length;
  $("layer-count").textContent = `${n} ${t(n === 1 ? "hidden_layer" : "hidden_layers")}`;
  drawSnapshot();
}

function layerHeader(layer, l) {
  const head = document.createElement("div");
  head.className = "layer-head";
  const plus = document.createElement("button");
  plus.className = "round small";
  plus.textContent = "+";
  plus.onclick = () => { if (layer.neurons < 16) { layer.neurons += 1; sendConfig(); } };
  const minus = document.createElement("button");
  minus.className = "round small";
  minus.textContent = "−";
  minus.onclick = () => { if (layer.neurons > 1) { layer.neurons -= 1; sendConfig(); } };
  const count = document.createElement("div");
  count.className = "layer-count";
  count.textContent = `${layer.neurons} ${t("neurons")}`;
  const select = document.createElement("select");
  select.className = "activation";
  select.append(...ACTIVATIONS.map((a) => new Option(a, a)));
  select.value = layer.activation;
  select.onchange = () => { layer.activation = select.value; sendConfig(); };
  const buttons = document.createElement("div");
  buttons.append(plus, minus);
  head.append(buttons, count, select);
  return head;
}

// ------------------------------------------------------------------ drawing
function fmt(v, digits = 4) {
  return v === null || v === undefined ? "–" : Number(v).toFixed(digits);
}

function drawOutput() {
  if (!data || !snapshot) return;
  const canvas = $("heatmap");
  const levels = view.discretize ? (config.task === "classification" ? 2 : 8) : 0;
  const map = hovered?.feature ? data.feature_maps[hovered.feature]
    : hovered ? snapshot.neurons[hovered.layer]?.[hovered.neuron] : null;
  if (map) paintMap(canvas, decodeBytes(map), data.map_size);
  else paintMap(canvas, decodeBytes(snapshot.output), data.grid_size, levels);
  paintPoints(canvas, data, view.showTest);
  paintAxes(canvas, data.bounds, data.column_names);
}

function drawSnapshot() {
  if (!data || !snapshot) return;
  $("epoch").textContent = String(snapshot.epoch).padStart(3, "0");
  $("train-loss").textContent = fmt(snapshot.train_loss);
  $("test-loss").textContent = fmt(snapshot.test_loss);
  $("train-metric").textContent = fmt(snapshot.train_metric, 3);
  $("test-metric").textContent = fmt(snapshot.test_metric, 3);
  drawOutput();
  paintCurve($("curve"), snapshot.history, $("curve-max"), $("curve-min"));
  snapshot.neurons.forEach((layer, l) => layer.forEach((b64, j) => {
    const box = nodeColumns[l + 1]?.[j];
    if (box) paintMap(box.querySelector("canvas"), decodeBytes(b64), data.map_size);
  }));
  const outNode = nodeColumns.at(-1)[0];
  paintMap(outNode.querySelector("canvas"), decodeBytes(snapshot.output), data.grid_size);
  paintEdges($("edges"), $("net"), nodeColumns, snapshot.weights);
  drawInspector();
  drawLandscape();
}

function drawLandscape() {
  $("landscape-box").classList.toggle("hidden", !data?.landscape);
  if (!data?.landscape || !snapshot) return;
  const feature = FEATURE_LABELS[config.features[0]] ?? config.features[0];
  paintLandscape($("landscape"), data.landscape, snapshot.path,
    { w: t("w_axis", { feature }), b: t("b_axis"), minimum: t("minimum") });
}

function drawInspector() {
  const body = $("inspector").querySelector("tbody");
  body.replaceChildren(...snapshot.inspector.map((p) => {
    const row = document.createElement("tr");
    const pairs = p.grad_sample.map((g, i) => `${g.toExponential(1)} → ${p.update_sample[i].toExponential(1)}`);
    for (const cell of [p.name, `(${p.shape.join(", ")})`, p.grad_mean_abs.toExponential(2),
      p.grad_max_abs.toExponential(2), p.update_norm.toExponential(2), p.relative_update.toExponential(2),
      pairs.join("  ")]) {
      const td = document.createElement("td");
      td.textContent = cell;
      row.append(td);
    }
    return row;
  }));
}

// ------------------------------------------------------------------ start
fillLearningRates();
wireControls();
changeLanguage(view.lang);
connect();
