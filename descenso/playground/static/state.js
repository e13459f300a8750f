// The run's settings and their home in the address bar: a link reproduces the run.

export const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)", "r", "theta"];
export const FEATURE_LABELS = {
  "x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
  "sin(x1)": "sin x₁", "sin(x2)": "sin x₂", "r": "r", "theta": "θ",
};
export const DATASETS = {
  classification: ["circles", "xor", "moons", "blobs", "spirals"],
  regression: ["plane", "sine", "ring"],
};
export const ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "identity"];
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 100, 1000];

export function defaults() {
  return {
    task: "classification", dataset: "circles", csv: null, noise: 0.1, points: 400, test_ratio: 0.5,
    data_seed: 1, features: ["x1", "x2"],
    layers: [{ neurons: 4, activation: "relu" }, { neurons: 2, activation: "relu" }],
    optimizer: "adam", lr: 0.03, batch_size: 16, l1: 0, l2: 0, init_seed: 1,
    stop: { target_loss: null, patience: null, max_epochs: null },
  };
}

const num = (text, fallback) => {
  const v = Number(text);
  return text !== null && text !== "" && Number.isFinite(v) ? v : fallback;
};

// Read the hash; anything missing or malformed keeps its default (the server checks ranges).
export function fromUrl(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const c = defaults();
  const view = { lang: p.get("lang") || "en", showTest: p.get("showtest") === "1", discretize: p.get("disc") === "1",
    preset: p.get("preset") || null };
  if (p.get("task") === "regression" || p.get("task") === "classification") c.task = p.get("task");
  c.dataset = DATASETS[c.task].includes(p.get("data")) ? p.get("data") : DATASETS[c.task][0];
  c.noise = num(p.get("noise"), c.noise);
  c.points = num(p.get("n"), c.points);
  c.test_ratio = num(p.get("test"), c.test_ratio);
  c.data_seed = num(p.get("dseed"), c.data_seed);
  if (p.get("feat")) {
    const chosen = p.get("feat").split(",").filter((f) => FEATURES.includes(f));
    if (chosen.length) c.features = FEATURES.filter((f) => chosen.includes(f));
  }
  if (p.has("net")) {
    c.layers = p.get("net") === "" ? [] : p.get("net").split(",").map((part) => {
      const [n, act] = part.split(":");
      return { neurons: num(n, 4), activation: ACTIVATIONS.includes(act) ? act : "relu" };
    });
  }
  if (["sgd", "momentum", "adam", "rmsprop"].includes(p.get("opt"))) c.optimizer = p.get("opt");
  c.lr = num(p.get("lr"), c.lr);
  c.batch_size = num(p.get("bs"), c.batch_size);
  c.l1 = num(p.get("l1"), c.l1);
  c.l2 = num(p.get("l2"), c.l2);
  c.init_seed = num(p.get("iseed"), c.init_seed);
  c.stop = { target_loss: num(p.get("target"), null), patience: num(p.get("patience"), null),
    max_epochs: num(p.get("maxep"), null) };
  return { config: c, view };
}

export function toUrl(c, view) {
  const p = new URLSearchParams();
  p.set("task", c.task);
  p.set("data", c.dataset === "csv" ? "csv" : c.dataset);
  p.set("noise", c.noise);
  p.set("n", c.points);
  p.set("test", c.test_ratio);
  p.set("dseed", c.data_seed);
  p.set("feat", c.features.join(","));
  p.set("net", c.layers.map((l) => `${l.neurons}:${l.activation}`).join(","));
  p.set("opt", c.optimizer);
  p.set("lr", c.lr);
  p.set("bs", c.batch_size);
  p.set("l1", c.l1);
  p.set("l2", c.l2);
  p.set("iseed", c.init_seed);
  if (c.stop.target_loss !== null) p.set("target", c.stop.target_loss);
  if (c.stop.patience !== null) p.set("patience", c.stop.patience);
  if (c.stop.max_epochs !== null) p.set("maxep", c.stop.max_epochs);
  p.set("lang", view.lang);
  if (view.showTest) p.set("showtest", "1");
  if (view.discretize) p.set("disc", "1");
  if (view.preset) p.set("preset", view.preset);
  return "#" + p.toString();
}
