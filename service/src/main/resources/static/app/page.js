// The digit-entry page: a drawing pad (Pointer Events: mouse, touch, pen), pictures by file,
// camera, drop or paste, and the answers of the server (POST /api/v1/predictions?include=input)
// and of the model run on this device (ondevice.js, with the server's preprocessing ported in
// preprocess.js). No framework: the DOM API is enough for one screen.

import { BlankImageError, NotADigitError, preprocessBitmap, preprocessBlob } from './preprocess.js';
import { canLoadModel, explainOcclusion, loadModel, predict } from './ondevice.js';

const PREDICT_URL = '/api/v1/predictions?include=input';
const FEEDBACK_URL = '/api/v1/feedback';
/**
 * Live recognition waits this long after a stroke ends (pointer up), never during one: a digit
 * drawn in several strokes is asked about between them, and a new stroke cancels the wait.
 */
const LIVE_DELAY_MS = 300;
/** Stroke width on the 280 px pad: about the width of an MNIST pen stroke on a digit drawn large. */
const STROKE = 20;
/** What the service takes as it is (anything else the browser can read is converted to PNG). */
const ACCEPTED = ['image/png', 'image/jpeg', 'image/gif', 'image/bmp'];
/** digits.api.max-image-size */
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** Larger photos are scaled down before upload: the server subsamples to about 1 MP anyway. */
const MAX_PHOTO_SIDE = 1024;

const $ = (id) => document.getElementById(id);
const canvas = $('pad');
const pad = canvas.getContext('2d');
const statusBox = $('status');

/** The strokes on the pad, each a list of points in canvas pixels. */
const strokes = [];
/** The picture being recognised instead of the drawing: {blob, bitmap, name} or null. */
let picture = null;
let activeStroke = null;
let liveTimer = 0;
let inFlight = null;
let sequence = 0;
let feedbackToken = null;
let serverDigit = null;
/** Counts changes to the drawing or picture: an answer and its feedback belong to one of them. */
let drawingVersion = 0;
/** The drawing the shown server answer is for. */
let answeredDrawing = -1;
/** Feedback recorded for a drawing: {drawing, text}; it stays until the drawing changes. */
let labelled = null;

// ---------------------------------------------------------------- drawing

function clearPad() {
  pad.fillStyle = '#fff';
  pad.fillRect(0, 0, canvas.width, canvas.height);
}

function drawStroke(points) {
  pad.strokeStyle = '#000';
  pad.fillStyle = '#000';
  pad.lineWidth = STROKE;
  pad.lineCap = 'round';
  pad.lineJoin = 'round';
  if (points.length === 1) {
    pad.beginPath();
    pad.arc(points[0].x, points[0].y, STROKE / 2, 0, 2 * Math.PI);
    pad.fill();
    return;
  }
  pad.beginPath();
  pad.moveTo(points[0].x, points[0].y);
  for (let i = 1; i < points.length; i++) pad.lineTo(points[i].x, points[i].y);
  pad.stroke();
}

function redraw() {
  clearPad();
  if (picture) {
    const { bitmap } = picture;
    const scale = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
    const w = bitmap.width * scale;
    const h = bitmap.height * scale;
    pad.imageSmoothingQuality = 'high';
    pad.drawImage(bitmap, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
  }
  strokes.forEach(drawStroke);
  $('pad-hint').hidden = strokes.length > 0 || picture !== null;
}

/** Canvas pixels of a pointer event, inside the border (the pad is shown at any CSS size). */
function toCanvas(event) {
  const rect = canvas.getBoundingClientRect();
  return {
    x: ((event.clientX - rect.left - canvas.clientLeft) * canvas.width) / canvas.clientWidth,
    y: ((event.clientY - rect.top - canvas.clientTop) * canvas.height) / canvas.clientHeight,
  };
}

canvas.addEventListener('pointerdown', (event) => {
  if (event.button !== 0 && event.pointerType === 'mouse') return;
  event.preventDefault();
  clearTimeout(liveTimer);
  if (picture) forgetPicture();
  drawingVersion++;
  canvas.setPointerCapture(event.pointerId);
  activeStroke = { id: event.pointerId, points: [toCanvas(event)] };
  strokes.push(activeStroke.points);
  redraw();
});

canvas.addEventListener('pointermove', (event) => {
  if (!activeStroke || event.pointerId !== activeStroke.id) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const e of events.length ? events : [event]) activeStroke.points.push(toCanvas(e));
  redraw();
});

