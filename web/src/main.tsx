import { render } from "preact";

import { App } from "./App";
import { watchConnection } from "./connection";
import { useLocale } from "./i18n";
import { keepWhoIsSignedIn } from "./offline/kept";
import { watchOutbox } from "./offline/outbox";
import { installShellWorker } from "./offline/worker";
import "./styles.css";

useLocale(navigator.language);
watchConnection();
// Offline selling: the shell cached, who is signed in kept, waiting sales sent when online.
installShellWorker();
keepWhoIsSignedIn();
watchOutbox();
render(<App />, document.getElementById("root")!);
