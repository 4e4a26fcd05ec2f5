// The composed app over real HTTP: health, the OpenAPI document, the docs page, draining on close.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DOCS_PATH, OPENAPI_PATH } from "./http/openapi.js";
import { type TestServer, startTestServer } from "./testing.js";

describe("app", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { P2_DOMAIN: "example.chat" } });
  });
  after(() => server.close());

  it("answers GET /healthz with ok while the database answers", async () => {
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
  });

  it("serves the OpenAPI document, listing the health route", async () => {
    const response = await fetch(`${server.url}${OPENAPI_PATH}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const document = JSON.parse(await response.text());
    assert.equal(document.openapi, "3.1.0");
    assert.match(document.info.title, /example\.chat/);
    const health = document.paths["/healthz"]?.get;
    assert.ok(health, "GET /healthz is documented");
    const status = health.responses["200"].content["application/json"].schema.properties.status;
    assert.deepEqual(status.enum ?? [status.const], ["ok"]);
    assert.ok(health.responses["503"], "the error response is documented");
    assert.equal(document.paths[OPENAPI_PATH], undefined, "the document does not list itself");
  });

  it("serves a docs page whose assets come from this server", async () => {
    const page = await fetch(`${server.url}${DOCS_PATH}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    const html = await page.text();
    assert.match(html, /swagger-ui/);
    assert.doesNotMatch(html, /(src|href)="https?:/, "no asset from another host");
    const bundle = await fetch(`${server.url}${DOCS_PATH}/static/swagger-ui-bundle.js`);
    assert.equal(bundle.status, 200);
    assert.ok((await bundle.arrayBuffer()).byteLength > 100_000);
  });
});

describe("health without a database", () => {
  it("answers 503 P2CORE_UNAVAILABLE when the database does not answer", async () => {
    const server = await startTestServer();
    try {
      await server.storage.close();
      const response = await fetch(`${server.url}/healthz`);
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), {
        errcode: 503,
        error: "P2CORE_UNAVAILABLE",
        message: "the database does not answer",
      });
    } finally {
      await server.close();
    }
  });
});

describe("closing the app", () => {
  it("finishes in-flight requests before it stops", async () => {
    let started!: () => void;
    const requestStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await startTestServer({
      routes: (app) => {
        app.get("/test/slow", async () => {
          started();
          await new Promise((resolve) => setTimeout(resolve, 300));
          return { done: true };
        });
      },
    });
    const inFlight = fetch(`${server.url}/test/slow`);
    await requestStarted;
    const closeStarted = Date.now();
    const closing = server.close();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { done: true });
    // The keep-alive connection ends with the response instead of holding close() for 72 s.
    assert.equal(response.headers.get("connection"), "close");
    await closing;
    assert.ok(Date.now() - closeStarted < 5000, "close() did not wait for the keep-alive timeout");
    await assert.rejects(fetch(`${server.url}/healthz`), "no longer accepting connections");
  });
});
