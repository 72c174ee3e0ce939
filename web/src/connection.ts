// Whether the API answers: the browser's own flag, confirmed by /healthz (a captive portal or
// a dead server leave navigator.onLine true).
import { signal } from "@preact/signals";

export const online = signal(navigator.onLine);

const PROBE_EVERY_MS = 15_000;

async function probe(): Promise<void> {
  try {
    const response = await fetch("/healthz", { cache: "no-store" });
    online.value = response.ok;
  } catch {
    online.value = false;
  }
}

export function watchConnection(): void {
  window.addEventListener("online", () => void probe());
  window.addEventListener("offline", () => {
    online.value = false;
  });
  void probe();
  window.setInterval(() => void probe(), PROBE_EVERY_MS);
}
