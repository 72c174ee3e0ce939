// Tillpoint's service worker: the app shell (index.html, its hashed scripts and styles, the
// manifest and icons) is cached so the register comes up with no server. It never touches
// the API (/v1/), /healthz or anything outside /app/: the register keeps the few API answers
// it needs for offline selling in IndexedDB itself (web/src/offline), and personal or session
// data never lands in this cache.
const SHELL = "tillpoint-shell-v1";
const INDEX = "/app/";
const FIXED = [
  "/app/",
  "/app/manifest.webmanifest",
  "/app/icon.svg",
  "/app/icon-maskable.svg",
  "/app/icon-192.png",
  "/app/icon-512.png",
];

/** The /app/ files an index.html names (its hashed scripts and styles). */
function namedBy(html) {
  return [...html.matchAll(/(?:src|href)="(\/app\/[^"]+)"/g)].map((m) => m[1]);
}

/** The shell's files: the fixed ones and every /app/ file index.html names. */
async function cacheShell() {
  const cache = await caches.open(SHELL);
  const index = await fetch(INDEX, { cache: "no-store" });
  const named = namedBy(await index.clone().text());
  await cache.put(INDEX, index);
  await cache.addAll([...new Set([...FIXED.slice(1), ...named])]);
}

/** A new index.html: the hashed files of older builds leave the cache. */
async function pruneAssets(cache, index) {
  const named = new Set(namedBy(await index.text()));
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/app/assets/") && !named.has(path)) await cache.delete(request);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

/** A page of the app: the server's newest index.html, or the cached one without a server. */
async function page(request) {
  const cache = await caches.open(SHELL);
  try {
    const fresh = await fetch(request);
    if (fresh.ok) {
      await cache.put(INDEX, fresh.clone());
      await pruneAssets(cache, fresh.clone());
    }
    return fresh;
  } catch (failure) {
    const cached = await cache.match(INDEX);
    if (cached) return cached;
    throw failure;
  }
}

/** A file of the app: hashed assets never change under their name, so the cached copy is it;
 * others (manifest, icons) are fetched fresh when the server answers. */
async function file(request, immutable) {
  const cache = await caches.open(SHELL);
  if (immutable) {
    const cached = await cache.match(request);
    if (cached) return cached;
  }
  try {
    const fresh = await fetch(request);
    if (fresh.ok) await cache.put(request, fresh.clone());
    return fresh;
  } catch (failure) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw failure;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/app/")) return; // the API and the rest: straight to the network
  if (url.pathname === INDEX || url.pathname === "/app/index.html") event.respondWith(page(request));
  else event.respondWith(file(request, url.pathname.startsWith("/app/assets/")));
});
