// The back office's place: the URL's hash (#/catalog/products), so a link, a reload and the
// browser's back button all keep it. The first part names the section, the rest is the
// section's own.
import { signal } from "@preact/signals";

function read(): string[] {
  return window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
}

/** The path after ``#/``, split: ``["catalog", "products"]``. */
export const route = signal<string[]>(read());

window.addEventListener("hashchange", () => {
  route.value = read();
});

/** The hash link for a path: ``href(["catalog", "products"])`` is ``#/catalog/products``. */
export function href(path: string[]): string {
  return `#/${path.map(encodeURIComponent).join("/")}`;
}

export function go(path: string[]): void {
  window.location.hash = href(path);
}