function endStroke(event) {
  if (!activeStroke || event.pointerId !== activeStroke.id) return;
  activeStroke = null;
  scheduleLive();
}
canvas.addEventListener('pointerup', endStroke);
canvas.addEventListener('pointercancel', endStroke);

$('undo').addEventListener('click', () => {
  drawingVersion++;
  if (strokes.length) strokes.pop();
  else if (picture) forgetPicture();
  redraw();
  if (strokes.length) recognise();
  else resetAnswers('Draw a digit or choose a picture.');
});

$('clear').addEventListener('click', () => {
  drawingVersion++;
  strokes.length = 0;
  forgetPicture();
  redraw();
  resetAnswers('Draw a digit or choose a picture.');
});

$('recognise').addEventListener('click', () => recognise());

function scheduleLive() {
  clearTimeout(liveTimer);
  if ($('live').checked && !activeStroke) liveTimer = setTimeout(() => recognise(), LIVE_DELAY_MS);
}

// ---------------------------------------------------------------- pictures

function forgetPicture() {
  if (picture) {
    picture.bitmap.close();
    drawingVersion++;
  }
  picture = null;
}

/**
 * Takes a picture from a file, the camera, a drop or the clipboard. The service gets the file's
 * own bytes when it can read them; anything else the browser can decode (WebP, HEIC on Safari,
 * AVIF), anything over the upload limit, and large JPEG photos (upright as the camera meant,
 * which the server would not know from EXIF) are redrawn here and sent as PNG.
 */
async function usePicture(file) {
  if (!file) return;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    bitmap = null;
  }
  if (!bitmap) {
    if (!ACCEPTED.includes(file.type)) {
      showError('That file is not a picture this page can read. Use a PNG, JPEG, GIF or BMP image.');
      return;
    }
    // let the server say what is wrong with it
    strokes.length = 0;
    forgetPicture();
    drawingVersion++;
    redraw();
    recognise({ blob: file });
    return;
  }
  let blob = file;
  const jpeg = file.type === 'image/jpeg';
  const photo = jpeg && (bitmap.width * bitmap.height > MAX_PHOTO_SIDE * MAX_PHOTO_SIDE
      || jpegOrientation(new DataView(await file.slice(0, 65536).arrayBuffer())) > 1);
  if (!ACCEPTED.includes(file.type) || file.size > MAX_UPLOAD_BYTES || photo) {
    blob = await redrawn(bitmap);
  }
  strokes.length = 0;
  forgetPicture();
  drawingVersion++;
  picture = { blob, bitmap, name: file.name || 'pasted picture' };
  redraw();
  recognise();
}

/**
 * The EXIF orientation of a JPEG (1 = upright, 0 = none given). The service reads pixels as
 * stored, as most servers do, so a phone photo that is upright only by its EXIF tag is redrawn
 * upright here before it is sent.
 */
function jpegOrientation(view) {
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return 0;
  let at = 2;
  while (at + 4 <= view.byteLength) {
    const marker = view.getUint16(at);
    const length = view.getUint16(at + 2);
    if (marker === 0xffe1 && at + 10 <= view.byteLength && view.getUint32(at + 4) === 0x45786966) { // "Exif"
      const tiff = at + 10;
      if (tiff + 8 > view.byteLength) return 0;
      const little = view.getUint16(tiff) === 0x4949;
      const ifd = tiff + view.getUint32(tiff + 4, little);
      if (ifd + 2 > view.byteLength) return 0;
      const entries = view.getUint16(ifd, little);
      for (let i = 0; i < entries; i++) {
        const entry = ifd + 2 + 12 * i;
        if (entry + 12 > view.byteLength) return 0;
        if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 8, little);
      }
      return 0;
    }
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return 0; // image data: no EXIF before it
    at += 2 + length;
  }
  return 0;
}

