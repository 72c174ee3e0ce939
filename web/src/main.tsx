import { render } from "preact";

import { App } from "./App";
import { watchConnection } from "./connection";
import { useLocale } from "./i18n";
import "./styles.css";

useLocale(navigator.language);
watchConnection();
render(<App />, document.getElementById("root")!);
