// Gift cards: look one up by its code (typed, or scanned from anywhere on the screen), the
// list, and — for who manages them — physical cards' codes registered or new codes generated
// (inactive until sold at the till; generated codes are shown this once).
import { useEffect, useState } from "preact/hooks";

import { type StringKey, t } from "../../i18n";
import { formatMoney } from "../../money";
import { listenForScans } from "../../scanner";
import { Field } from "../../ui/Field";
import { go, href } from "../route";
import { may } from "../may";
import { Alert, useAction } from "./action";
import { addCards, type GiftCard, giftCards, lookUpCard } from "./customersApi";

export function GiftCards({ currency }: { currency: string }) {
  const [code, setCode] = useState("");
  const [cards, setCards] = useState<GiftCard[] | null>(null);
  const [reloads, setReloads] = useState(0);
  const { busy, error, setError, run } = useAction();
  useEffect(() => {
    void run(async () => setCards((await giftCards()).items));
  }, [reloads]);
  const open = async (typed: string) => {
    await run(async () => {
      const found = await lookUpCard(typed.trim());
      if (found === null) setError(t("giftCards.unknown"));
      else go(["customers", "gift-cards", found.giftCardId]);
    });
  };
  useEffect(() => listenForScans((scanned) => void open(scanned)), []);
  return (
    <>
      <form class="toolbar" onSubmit={(e) => (e.preventDefault(), void open(code))}>
        <div>
          <Field
            id="gift-code"
            label={t("giftCards.code")}
            autocomplete="off"
            value={code}
            onValue={setCode}
          />
        </div>
        <button type="submit" disabled={busy || code.trim() === ""}>
          {t("giftCards.lookUp")}
        </button>
      </form>
      <p class="muted">{t("giftCards.scanHint")}</p>
      <Alert message={error} />
      {may("gift_cards:manage") && <NewCards onMade={() => setReloads((n) => n + 1)} />}
      {cards && cards.length === 0 && <p>{t("giftCards.none")}</p>}
      {cards && cards.length > 0 && (
        <ul class="rows" data-testid="gift-cards">
          {cards.map((card) => (
            <li key={card.giftCardId}>
              <a href={href(["customers", "gift-cards", card.giftCardId])}>
                {t("giftCards.endingIn", { last4: card.last4 })}
              </a>
              <span class="badge">{t(`giftCards.status.${card.status}` as StringKey)}</span>
              <span>{formatMoney(card.balance, currency)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function NewCards({ onMade }: { onMade: () => void }) {
  const [codes, setCodes] = useState("");
  const [count, setCount] = useState("");
  const [generated, setGenerated] = useState<string[] | null>(null);
  const { busy, error, setError, run } = useAction();
  const register = async () => {
    const list = codes.split("\n").map((c) => c.trim()).filter(Boolean);
    if (list.length === 0) return setError(t("giftCards.noCodes"));
    if (await run(() => addCards({ codes: list }))) {
      setCodes("");
      onMade();
    }
  };
  const generate = async () => {
    const howMany = Number(count);
    if (!Number.isInteger(howMany) || howMany < 1) return setError(t("giftCards.badCount"));
    await run(async () => setGenerated((await addCards({ count: howMany })).codes));
    onMade();
  };
  return (
    <section class="card" aria-labelledby="new-cards-title">
      <h2 id="new-cards-title">{t("giftCards.add")}</h2>
      <label for="gift-codes">{t("giftCards.physicalCodes")}</label>
      <textarea id="gift-codes" rows={3} value={codes} onInput={(e) => setCodes(e.currentTarget.value)} />
      <button type="button" disabled={busy} onClick={() => void register()}>
        {t("giftCards.register")}
      </button>
      <div class="toolbar">
        <div>
          <Field
            id="gift-count"
            label={t("giftCards.howMany")}
            inputMode="numeric"
            value={count}
            onValue={setCount}
          />
        </div>
        <button type="button" disabled={busy} onClick={() => void generate()}>
          {t("giftCards.generate")}
        </button>
      </div>
      {generated && (
        <div role="status">
          <p>{t("giftCards.generatedOnce")}</p>
          <ul data-testid="generated-codes">
            {generated.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      <Alert message={error} />
    </section>
  );
}
