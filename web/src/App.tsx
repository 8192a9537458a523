// The dashboard's shell: sign-in, navigation, and the pages by hash route (/#/experiments/<id>).
import { lazy, Suspense, useEffect, useState } from "react";
import { Link, Route, Router, Switch } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";
import { api, ok, onSignedOut } from "./api/client";
import { useLoad } from "./api/useLoad";
import { forgetToken, savedToken, saveToken } from "./api/token";
import { EventLog } from "./pages/EventLog";
import { ExperimentList } from "./pages/ExperimentList";
import { ExperimentPage } from "./pages/ExperimentPage";
import { SignIn } from "./pages/SignIn";
import { Loading } from "./components/Status";

// The builder (React Flow, YAML) loads when it is first opened, not with every page.
const Builder = lazy(() => import("./pages/Builder").then((m) => ({ default: m.Builder })));

/** A sign-in link (`phoenix dashboard`) carries the token as #/signin?token=…: kept for this tab
 * and taken out of the address bar and history at once. */
function tokenFromLink(): void {
  const hash = window.location.hash;
  const query = hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : "";
  const token = new URLSearchParams(query).get("token");
  if (token) {
    saveToken(token);
    window.history.replaceState(null, "", `${window.location.pathname}#/`);
  }
}

function Caller() {
  const me = useLoad(["whoami"], () => ok(api.GET("/api/v1/whoami")));
  if (!me.data) return null;
  return (
    <span className="caller" data-testid="caller">
      {me.data.subject} ({me.data.roles.join(", ")})
    </span>
  );
}

export function App() {
  const [signedIn, setSignedIn] = useState(() => {
    tokenFromLink();
    return savedToken() !== null;
  });
  useEffect(() => onSignedOut(() => setSignedIn(false)), []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <Router hook={useHashLocation}>
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Phoenix</span>
        <nav aria-label="Main">
          <Link href="/">Experiments</Link>
          <Link href="/builder">Pipeline builder</Link>
          <Link href="/log">Event log</Link>
        </nav>
        <Caller />
        <button
          type="button"
          className="link"
          onClick={() => {
            forgetToken();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/" component={ExperimentList} />
          <Route path="/experiments/:id">{(params) => <ExperimentPage id={params.id} />}</Route>
          <Route path="/builder">
            <Suspense fallback={<Loading what="the builder" />}>
              <Builder />
            </Suspense>
          </Route>
          <Route path="/log" component={EventLog} />
          <Route>
            <p role="alert">
              There is no such page. <Link href="/">Back to the experiments</Link>
            </p>
          </Route>
        </Switch>
      </main>
    </Router>
  );
}
