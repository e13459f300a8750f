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

// The exact loss surface of a two-parameter model: contour lines over (w, b), the exact minimum,
// and the path the steps took (orange, the current point filled). labels: {w, b, minimum, start}.
export function paintLandscape(svgEl, scape, path, labels) {
  svgEl.replaceChildren();
  const W = 360, H = 300, left = 60, right = 10, top = 10, bottom = 38;
  const [w0, w1] = [scape.w[0], scape.w.at(-1)], [b0, b1] = [scape.b[0], scape.b.at(-1)];
  const x = (w) => left + ((w - w0) / (w1 - w0)) * (W - left - right);
  const y = (b) => H - bottom - ((b - b0) / (b1 - b0)) * (H - top - bottom);
  const clip = svg("clipPath", { id: "landscape-clip" });
  clip.append(svg("rect", { x: left, y: top, width: W - left - right, height: H - top - bottom }));
  svgEl.append(clip);
  const plot = svg("g", { "clip-path": "url(#landscape-clip)" });
  svgEl.append(plot);
  const levels = [...new Set(scape.contours.map((c) => c.level))];
  for (const line of scape.contours) {
    const shade = levels.indexOf(line.level) / Math.max(1, levels.length - 1);  // 0 near the minimum
    plot.append(svg("polyline", {
      points: line.points.map(([w, b]) => `${x(w).toFixed(1)},${y(b).toFixed(1)}`).join(" "),
      fill: "none", stroke: `rgb(${Math.round(20 + 150 * shade)},${Math.round(60 + 120 * shade)},${Math.round(130 + 90 * shade)})`,
      "stroke-width": 1.1, class: "contour",
    }));
  }
  if (path && path.length) {
    plot.append(svg("polyline", {
      points: path.map(([w, b]) => `${x(w).toFixed(1)},${y(b).toFixed(1)}`).join(" "),
      fill: "none", stroke: "#D55E00", "stroke-width": 2, class: "descent-path",
    }));
    const [w, b] = path.at(-1);
    plot.append(svg("circle", { cx: x(w), cy: y(b), r: 4.5, fill: "#D55E00", stroke: "#fff", "stroke-width": 1.2,
      class: "current-point" }));
    const [sw, sb] = path[0];
    plot.append(svg("circle", { cx: x(sw), cy: y(sb), r: 3.5, fill: "#fff", stroke: "#D55E00", "stroke-width": 1.5 }));
  }
  if (scape.minimum) {
    const [mw, mb] = scape.minimum;
    const mark = svg("g", { class: "minimum" });
    mark.append(svg("path", { d: `M${x(mw) - 6},${y(mb) - 6}L${x(mw) + 6},${y(mb) + 6}M${x(mw) - 6},${y(mb) + 6}L${x(mw) + 6},${y(mb) - 6}`,
      stroke: "#000", "stroke-width": 2.4 }));
    const text = svg("text", { x: x(mw) + 8, y: y(mb) - 8, "font-size": 12, fill: "#000" });
    text.textContent = labels.minimum;
    mark.append(text);
    plot.append(mark);
  }
  svgEl.append(svg("rect", { x: left, y: top, width: W - left - right, height: H - top - bottom, fill: "none",
    stroke: "#98a2b3" }));
  const tick = (v) => Number(v.toPrecision(3)).toString();
  for (const f of [0, 0.5, 1]) {
    const wv = w0 + f * (w1 - w0), bv = b0 + f * (b1 - b0);
    const anchor = f === 0 ? "start" : f === 1 ? "end" : "middle";
    const tx = svg("text", { x: x(wv), y: H - bottom + 14, "font-size": 11, "text-anchor": anchor, fill: "#475467" });
    tx.textContent = tick(wv);
    const ty = svg("text", { x: left - 5, y: y(bv) + 4, "font-size": 11, "text-anchor": "end", fill: "#475467" });
    ty.textContent = tick(bv);
    svgEl.append(tx, ty);
  }
  const wl = svg("text", { x: left + (W - left - right) / 2, y: H - 6, "font-size": 12, "text-anchor": "middle", fill: "#1f2328" });
  wl.textContent = labels.w;
  const bl = svg("text", { x: 12, y: top + (H - top - bottom) / 2, "font-size": 12, "text-anchor": "middle", fill: "#1f2328",
    transform: `rotate(-90 12 ${top + (H - top - bottom) / 2})` });
  bl.textContent = labels.b;
  svgEl.append(wl, bl);
}