async function redrawn(bitmap) {
  const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(bitmap.width * scale));
  c.height = Math.max(1, Math.round(bitmap.height * scale));
  const g = c.getContext('2d');
  g.imageSmoothingQuality = 'high';
  g.drawImage(bitmap, 0, 0, c.width, c.height);
  return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
}

for (const id of ['file', 'camera']) {
  $(id).addEventListener('change', (event) => {
    usePicture(event.target.files[0]);
    event.target.value = '';
  });
}

const dropZone = $('drop-zone');
// a picture dropped anywhere on the page is taken, rather than opened in place of the page
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (!event.relatedTarget) dropZone.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('dragging');
  const file = [...(event.dataTransfer?.files || [])].find((f) => f.type.startsWith('image/'))
      || event.dataTransfer?.files[0];
  if (file) usePicture(file);
});

document.addEventListener('paste', (event) => {
  const item = [...(event.clipboardData?.items || [])].find((i) => i.kind === 'file' && i.type.startsWith('image/'));
  if (item) {
    event.preventDefault();
    usePicture(item.getAsFile());
  }
});

// ---------------------------------------------------------------- recognising

function where() {
  return document.querySelector('input[name="where"]:checked').value;
}

/** The mode last chosen that worked: a failed switch goes back to it. */
let lastWhere = where();
const DEVICE_LABEL = 'This device';

/**
 * "This device" and "Both" are offered only while the model can load: they are disabled once the
 * service is found unreachable with the model not kept on this device, and offered again when the
 * service answers (or the model turns out to be loadable).
 */
function offerDevice(offered) {
  for (const value of ['device', 'both']) {
    document.querySelector('input[name="where"][value="' + value + '"]').disabled = !offered;
  }
}

// "Show why" asks again for the answer on screen, with or without its explanation
$('why').addEventListener('change', () => {
  if (!$('server-result').hidden || !$('device-result').hidden) recognise();
});

document.querySelectorAll('input[name="where"]').forEach((radio) => radio.addEventListener('change', () => {
  if (where() !== 'server') {
    setBusy(true);
    statusBox.classList.remove('error');
    statusBox.textContent = 'Loading the model onto this device…';
    loadModel().then(() => {
      setBusy(false);
      lastWhere = where();
      if (strokes.length || picture) recognise();
      else resetAnswers('The model is ready on this device. Draw a digit or choose a picture.');
    }, () => {
      setBusy(false);
      // back to the mode that worked, with its answer still shown
      document.querySelector('input[name="where"][value="' + lastWhere + '"]').checked = true;
      offerDevice(false);
      showError('"' + DEVICE_LABEL + '" needs the model, and it could not be loaded: the service cannot be '
          + 'reached and the model was not kept on this device from an earlier visit.');
    });
  } else {
    lastWhere = 'server';
    if (strokes.length || picture) recognise();
  }
}));

/** What to recognise now: the picture's bytes, or the drawing as PNG. Null for an empty pad. */
async function currentImage() {
  if (picture) return { blob: picture.blob, drawing: false };
  if (!strokes.length) return null;
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  return { blob, drawing: true };
}

/**
 * Recognises the current drawing or picture where the user chose. A newer call aborts the
 * request of an older one; answers of older calls are never shown.
 */
async function recognise(override) {
  clearTimeout(liveTimer);
  const mine = ++sequence;
  if (inFlight) inFlight.abort();
  const image = override || await currentImage();
  if (mine !== sequence) return;
  if (!image) {
    resetAnswers('');
    showError('The drawing is empty: draw a digit first, or choose a picture.');
    return;
  }
  const controller = new AbortController();
  inFlight = controller;
  const mode = where();
  const drawing = drawingVersion;
  setBusy(true);
  statusBox.classList.remove('error');
  statusBox.textContent = 'Recognising…';
  const server = mode === 'device' ? null : askServer(image.blob, controller.signal);
  const device = mode === 'server' ? null : askDevice(image);
  const [s, d] = await Promise.all([server, device].map((p) => p && p.then(
      (value) => ({ value }), (error) => ({ error })))); // never rejects: both outcomes are shown
  if (mine !== sequence) return;
  inFlight = null;
  setBusy(false);
  if (s && s.error && s.error instanceof TypeError && !d) {
    s.error.offline = await canLoadModel();
    offerDevice(s.error.offline);
  } else if (s && s.value) {
    offerDevice(true);
  }
  render(s, d, image.drawing, drawing);
}

