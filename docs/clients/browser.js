// Recognise a digit from a web page, in plain browser JavaScript (no library).
// The service allows any origin (CORS) and exposes X-Request-Id to scripts.

const SERVICE = 'http://localhost:8080';

// 1. a drawing on a <canvas>: toBlob, then a multipart form, as a <form> would send it
async function predictCanvas(canvas) {
  const blob = await new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
  const form = new FormData();
  form.append('file', blob, 'digit.png');
  const response = await fetch(`${SERVICE}/api/v1/predictions`, { method: 'POST', body: form });
  return answer(response);
}

// 2. any Blob or File (an <input type=file>, a paste, a camera capture) as the raw body
async function predictBlob(blob) {
  const response = await fetch(`${SERVICE}/api/v1/predictions`, {
    method: 'POST',
    headers: { 'Content-Type': blob.type || 'application/octet-stream' },
    body: blob,
  });
  return answer(response);
}

// answers are JSON; errors are application/problem+json with a person-readable "detail"
async function answer(response) {
  const json = await response.json();
  if (!response.ok) {
    throw new Error(`${json.title}: ${json.detail} (request ${response.headers.get('X-Request-Id')})`);
  }
  return { digit: json.digit, probability: json.probability, version: json.model.version,
    feedbackToken: json.feedbackToken };
}
