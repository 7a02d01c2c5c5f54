/* The phone app's service worker (served at /forms/sw.js, scope /forms/).
 *
 * The server puts `self.PRECACHE` above this file: the page, app.js, app.css, the icons
 * and the npm packages, each with a hash of its content. They are kept on the phone at
 * install, so after one visit the app opens without a signal. The company's forms
 * (/forms/app.json) are fetched from the network when there is one, else from the copy
 * kept at the last visit. Sending forms is not done here: Safari has no Background Sync,
 * so the page sends its outbox itself (on opening, when back online, "Send now").
 *
 * Workbox (npm workbox-sw 7.4.1 and its modules) is loaded from /static/vendor/, never
 * from a CDN. A service worker may only importScripts while it first runs, so every
 * module is loaded at the top.
 */
/* global importScripts, workbox */
importScripts('/static/vendor/workbox-sw.js');
workbox.setConfig({ modulePathPrefix: '/static/vendor/', debug: false });
workbox.loadModule('workbox-core');
workbox.loadModule('workbox-routing');
workbox.loadModule('workbox-strategies');
workbox.loadModule('workbox-precaching');

const FORMS = 'manualgen-forms-definitions';
const APP_JSON = '/forms/app.json';

// A new version takes over at once: the outbox lives in IndexedDB, not in this worker.
workbox.core.skipWaiting();
workbox.core.clientsClaim();

workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(self.PRECACHE || [], {
  ignoreURLParametersMatching: [/^token$/, /^utm_/],
});

// The forms' definitions: the network first (3 s at most), the last copy when offline.
workbox.routing.registerRoute(
  ({ url }) => url.pathname === APP_JSON,
  new workbox.strategies.NetworkFirst({ cacheName: FORMS, networkTimeoutSeconds: 3 }),
);

// Keep the forms at install too, so they are on the phone even before the page asks.
self.addEventListener('install', (event) => {
  event.waitUntil(
    fetch(APP_JSON, { credentials: 'same-origin' })
      .then((response) => response.ok
        ? caches.open(FORMS).then((cache) => cache.put(APP_JSON, response))
        : undefined)
      .catch(() => undefined),
  );
});