async function askServer(blob, signal) {
  const started = performance.now();
  // "Show why": the answer's explanation by occlusion, its heat-map shown over what the model saw
  const response = await fetch(PREDICT_URL + ($('why').checked ? '&explain=occlusion' : ''), {
    method: 'POST',
    body: blob,
    headers: { 'Content-Type': blob.type || 'application/octet-stream', Accept: 'application/json' },
    signal,
  });
  const body = await response.json().catch(() => null);
  const roundTripMs = performance.now() - started;
  if (!response.ok) throw new ProblemError(response.status, body);
  return { json: body, roundTripMs };
}

async function askDevice(image) {
  const started = performance.now();
  const prepared = image.drawing ? preprocessBitmap(canvas) : await preprocessBlob(image.blob);
  const preprocessMs = performance.now() - started;
  const answer = await predict(prepared.pixels);
  // "Show why": the same occlusion map as the server's, computed here
  const why = $('why').checked ? await explainOcclusion(prepared.pixels, answer.digit) : null;
  return { ...answer, prepared, preprocessMs, why };
}

class ProblemError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || 'HTTP ' + status);
    this.status = status;
    this.problem = problem || {};
  }
}

/** An error in words a person understands, from the problem's stable type. */
function explain(error, drawing) {
  if (error instanceof NotADigitError) return notADigit(error.message, drawing);
  if (error instanceof BlankImageError) {
    return drawing ? 'The drawing is empty: draw a digit first.' : 'The picture looks blank: there is no digit to recognise.';
  }
  if (!(error instanceof ProblemError)) {
    if (!(error instanceof TypeError)) return 'Something went wrong: ' + error.message;
    return error.offline
      ? 'Could not reach the service. Choose "' + DEVICE_LABEL + '" to recognise it here: the model is on this device.'
      : 'Could not reach the service. Check the connection and try again.';
  }
  const type = String(error.problem.type || '').replace('urn:digit-service:problem:', '');
  switch (type) {
    case 'blank-image':
      return drawing ? 'The drawing is empty: draw a digit first.' : 'The picture looks blank: there is no digit to recognise.';
    case 'not-a-digit':
      return notADigit(error.problem.detail || '', drawing);
    case 'too-large':
      return 'That file is too large: the limit is 5 MB. Try a smaller picture or a screenshot.';
    case 'too-many-pixels':
      return 'That picture has too many pixels. Try a smaller one.';
    case 'unsupported-media-type':
      return 'That file is not a picture the service can read. Use a PNG, JPEG, GIF or BMP image.';
    case 'undecodable-image':
      return 'That picture could not be read: the file may be damaged or incomplete.';
    case 'too-complex':
    case 'timeout':
      return 'That picture takes too long to process. Try a smaller picture or a screenshot.';
    case 'overloaded':
      return 'The service is busy right now. Try again in a moment.';
    case 'model-not-ready':
      return 'The model is still starting. Try again in a few seconds.';
    default:
      return (error.problem.title || 'The service answered ' + error.status)
          + (error.problem.detail ? ': ' + error.problem.detail : '.');
  }
}

/** Which way the ink is not a digit, from the detail both paths give (a dot, or too much ink). */
function notADigit(detail, drawing) {
  const what = drawing ? 'drawing' : 'picture';
  if (/dot|dash/.test(detail)) {
    return 'That is only a dot or a dash, too small to be a digit: draw the whole digit, large.';
  }
  if (/covers (\d+)%/.test(detail)) {
    return 'Ink covers ' + detail.match(/covers (\d+)%/)[1] + '% of the ' + what
        + ': too much for one digit. Clear it and draw a single digit.';
  }
  return 'That does not look like a digit.';
}

// ---------------------------------------------------------------- answers

