// The service worker that keeps the app shell on the device (web/public/sw.js): registered
// once the page has loaded, so it does not compete with the first paint.
export function installShellWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    void navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => undefined);
  });
}
