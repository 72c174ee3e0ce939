import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";

/** A modal panel over the register: it takes the focus when it opens (its first field or
 * button) and Escape closes it. */
export function Dialog({
  id,
  title,
  onClose,
  children,
}: {
  id: string;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const box = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    box.current?.querySelector<HTMLElement>("input, button:not(:disabled)")?.focus();
  }, []);
  return (
    <div class="dialog-backdrop">
      <section
        ref={box}
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={(event) => {
          if (event.key === "Escape") onClose();
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        {children}
      </section>
    </div>
  );
}