/** A probability as a percentage; never "100%" or "0%" for what is only nearly so. */
function percent(p) {
  if (p >= 0.9995) return '>99.9%'; // a float's softmax may round to exactly 1: still not certainty
  if (p > 0 && p < 0.0005) return '<0.1%';
  return (100 * p).toFixed(1) + '%';
}

function ms(value) {
  return value < 10 ? value.toFixed(2) + ' ms' : Math.round(value) + ' ms';
}

function showBars(list, probabilities, top) {
  list.replaceChildren(...probabilities.map((p, digit) => {
    const item = document.createElement('li');
    if (digit === top) item.className = 'best';
    const label = document.createElement('span');
    label.textContent = digit;
    const track = document.createElement('span');
    track.className = 'track';
    const fill = document.createElement('span');
    fill.className = 'fill';
    fill.style.width = (100 * p).toFixed(1) + '%'; // CSSOM, which the page's CSP allows
    fill.style.display = 'block';
    track.append(fill);
    const value = document.createElement('span');
    value.className = 'value';
    value.textContent = percent(p);
    item.setAttribute('aria-label', digit + ': ' + percent(p));
    item.append(label, track, value);
    return item;
  }));
}

function secondBest(probabilities, top) {
  let second = top === 0 ? 1 : 0;
  probabilities.forEach((p, i) => {
    if (i !== top && p > probabilities[second]) second = i;
  });
  return second;
}

/** What is said when the picture holds two or more digit-sized groups of ink side by side. */
const SEVERAL_DIGITS = { text: 'This looks like more than one digit.', kind: 'warn' };

/**
 * The shown verdict of an answer; works with or without the confidence fields and severalDigits
 * (read only when the service sends it). Several digits comes first: the answer is then for one of
 * them alone, whatever its confidence.
 */
function verdictOf(answer) {
  if (answer.severalDigits === true) return SEVERAL_DIGITS;
  if (answer.outOfDistribution === true) return { text: 'This does not look like a digit.', kind: 'bad' };
  if (answer.uncertain === true) {
    return { text: 'Not sure: it could also be ' + secondBest(answer.probabilities, answer.digit) + '.', kind: 'warn' };
  }
  return null;
}

function showVerdict(element, verdict) {
  element.hidden = !verdict;
  if (verdict) {
    element.textContent = verdict.text;
    element.className = 'verdict' + (verdict.kind === 'bad' ? ' bad' : verdict.kind === 'good' ? ' good' : '');
  }
}

function resetAnswers(message) {
  sequence++;
  if (inFlight) inFlight.abort();
  inFlight = null;
  setBusy(false);
  $('server-result').hidden = true;
  $('device-result').hidden = true;
  $('jump').hidden = true;
  $('no-result').hidden = false;
  statusBox.classList.remove('error');
  statusBox.textContent = message;
}

function showError(message) {
  statusBox.textContent = message;
  statusBox.classList.add('error');
  document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1);
}

function setBusy(busy) {
  document.body.dataset.state = busy ? 'busy' : 'idle';
  canvas.setAttribute('aria-busy', String(busy));
}

