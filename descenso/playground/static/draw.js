// Drawing: heat maps on canvas, the network's weights and the loss curve in SVG.
// Maps arrive as base64 bytes: 0 = the low end of their range, 255 = the high end.

const ORANGE = [232, 116, 59];
const WHITE = [247, 247, 247];
const BLUE = [43, 123, 186];
const SVG_NS = "http://www.w3.org/2000/svg";

export function decodeBytes(b64) {
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

// Diverging colour: 0 -> orange, 0.5 -> white, 1 -> blue.
export function colour(u) {
  const [a, b, s] = u < 0.5 ? [ORANGE, WHITE, u * 2] : [WHITE, BLUE, (u - 0.5) * 2];
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * s));
}

// Paint a size x size byte map into a canvas, smoothly upscaled. Rows run from the top
// of the plane (largest x2) down, as the server sends them.
export function paintMap(canvas, bytes, size, levels = 0) {
  const small = document.createElement("canvas");
  small.width = small.height = size;
  const ctx = small.getContext("2d");
  const image = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    let u = bytes[i] / 255;
    if (levels > 0) u = Math.min(levels - 1, Math.floor(u * levels)) / (levels - 1);
    const [r, g, b] = colour(u);
    image.data.set([r, g, b, 235], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  const out = canvas.getContext("2d");
  out.imageSmoothingEnabled = levels === 0;
  out.clearRect(0, 0, canvas.width, canvas.height);
  out.drawImage(small, 0, 0, canvas.width, canvas.height);
}

// Points over the heat map: filled circles for train data, outlined for test data.
export function paintPoints(canvas, data, showTest) {
  const ctx = canvas.getContext("2d");
  const [x1lo, x1hi, x2lo, x2hi] = data.bounds;
  const { x1, x2, y, test } = data.points;
  const [ylo, yhi] = data.target_range;
  for (let i = 0; i < x1.length; i++) {
    if (test[i] && !showTest) continue;
    const px = ((x1[i] - x1lo) / (x1hi - x1lo)) * canvas.width;
    const py = (1 - (x2[i] - x2lo) / (x2hi - x2lo)) * canvas.height;
    const [r, g, b] = colour(Math.max(0, Math.min(1, (y[i] - ylo) / (yhi - ylo || 1))));
    ctx.beginPath();
    ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = test[i] ? "rgba(255,255,255,0.9)" : `rgb(${r},${g},${b})`;
    ctx.strokeStyle = test[i] ? `rgb(${r},${g},${b})` : "rgba(40,40,40,0.75)";
    ctx.lineWidth = test[i] ? 1.8 : 0.8;
    ctx.fill();
    ctx.stroke();
  }
}

export function paintAxes(canvas, bounds, names) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "rgba(30,30,30,0.75)";
  ctx.font = "11px system-ui, sans-serif";
  const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
  ctx.fillText(`${names[0]} ${fmt(bounds[0])} … ${fmt(bounds[1])}`, 6, canvas.height - 6);
  ctx.save();
  ctx.translate(12, canvas.height - 24);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`${names[1]} ${fmt(bounds[2])} … ${fmt(bounds[3])}`, 0, 0);
  ctx.restore();
}

function svg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

// One line per weight, from the centre of each node to the centre of the next layer's nodes.
export function paintEdges(svgEl, container, columns, weights) {
  svgEl.replaceChildren();
  const box = container.getBoundingClientRect();
  svgEl.setAttribute("width", box.width);
  svgEl.setAttribute("height", box.height);
  // From the right side of a node's map to the left side of the next layer's map.
  const anchor = (el, side) => {
    const r = (el.querySelector("canvas") ?? el).getBoundingClientRect();
    return [r.left - box.left + (side > 0 ? r.width : 0), r.top - box.top + r.height / 2];
  };
  let largest = 1e-9;
  for (const layer of weights) for (const row of layer.w) for (const v of row) largest = Math.max(largest, Math.abs(v));
  weights.forEach((layer, l) => {
    const from = columns[l], to = columns[l + 1];
    if (!from || !to) return;
    layer.w.forEach((row, j) => row.forEach((v, i) => {
      if (!from[i] || !to[j]) return;
      const [x1, y1] = anchor(from[i], 1);
      const [x2, y2] = anchor(to[j], -1);
      const mid = (x1 + x2) / 2;
      svgEl.append(svg("path", {
        d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
        stroke: v >= 0 ? "rgb(43,123,186)" : "rgb(232,116,59)",
        "stroke-width": (0.4 + 5 * Math.abs(v) / largest).toFixed(2),
        "stroke-opacity": (0.25 + 0.7 * Math.abs(v) / largest).toFixed(2),
        fill: "none",
      }));
    }));
  });
}

// Train (solid) and test (dashed) loss against epoch, on a log scale when the range is wide.
export function paintCurve(svgEl, history, maxLabel, minLabel) {
  svgEl.replaceChildren();
  maxLabel.textContent = minLabel.textContent = "";
  const series = [history.train, history.test].map((s) => s.filter((v) => v !== null && v > 0));
  const all = series.flat();
  if (all.length < 2) return;
  const useLog = Math.max(...all) / Math.min(...all) > 20;
  const f = (v) => (useLog ? Math.log10(v) : v);
  const lo = Math.min(...all.map(f)), hi = Math.max(...all.map(f));
  const label = (v) => (useLog ? 10 ** v : v).toPrecision(3);
  maxLabel.textContent = label(hi);
  minLabel.textContent = `${label(lo)}${useLog ? " (log)" : ""}`;
  const n = history.train.length;
  [[history.train, "#333", ""], [history.test, "#2b7bba", "4 3"]].forEach(([values, stroke, dash]) => {
    const pts = values.map((v, i) => (v === null || v <= 0 ? null
      : `${((i / Math.max(1, n - 1)) * 316 + 2).toFixed(1)},${(86 - ((f(v) - lo) / (hi - lo || 1)) * 82).toFixed(1)}`))
      .filter((p) => p !== null);
    svgEl.append(svg("polyline", { points: pts.join(" "), fill: "none", stroke, "stroke-width": 1.6,
      "stroke-dasharray": dash, "vector-effect": "non-scaling-stroke" }));
  });
}
