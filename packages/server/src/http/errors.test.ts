// Error bodies of PROFILE §4 as a client sees them: over real HTTP on loopback.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseFederationId } from "@p2chat/polyproto";
import { Type } from "typebox";
import { type TestServer, startTestServer } from "../testing.js";
import { P2Error } from "./errors.js";

const BODY_LIMIT = 1024;

let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: { P2_BODY_LIMIT: String(BODY_LIMIT) },
    routes: (app) => {
      app.post(
        "/test/echo",
        { schema: { body: Type.Object({ count: Type.Integer(), name: Type.String() }) } },
        async (request) => request.body,
      );
      app.get(
        "/test/query",
        { schema: { querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100 }) }) } },
        async (request) => ({ limit: request.query.limit }),
      );
      app.get("/test/polyproto", async () => parseFederationId("not a federation id"));
      app.get("/test/p2error", async () => {
        throw new P2Error(409, "P2CORE_FEDERATION_ID_TAKEN", "alice@localhost is taken");
      });
      app.get("/test/bug", async () => {
        throw new TypeError("secret internals: cannot read properties of undefined");
      });
    },
  });
});
after(() => server.close());

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type"), body: JSON.parse(text) };
}

function postJson(path: string, body: string, contentType = "application/json") {
  return call(path, { method: "POST", headers: { "content-type": contentType }, body });
}

describe("error bodies over HTTP", () => {
  it("passes a valid request through", async () => {
    const response = await postJson("/test/echo", JSON.stringify({ count: 2, name: "x" }));
    assert.deepEqual(response, {
      status: 200,
      type: "application/json; charset=utf-8",
      body: { count: 2, name: "x" },
    });
  });

  it("answers malformed JSON with 400", async () => {
    const response = await postJson("/test/echo", '{"count": 2,');
    assert.equal(response.status, 400);
    assert.match(response.type ?? "", /^application\/json/);
    assert.deepEqual(response.body, {
      errcode: 400,
      error: "P2CORE_INVALID_REQUEST",
      message: "request body is not valid JSON",
    });
  });

  it("answers a wrong type with 400 naming the field, without coercing bodies", async () => {
    const response = await postJson("/test/echo", JSON.stringify({ count: "5", name: "x" }));
    assert.equal(response.status, 400);
    assert.equal(response.body.errcode, 400);
    assert.equal(response.body.error, "P2CORE_INVALID_REQUEST");
    assert.match(response.body.message, /body\/count must be integer/);
  });

  it("answers a missing field with 400 naming it", async () => {
    const response = await postJson("/test/echo", JSON.stringify({ count: 1 }));
    assert.equal(response.status, 400);
    assert.match(response.body.message, /must have required property 'name'/);
  });

  it("coerces query strings but rejects what does not fit, naming the parameter", async () => {
    assert.deepEqual((await call("/test/query?limit=5")).body, { limit: 5 });
    const response = await call("/test/query?limit=many");
    assert.equal(response.status, 400);
    assert.equal(response.body.error, "P2CORE_INVALID_REQUEST");
    assert.match(response.body.message, /querystring\/limit must be integer/);
  });

  it("answers a body over the limit with 413", async () => {
    const big = JSON.stringify({ count: 1, name: "x".repeat(BODY_LIMIT) });
    const response = await postJson("/test/echo", big);
    assert.equal(response.status, 413);
    assert.deepEqual(response.body, {
      errcode: 413,
      error: "P2CORE_PAYLOAD_TOO_LARGE",
      message: "request body is larger than this server accepts",
    });
  });

  it("answers an unsupported content type with 415", async () => {
    const response = await postJson("/test/echo", "count=1", "application/x-www-form-urlencoded");
    assert.equal(response.status, 415);
    assert.equal(response.body.errcode, 415);
    assert.equal(response.body.error, "P2CORE_UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers an unknown route with 404", async () => {
    const response = await call("/.p2/core/v1/nothing-here?x=1");
    assert.deepEqual(response.body, {
      errcode: 404,
      error: "P2CORE_NOT_FOUND",
      message: "no route GET /.p2/core/v1/nothing-here",
    });
  });

  it("maps a PolyprotoError to 400 with its code", async () => {
    const response = await call("/test/polyproto");
    assert.equal(response.status, 400);
    assert.equal(response.body.errcode, 400);
    assert.equal(response.body.error, "P2CORE_INVALID_FEDERATION_ID");
    assert.match(response.body.message, /not a federation ID/);
  });

  it("maps a P2Error to its status and code", async () => {
    const response = await call("/test/p2error");
    assert.deepEqual(response, {
      status: 409,
      type: "application/json; charset=utf-8",
      body: { errcode: 409, error: "P2CORE_FEDERATION_ID_TAKEN", message: "alice@localhost is taken" },
    });
  });

  it("answers anything else with 500 without leaking it, and keeps serving", async () => {
    const response = await call("/test/bug");
    assert.deepEqual(response.body, {
      errcode: 500,
      error: "P2CORE_INTERNAL",
      message: "internal server error",
    });
    assert.equal((await call("/healthz")).status, 200);
  });
});