function render(s, d, drawing, drawn) {
  const spoken = [];
  let failed = null;
  $('server-result').hidden = !s || !s.value;
  $('device-result').hidden = !d || !d.value;
  $('no-result').hidden = Boolean((s && s.value) || (d && d.value));
  serverDigit = null;
  if (s && s.value) {
    const { json, roundTripMs } = s.value;
    const confidence = typeof json.confidence === 'number' ? json.confidence : json.probability;
    const verdict = verdictOf(json);
    serverDigit = json.digit;
    $('digit').textContent = json.digit;
    $('digit').classList.toggle('dim', json.outOfDistribution === true);
    $('confidence').textContent = (typeof json.confidence === 'number' ? 'Confidence ' : 'Probability ')
        + percent(confidence);
    showVerdict($('verdict'), verdict);
    showSeen(json);
    showBars($('bars'), json.probabilities, json.digit);
    const model = json.model || {};
    $('model').textContent = (model.name || 'model') + ' version ' + model.version
        + (model.assignment ? ' (' + model.assignment + ')' : '');
    const t = json.timings || {};
    const network = Math.max(0, roundTripMs - (t.totalMs || 0));
    $('timings').textContent = 'preprocess ' + ms(t.preprocessMs) + ' · queue ' + ms(t.queueMs)
        + ' · inference ' + ms(t.inferenceMs) + ' · network and browser ' + ms(network)
        + ' (round trip ' + ms(roundTripMs) + ')';
    feedbackToken = json.feedbackToken || null;
    answeredDrawing = drawn;
    resetFeedback();
    spoken.push((d ? 'Server: ' : '') + json.digit + ', ' + percent(confidence) + (verdict ? '. ' + verdict.text : ''));
  } else if (s && s.error) {
    failed = s.error;
  }
  if (d && d.value) {
    const a = d.value;
    $('device-digit').textContent = a.digit;
    $('device-confidence').textContent = 'Probability ' + percent(a.probability);
    // the preprocessing on this device says so as the server's does (preprocess.js, InkGroups)
    const deviceVerdict = a.prepared.severalDigits === true ? SEVERAL_DIGITS : null;
    showVerdict($('device-verdict'), deviceVerdict);
    if (a.why) {
      $('device-seen').src = overlayDataUrl(a.prepared.pixels, a.why);
      $('device-seen-caption').textContent = 'Why ' + a.digit + ': red towards it, blue away';
    } else {
      $('device-seen').src = levelsToDataUrl(a.prepared.levels);
      $('device-seen-caption').textContent = 'Prepared on this device';
    }
    showBars($('device-bars'), a.probabilities, a.digit);
    $('device-model').textContent = 'mnist-cnn version ' + (a.version || '?') + ', TensorFlow.js ' + globalThis.tf.version_core
        + ' (CPU)';
    $('device-timings').textContent = 'preprocess ' + ms(a.preprocessMs) + ' · inference ' + ms(a.ms);
    let agreement = null;
    if (serverDigit !== null) {
      agreement = serverDigit === a.digit
        ? { text: 'Agrees with the server: both say ' + a.digit + '.', kind: 'good' }
        : { text: 'Disagrees: the server says ' + serverDigit + ', this device ' + a.digit + '.', kind: 'bad' };
    }
    showVerdict($('agreement'), agreement);
    document.body.dataset.agreement = agreement ? String(agreement.kind === 'good') : '';
    spoken.push((s ? 'This device: ' : '') + a.digit + ', ' + percent(a.probability)
        + (deviceVerdict && !(s && s.value && verdictOf(s.value.json) === SEVERAL_DIGITS) ? '. ' + deviceVerdict.text : '')
        + (agreement ? '. ' + agreement.text : ''));
  } else if (d && d.error && !failed) {
    failed = d.error;
  }
  if (failed && !spoken.length) {
    showError(explain(failed, drawing));
    return;
  }
  $('jump').hidden = false;
  statusBox.classList.toggle('error', false);
  statusBox.textContent = spoken.join('. ') + (failed ? '. ' + explain(failed, drawing) : '');
  document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1);
}

/** What the model saw, or, with "Show why" and an explanation, the heat-map over it. */
function showSeen(json) {
  const why = json.explanation;
  if (why && why.overlay) {
    $('seen').src = why.overlay;
    $('seen').alt = 'What the model saw, red where it pushed the model towards ' + why.digit
        + ', blue where it pushed away';
    $('seen-caption').textContent = 'Why ' + why.digit + ': red towards it, blue away';
  } else {
    if (json.input && json.input.image) $('seen').src = json.input.image;
    $('seen').alt = 'The 28 by 28 image the model saw';
    $('seen-caption').textContent = 'What the model saw (28×28)';
  }
}

/**
 * The input (784 values 0..1) enlarged 8 times with the map over it, as the server draws its
 * overlay: red where a pixel pushed towards the digit, blue away, the stronger the more opaque.
 */
