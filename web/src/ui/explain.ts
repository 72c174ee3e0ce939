import { ApiFailure, Unreachable } from "../api";
import { t } from "../i18n";

/** What to tell the person about a failed request. */
export function explain(failure: unknown): string {
  if (failure instanceof Unreachable) return t("error.unreachable");
  if (failure instanceof ApiFailure && failure.error.status < 500) return failure.error.message;
  return t("error.generic");
}
