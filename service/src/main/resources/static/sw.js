// The digit page's service worker: the page keeps working when the service cannot be reached.
// - The page itself (HTML, scripts, styles, the about page): from the network when it answers,
//   else the copy kept at the last visit.
// - TensorFlow.js (a versioned path that never changes): kept at first use, then read from here.
// - The TF.js model: from the network when it answers (a new default version is picked up),
//   else the copy kept when "This device" was last used.
// The API (predictions, feedback) is never cached: an answer needs the service.

const SHELL_CACHE = 'digits-page-v1';
const MODEL_CACHE = 'digits-ondevice-v1';
const SHELL = ['/', '/app/page.js', '/app/page.css', '/app/preprocess.js', '/app/ondevice.js', '/app/icon.svg',
  '/about.html', '/app/about.js'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== SHELL_CACHE && n !== MODEL_CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

async function networkFirst(request, cacheName) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(cacheName).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request, cacheName) {
  const kept = await caches.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(cacheName).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/app/vendor/')) {
    event.respondWith(cacheFirst(request, MODEL_CACHE));
  } else if (url.pathname.startsWith('/models/tfjs/')) {
    event.respondWith(networkFirst(request, MODEL_CACHE));
  } else if (SHELL.includes(url.pathname) || url.pathname === '/index.html') {
    event.respondWith(networkFirst(request, SHELL_CACHE));
  }
});