function overlayDataUrl(pixels, map) {
  const SIDE = 28;
  const SCALE = 8;
  let strongest = 0;
  for (const v of map) strongest = Math.max(strongest, Math.abs(v));
  const canvasOut = document.createElement('canvas');
  canvasOut.width = SIDE * SCALE;
  canvasOut.height = SIDE * SCALE;
  const g = canvasOut.getContext('2d');
  const mix = (from, to, w) => Math.round(from + (to - from) * w);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const grey = Math.max(0, Math.min(1, pixels[i])) * 255;
    const w = strongest === 0 ? 0 : 0.75 * Math.abs(map[i]) / strongest;
    let rgb = [grey, grey, grey];
    if (map[i] > 0) rgb = [mix(grey, 230, w), mix(grey, 40, w), mix(grey, 40, w)];
    else if (map[i] < 0) rgb = [mix(grey, 40, w), mix(grey, 90, w), mix(grey, 230, w)];
    g.fillStyle = 'rgb(' + rgb.map(Math.round).join(',') + ')';
    g.fillRect((i % SIDE) * SCALE, Math.floor(i / SIDE) * SCALE, SCALE, SCALE);
  }
  return canvasOut.toDataURL('image/png');
}

function levelsToDataUrl(levels) {
  const c = document.createElement('canvas');
  c.width = 28;
  c.height = 28;
  const g = c.getContext('2d');
  const image = g.createImageData(28, 28);
  for (let i = 0; i < levels.length; i++) {
    image.data.set([levels[i], levels[i], levels[i], 255], i * 4);
  }
  g.putImageData(image, 0, 0);
  return c.toDataURL('image/png');
}

// ---------------------------------------------------------------- feedback

const feedbackButtons = [];
for (let digit = 0; digit <= 9; digit++) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = digit;
  button.setAttribute('aria-label', 'It was ' + digit);
  button.addEventListener('click', () => sendFeedback(digit));
  feedbackButtons.push(button);
}
$('feedback-buttons').append(...feedbackButtons);

/**
 * Shows the feedback buttons for the answer on screen, unless this drawing was already labelled:
 * one drawing gets one label, however often it is recognised again or in another mode.
 */
function resetFeedback() {
  const done = labelled !== null && labelled.drawing === answeredDrawing;
  feedbackButtons.forEach((b) => { b.disabled = !feedbackToken || done; });
  $('feedback').hidden = !feedbackToken;
  const result = $('feedback-result');
  result.textContent = done ? labelled.text : '';
  result.classList.remove('error');
}

function feedbackSaid(text, error) {
  const result = $('feedback-result');
  result.textContent = text;
  result.classList.toggle('error', error);
  result.focus(); // the buttons just pressed are disabled: focus goes to what happened
}

async function sendFeedback(digit) {
  const token = feedbackToken;
  const predicted = serverDigit;
  const drawing = answeredDrawing;
  const result = $('feedback-result');
  result.classList.remove('error');
  result.textContent = 'Sending…';
  feedbackButtons.forEach((b) => { b.disabled = true; });
  try {
    const response = await fetch(FEEDBACK_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token, digit }),
    });
    const body = await response.json().catch(() => ({}));
    const type = String(body.type || '');
    if (response.ok) {
      labelled = {
        drawing,
        text: body.correct
          ? 'Thank you: recorded that ' + digit + ' was right.'
          : 'Thank you: recorded that it was ' + digit + ' (the model said ' + predicted + ').',
      };
    } else if (type.endsWith('feedback-already-recorded')) {
      labelled = { drawing, text: 'Feedback for this drawing was already recorded.' };
    }
    if (token !== feedbackToken) { // a newer answer is shown: for the same drawing, it is labelled now
      if (answeredDrawing === drawing) resetFeedback();
      return;
    }
    if (labelled && labelled.drawing === drawing) {
      feedbackSaid(labelled.text, false);
      return;
    }
    feedbackSaid(type.endsWith('expired-feedback-token') ? 'This answer is too old for feedback: recognise it again first.'
      : 'Feedback was not recorded: ' + (body.detail || body.title || 'HTTP ' + response.status) + '.', true);
  } catch {
    if (token !== feedbackToken) return;
    feedbackSaid('Feedback was not sent: could not reach the service.', true);
    feedbackButtons.forEach((b) => { b.disabled = false; });
  }
}

// keeps the page, TF.js and the model for use without the service (sw.js)
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch(() => {}); // the page works without it
}

redraw();
setBusy(false);
document.body.dataset.answers = '0';
