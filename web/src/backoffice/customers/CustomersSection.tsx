// Customers (list, search, a customer's page with orders, loyalty and store credit), gift
// cards and the loyalty program, each at its own address under #/customers/.
import { t } from "../../i18n";
import { may } from "../may";
import { href } from "../route";
import type { SectionProps } from "../sections";
import { CustomerForm } from "./CustomerForm";
import { CustomerList } from "./CustomerList";
import { CustomerPage } from "./CustomerPage";
import { GiftCardPage } from "./GiftCardPage";
import { GiftCards } from "./GiftCards";
import { LoyaltyProgram } from "./LoyaltyProgram";

const GIFT_CARDS = "gift-cards";
const PROGRAM = "loyalty-program";

export function CustomersSection({ path, currency }: SectionProps) {
  const tabs = [
    may("customers:read") && { id: "", label: t("customers.list") },
    may("gift_cards:read") && { id: GIFT_CARDS, label: t("customers.giftCards") },
    may("customers:read") && { id: PROGRAM, label: t("customers.program") },
  ].filter((tab) => tab !== false);
  const [first = may("customers:read") ? "" : GIFT_CARDS, second] = path;
  let page;
  if (first === GIFT_CARDS) {
    page = second ? <GiftCardPage cardId={second} currency={currency} /> : <GiftCards currency={currency} />;
  } else if (first === PROGRAM) {
    page = <LoyaltyProgram currency={currency} />;
  } else if (first === "new") {
    page = <CustomerForm />;
  } else if (first && second === "edit") {
    page = <CustomerForm customerId={first} />;
  } else if (first) {
    page = <CustomerPage customerId={first} currency={currency} />;
  } else {
    page = <CustomerList />;
  }
  const openTab = first === GIFT_CARDS || first === PROGRAM ? first : "";
  return (
    <section class="panel wide" aria-labelledby="customers-title">
      <h1 id="customers-title">{t("office.customers")}</h1>
      <nav class="tabs" aria-label={t("customers.pages")}>
        {tabs.map((tab) => (
          <a
            key={tab.id}
            href={href(tab.id ? ["customers", tab.id] : ["customers"])}
            aria-current={tab.id === openTab ? "page" : undefined}
          >
            {tab.label}
          </a>
        ))}
      </nav>
      {page}
    </section>
  );
}
