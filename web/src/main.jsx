// GraphiQL for the HĐND service, served from the service's own origin (see api/graphiql.py).
// The page passes the tour, the headers note and the workers' URLs as JSON in the HTML.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';

const config = JSON.parse(
  document.getElementById('hdnd-graphiql-config').textContent,
);

// Monaco runs its language services in workers, built beside this file.
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const url = config.workers[label] ?? config.workers.editor;
    return new Worker(url, { name: label });
  },
};

const url = new URL('/graphql', window.location.href);
const subscriptionUrl = new URL(url);
subscriptionUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';

// HTTP for queries and mutations; graphql-transport-ws for subscriptions, whose
// `connection_init` carries the headers pane (so a token signs the WebSocket in too).
const fetcher = createGraphiQLFetcher({
  url: url.toString(),
  subscriptionUrl: subscriptionUrl.toString(),
});

const plugins = [explorerPlugin()];

createRoot(document.getElementById('graphiql')).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      plugins={plugins}
      defaultTabs={config.tabs}
      defaultHeaders={config.headers}
      defaultEditorToolsVisibility="headers"
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
