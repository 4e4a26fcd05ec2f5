/**
 * bench/polyproto — protocol-package throughput on one core (every operation runs on the main
 * thread, one after another): signed-message verifications/s, cert issuances/s, cert validations/s.
 * Targets (issue: project foundation): ≥ 5,000 verifications/s, ≥ 1,000 issuances/s.
 */
import {
  createEnvelope,
  createIdCsr,
  createRootCert,
  issueIdCert,
  parseIdCert,
  parseIdCsr,
  SigningKey,
  signEnvelope,
  validateIdCert,
  verifyEnvelope,
} from "@p2chat/polyproto";
import { measureRate, printFigure } from "./measure.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rootKey = await SigningKey.generate();
const root = await createRootCert({ signingKey: rootKey, domain: "bench.example" });
const actorKey = await SigningKey.generate();
const csr = await parseIdCsr(
  (await createIdCsr({ signingKey: actorKey, fid: "alice@bench.example", sessionId: "s1" })).pem,
);
const cert = await issueIdCert({ csr, issuerKey: rootKey, rootCert: root });

const envelope = createEnvelope({
  kind: "chat.message",
  to: "chat:channel:bench.example/01JD0000000000000000000000",
  author: "alice@bench.example",
  session: "s1",
  serial: cert.serial,
  body: { content: "The quick brown fox jumps over the lazy dog. ".repeat(4) },
});
const signature = await signEnvelope(actorKey, envelope);

console.log(`bench/polyproto — ${seconds} s per figure, one core, Node ${process.version}`);

const verify = await measureRate(async () => {
  if (!(await verifyEnvelope(cert.publicKey, envelope, signature))) throw new Error("verification failed");
}, seconds);
printFigure("signed-message verifications/s", verify.perSecond, "/s", { min: 5000 });

const sign = await measureRate(() => signEnvelope(actorKey, envelope), seconds);
printFigure("signed-message signatures/s", sign.perSecond, "/s");

let serial = 1n;
const issue = await measureRate(
  () => issueIdCert({ csr, issuerKey: rootKey, rootCert: root, serial: serial++ }),
  seconds,
);
printFigure("cert issuances/s (parsed CSR)", issue.perSecond, "/s", { min: 1000 });

const issueFromPem = await measureRate(
  async () =>
    issueIdCert({ csr: await parseIdCsr(csr.pem), issuerKey: rootKey, rootCert: root, serial: serial++ }),
  seconds,
);
printFigure("cert issuances/s (CSR PEM parsed and verified)", issueFromPem.perSecond, "/s");

const validate = await measureRate(() => validateIdCert(cert, root), seconds);
printFigure("cert validations/s (parsed cert)", validate.perSecond, "/s");

const parseAndValidate = await measureRate(
  async () => validateIdCert(await parseIdCert(cert.pem), root),
  seconds,
);
printFigure("cert validations/s (PEM parsed, then validated)", parseAndValidate.perSecond, "/s");
