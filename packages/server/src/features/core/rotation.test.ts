import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createIdCsr, parseIdCert, SigningKey, validateIdCert } from "@p2chat/polyproto";
import { startTestServer, type TestServer } from "../../testing.js";

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { P2_DOMAIN: "rot.test" } });
});
after(() => server.close());

async function account(localName: string) {
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await post("/.p2/auth/v1/register", { localName, password: "long enough pw" });
  const csr = await createIdCsr({
    signingKey: await SigningKey.generate(),
    fid: `${localName}@rot.test`,
    sessionId: "s1",
  });
  return (await (
    await post("/.p2/auth/v1/login", { localName, password: "long enough pw", csr: csr.pem })
  ).json()) as {
    token: string;
    idCertPem: string;
  };
}

test("root rotation: admin and sensitive only; old certs still verify against the root valid at their time", async () => {
  const admin = await account("admin");
  const user = await account("user");
  const rotate = (token: string, solution?: string) =>
    fetch(`${server.url}/.p2/core/v1/key/server`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        ...(solution ? { "x-p2-sensitive-solution": solution } : {}),
      },
    });
  assert.equal((await rotate(admin.token)).status, 401);
  assert.equal((await rotate(admin.token, "wrong password")).status, 403);
  assert.equal((await rotate(user.token, "long enough pw")).status, 403, "not an admin");
  const before = (await (await fetch(`${server.url}/.p2/core/v1/idcert/server`)).json()) as {
    idCertPem: string;
  };
  const at = Math.floor(Date.now() / 1000);
  await new Promise((r) => setTimeout(r, 1100));
  const rotated = await rotate(admin.token, "long enough pw");
  assert.equal(rotated.status, 200);
  const newRootPem = await rotated.text();
  const now = (await (await fetch(`${server.url}/.p2/core/v1/idcert/server`)).json()) as {
    idCertPem: string;
  };
  assert.equal(now.idCertPem, newRootPem);
  assert.notEqual(now.idCertPem, before.idCertPem);
  const old = (await (await fetch(`${server.url}/.p2/core/v1/idcert/server?timestamp=${at}`)).json()) as {
    idCertPem: string;
  };
  assert.equal(old.idCertPem, before.idCertPem);
  const oldRoot = await parseIdCert(old.idCertPem);
  await validateIdCert(await parseIdCert(user.idCertPem), oldRoot as never);
  const newRoot = await parseIdCert(newRootPem);
  await assert.rejects(validateIdCert(await parseIdCert(user.idCertPem), newRoot as never));
  // New logins get certs under the new root.
  const fresh = await account("later");
  await validateIdCert(await parseIdCert(fresh.idCertPem), newRoot as never);
});
