import assert from "node:assert/strict";
import { test } from "node:test";
import { readVectorJson } from "../vectors.test-helper.js";
import {
  CLIENT_CORE_OPS,
  ChatOp,
  CoreOp,
  canResumeAfterClose,
  GATEWAY_CLOSE_CODES,
  GatewayCloseCode,
  gatewayCloseCodeInfo,
  isKnownOp,
  MlsOp,
  SERVER_CORE_OPS,
} from "./opcodes.js";

interface OpcodeVectors {
  opcodes_core_namespace: { op: number; name: string; direction: string }[];
  close_codes: { code: number; name: string; resumable: boolean; sent_by: string }[];
  chat_namespace_opcodes_from_outdated_chat_spec: string[];
}
const vectors = readVectorJson<OpcodeVectors>("gateway/opcodes_and_shapes.json");

const squash = (name: string) => name.replace(/[^a-z]/gi, "").toLowerCase();

test("core ops 0–11 are the spec's table, 12 is Ready (PROFILE §5)", () => {
  const ours = Object.entries(CoreOp);
  assert.equal(ours.length, 13);
  for (const { op, name, direction } of vectors.opcodes_core_namespace) {
    const entry = ours.find(([, value]) => value === op);
    assert.ok(entry, `op ${op}`);
    // Our names spell the table's out: "Heartbeat ACK" → HeartbeatAck, "Heartbeat Request" → HeartbeatRequest.
    assert.equal(squash(entry[0]), squash(name), `op ${op} name`);
    const clientSends = direction === "client->server" || direction === "both";
    const serverSends = direction === "server->client" || direction === "both";
    assert.equal(CLIENT_CORE_OPS.has(op as CoreOp), clientSends, `op ${op} client-sent`);
    assert.equal(SERVER_CORE_OPS.has(op as CoreOp), serverSends, `op ${op} server-sent`);
  }
  assert.equal(CoreOp.Ready, 12);
  assert.ok(SERVER_CORE_OPS.has(CoreOp.Ready) && !CLIENT_CORE_OPS.has(CoreOp.Ready));
  assert.equal(CoreOp.HeartbeatRequest, 11);
});

test("chat ops: 0–9 as the upstream chat draft, 10–20 ours (PROFILE §5)", () => {
  const upstream = vectors.chat_namespace_opcodes_from_outdated_chat_spec.map((line) => {
    const [op, ...name] = line.split(" ");
    return { op: Number(op), name: name.join("") };
  });
  for (const { op, name } of upstream) {
    assert.equal(ChatOp[name as keyof typeof ChatOp], op, name);
  }
  assert.deepEqual(
    Object.values(ChatOp),
    Array.from({ length: 21 }, (_, i) => i),
  );
  assert.equal(ChatOp.ReactionAdd, 10);
  assert.equal(ChatOp.DmMessageCreate, 20);
  assert.deepEqual(Object.values(MlsOp), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(MlsOp.MemberJoined, 5);
  assert.equal(MlsOp.GroupReset, 6);
});

test("isKnownOp: per namespace, nothing for unknown namespaces", () => {
  assert.ok(isKnownOp("core", 0) && isKnownOp("core", 12) && !isKnownOp("core", 13));
  assert.ok(isKnownOp("chat", 20) && !isKnownOp("chat", 21));
  assert.ok(isKnownOp("mls", 6) && !isKnownOp("mls", 7));
  assert.ok(!isKnownOp("voice", 0));
  assert.ok(!isKnownOp("core", -1) && !isKnownOp("core", 1.5));
});

test("close codes 4000–4010: names and resumability as the spec's table", () => {
  assert.equal(Object.keys(GATEWAY_CLOSE_CODES).length, 11);
  for (const { code, name, resumable, sent_by } of vectors.close_codes) {
    const info = gatewayCloseCodeInfo(code);
    assert.ok(info, String(code));
    assert.equal(info.code, code);
    // The vector spells 4010 "Unresumeable"; the spec's table "Unresumable".
    assert.equal(squash(info.name), squash(name).replace("unresumeable", "unresumable"), String(code));
    assert.equal(info.resumable, resumable, `${code} resumable`);
    assert.equal(info.sentByServer, sent_by !== "-", `${code} sent by server`);
    assert.equal(info.sentByClient, sent_by.startsWith("server+client"), `${code} sent by client`);
  }
  assert.equal(gatewayCloseCodeInfo(1000), undefined);
  assert.equal(gatewayCloseCodeInfo(4011), undefined);
});

test("close codes: resuming depends on who closed (4009 only if the server did)", () => {
  assert.equal(canResumeAfterClose(GatewayCloseCode.Timeout, "server"), true);
  assert.equal(canResumeAfterClose(GatewayCloseCode.Timeout, "client"), false);
  assert.equal(canResumeAfterClose(GatewayCloseCode.UnknownError, "client"), true);
  assert.equal(canResumeAfterClose(GatewayCloseCode.Unresumable, "server"), false);
  assert.equal(canResumeAfterClose(1006, "server"), undefined);
});

test("close codes: reconnecting makes no sense with a bad token or an undefined code", () => {
  const noReconnect = Object.values(GATEWAY_CLOSE_CODES)
    .filter((info) => !info.reconnect)
    .map((info) => info.code);
  assert.deepEqual(noReconnect, [4003, 4004, 4006]);
  // Every resumable code is also one to reconnect after.
  for (const info of Object.values(GATEWAY_CLOSE_CODES)) if (info.resumable) assert.ok(info.reconnect);
});
