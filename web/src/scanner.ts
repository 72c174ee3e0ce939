// A keyboard-wedge barcode scanner types its code as a burst of keystrokes ending in Enter.
// Keys that come faster than a person types (each within GAP_MS of the last) and end in Enter
// are a scan, wherever the focus is; anything slower is typing and is left alone.
const GAP_MS = 50;
const MIN_LENGTH = 4;

export function listenForScans(onScan: (code: string) => void): () => void {
  let burst = "";
  let last = 0;
  let startedIn: HTMLInputElement | null = null;
  let valueBefore = "";

  const onKey = (event: KeyboardEvent) => {
    const now = event.timeStamp;
    if (now - last > GAP_MS) {
      burst = "";
      const target = event.target;
      startedIn = target instanceof HTMLInputElement ? target : null;
      valueBefore = startedIn?.value ?? "";
    }
    last = now;
    if (event.key === "Enter") {
      if (burst.length >= MIN_LENGTH) {
        event.preventDefault();
        event.stopPropagation();
        // The scan typed into a field it happened to land in: give the field its text back.
        if (startedIn !== null && startedIn.value !== valueBefore) {
          startedIn.value = valueBefore;
          startedIn.dispatchEvent(new Event("input", { bubbles: true }));
        }
        onScan(burst);
      }
      burst = "";
      return;
    }
    if (event.key.length === 1) burst += event.key;
  };
  window.addEventListener("keydown", onKey, true);
  return () => window.removeEventListener("keydown", onKey, true);
}
