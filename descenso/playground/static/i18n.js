// Interface text in English and Spanish. Elements carry data-i18n="key" (text) or
// data-i18n-title="key" (tooltip); messages built in code call t(key, values).

const TEXT = {
  en: {
    playground: "playground",
    reset_title: "Reset: the same initial weights, epoch 0",
    play_title: "Play / pause",
    step_title: "One step: one mini-batch update",
    reinit: "New weights", reinit_title: "Draw new initial weights (a new init seed)",
    epoch: "Epoch", optimizer: "Optimizer", lr: "Learning rate", batch: "Batch size",
    data: "Data", task: "Task", classification: "Classification", regression: "Regression",
    noise: "Noise", points: "Points", test_ratio: "Test share", data_seed: "Data seed",
    regenerate: "New data", own_data: "Your own data", upload_csv: "Upload a CSV (two feature columns and a target)",
    target: "Target", use_csv: "Train on this file", open_model: "Open a saved model (2 features)",
    features: "Features", hidden_layers: "hidden layers", hidden_layer: "hidden layer",
    neurons: "neurons", output: "Output",
    net_note: "Lines: weights (blue positive, orange negative, thicker = larger). Squares: each neuron's output over the input plane.",
    train_loss: "Train loss", test_loss: "Test loss",
    accuracy_train: "Train accuracy", accuracy_test: "Test accuracy", r2_train: "Train R²", r2_test: "Test R²",
    show_test: "Show test data", discretize: "Discretize output",
    stop_rules: "Stop rules", target_loss: "Target loss (train)", patience: "Early stopping patience (test loss)",
    max_epochs: "Max epochs",
    inspector: "Step inspector",
    inspector_note: "The last step: each parameter's gradient and the update the optimizer applied.",
    parameter: "Parameter", shape: "Shape", first_values: "First values: gradient → update",
    export: "Export", export_button: "Download the model", command: "Command line",
    link_note: "The address bar holds every setting and both seeds: copy it to share this run.",
    stopped: "Stopped: {reason}", diverged: "Training diverged and was paused: {reason}.",
    diverged_hint: "The learning rate is too large for this data: each step overshoots the minimum and the loss grows without bound. Choose a smaller learning rate and press reset.",
    connecting: "Connecting to the server…", disconnected: "The connection to the server was lost. Reload the page.",
    uploading: "Uploading…", too_large: "{name} is larger than the playground accepts ({mb} MB): upload a sample of its rows, or train on the whole file with `descenso train`.",
    off: "off", csv_ready: "{rows} rows, {cols} columns. Pick two numeric feature columns and the target.",
    csv_in_use: "Training on {name}: {rows} rows.", model_loaded: "Loaded {name}: {summary}",
    csv_link_note: "An uploaded file is not part of the link.",
    exported: "Model exported: {name}",
    showing_model: "Showing the saved model {name}; press play to train it further on this data.",
    error: "Error: {message}",
    loss_bce: "loss: binary cross-entropy", loss_mse: "loss: mean squared error",
    ds_circles: "circles", ds_xor: "XOR", ds_moons: "moons", ds_blobs: "blobs", ds_spirals: "spirals",
    ds_plane: "plane", ds_sine: "sine", ds_ring: "ring",
    landscape: "Loss landscape", minimum: "minimum", w_axis: "w (the weight of {feature})", b_axis: "b (the bias)",
    landscape_note: "This model has two parameters, so its whole loss surface can be drawn: contour lines of the training loss (darker is lower; L1 and L2 not included), the exact minimum (×), and the path gradient descent has taken from its start (open circle) to now (filled).",
    preset: "Topic of the notes", no_preset: "— free play —",
    preset_link: "Link to this topic", preset_example: "The figure of this topic:", preset_guide: "Its section of the course guide:",
  },
  es: {
    playground: "laboratorio",
    reset_title: "Reiniciar: los mismos pesos iniciales, época 0",
    play_title: "Entrenar / pausar",
    step_title: "Un paso: una actualización con un mini-lote",
    reinit: "Pesos nuevos", reinit_title: "Sortear pesos iniciales nuevos (otra semilla)",
    epoch: "Época", optimizer: "Optimizador", lr: "Tasa de aprendizaje", batch: "Tamaño de lote",
    data: "Datos", task: "Tarea", classification: "Clasificación", regression: "Regresión",
    noise: "Ruido", points: "Puntos", test_ratio: "Proporción de prueba", data_seed: "Semilla de datos",
    regenerate: "Datos nuevos", own_data: "Tus propios datos", upload_csv: "Subir un CSV (dos columnas de entrada y un objetivo)",
    target: "Objetivo", use_csv: "Entrenar con este archivo", open_model: "Abrir un modelo guardado (2 entradas)",
    features: "Entradas", hidden_layers: "capas ocultas", hidden_layer: "capa oculta",
    neurons: "neuronas", output: "Salida",
    net_note: "Líneas: pesos (azul positivo, naranja negativo, más gruesa = mayor). Cuadrados: la salida de cada neurona sobre el plano de entrada.",
    train_loss: "Pérdida de entrenamiento", test_loss: "Pérdida de prueba",
    accuracy_train: "Exactitud (entrenamiento)", accuracy_test: "Exactitud (prueba)",
    r2_train: "R² (entrenamiento)", r2_test: "R² (prueba)",
    show_test: "Mostrar datos de prueba", discretize: "Discretizar la salida",
    stop_rules: "Criterios de parada", target_loss: "Pérdida objetivo (entrenamiento)",
    patience: "Paciencia de parada temprana (pérdida de prueba)", max_epochs: "Máximo de épocas",
    inspector: "Inspector del paso",
    inspector_note: "El último paso: el gradiente de cada parámetro y la actualización que aplicó el optimizador.",
    parameter: "Parámetro", shape: "Forma", first_values: "Primeros valores: gradiente → actualización",
    export: "Exportar", export_button: "Descargar el modelo", command: "Línea de comandos",
    link_note: "La barra de direcciones guarda cada ajuste y ambas semillas: cópiala para compartir este entrenamiento.",
    stopped: "Detenido: {reason}", diverged: "El entrenamiento divergió y se pausó: {reason}.",
    diverged_hint: "La tasa de aprendizaje es demasiado grande para estos datos: cada paso se pasa del mínimo y la pérdida crece sin límite. Elige una tasa menor y pulsa reiniciar.",
    connecting: "Conectando con el servidor…", disconnected: "Se perdió la conexión con el servidor. Recarga la página.",
    uploading: "Subiendo…", too_large: "{name} supera el tamaño que acepta el laboratorio ({mb} MB): sube una muestra de sus filas, o entrena con el archivo completo con `descenso train`.",
    off: "no", csv_ready: "{rows} filas, {cols} columnas. Elige dos columnas numéricas de entrada y el objetivo.",
    csv_in_use: "Entrenando con {name}: {rows} filas.", model_loaded: "Cargado {name}: {summary}",
    csv_link_note: "Un archivo subido no forma parte del enlace.",
    exported: "Modelo exportado: {name}",
    showing_model: "Se muestra el modelo guardado {name}; pulsa entrenar para seguir entrenándolo con estos datos.",
    error: "Error: {message}",
    loss_bce: "pérdida: entropía cruzada binaria", loss_mse: "pérdida: error cuadrático medio",
    ds_circles: "círculos", ds_xor: "XOR", ds_moons: "lunas", ds_blobs: "nubes", ds_spirals: "espirales",
    ds_plane: "plano", ds_sine: "seno", ds_ring: "anillo",
    landscape: "Paisaje de la pérdida", minimum: "mínimo", w_axis: "w (el peso de {feature})", b_axis: "b (el sesgo)",
    landscape_note: "Este modelo tiene dos parámetros, así que se puede dibujar toda su superficie de pérdida: curvas de nivel de la pérdida de entrenamiento (más oscuro es más bajo; sin L1 ni L2), el mínimo exacto (×) y el camino que ha recorrido el descenso del gradiente desde el inicio (círculo vacío) hasta ahora (lleno).",
    preset: "Tema de los apuntes", no_preset: "— juego libre —",
    preset_link: "Enlace a este tema", preset_example: "La figura de este tema:", preset_guide: "Su sección de la guía del curso:",
  },
};

let language = "en";

export function setLanguage(lang) {
  language = TEXT[lang] ? lang : "en";
  document.documentElement.lang = language;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  return language;
}

export function getLanguage() {
  return language;
}

export function t(key, values = {}) {
  const text = TEXT[language][key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
