import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server.ts";
import { startBackgroundWorker } from "./worker/background.server.ts";
import { assertServerConfig } from "./config.server.ts";
import { isStopping, stopGracefullyOnSignals } from "./shutdown.server.ts";

const ABORT_DELAY = 5000;

// Fail at start-up, naming every problem, rather than on the first request or webhook.
assertServerConfig();
// The inbox worker runs as a child of the web process by default (one process to deploy);
// set BACKORDER_WORKER=off to run `npm run worker` separately instead.
startBackgroundWorker();
stopGracefullyOnSignals();

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  if (isStopping()) responseHeaders.set("Connection", "close"); // see shutdown.server.ts
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}
