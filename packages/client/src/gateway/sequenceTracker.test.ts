import assert from "node:assert/strict";
import { test } from "node:test";
import { SequenceTracker } from "./sequenceTracker.js";

const ev = (s: number) => ({ s });
const delivered = (frames: { s: number }[]) => frames.map((f) => f.s);

test("in-order events are delivered at once; each heartbeat covers what arrived since the last", () => {
  const tracker = new SequenceTracker<{ s: number }>();
  assert.deepEqual(tracker.heartbeat(), {}, "nothing arrived: a keep-alive");
  assert.deepEqual(delivered(tracker.accept(ev(0))), [0]);
  assert.deepEqual(delivered(tracker.accept(ev(1))), [1]);
  assert.deepEqual(tracker.heartbeat(), { from: "0", to: "1" });
  assert.deepEqual(delivered(tracker.accept(ev(2))), [2]);
  assert.deepEqual(tracker.heartbeat(), { from: "2", to: "2" });
  assert.deepEqual(tracker.heartbeat(), {});
  assert.equal(tracker.lastContiguous, 2);
});

test("a gap holds later events back, is reported in except, and the re-sent event releases them in order", () => {
  const tracker = new SequenceTracker<{ s: number }>();
  tracker.accept(ev(0));
  tracker.heartbeat();
  assert.deepEqual(delivered(tracker.accept(ev(3))), [], "2 and 1 missing");
  assert.deepEqual(delivered(tracker.accept(ev(2))), []);
  assert.equal(tracker.waitingCount, 2);
  // The interval started at 1: 1 is reported missing although nothing below 2 arrived in it.
  assert.deepEqual(tracker.heartbeat(), { from: "1", to: "3", except: ["1"] });
  assert.equal(tracker.lastContiguous, 0, "resume would continue after 0");
  assert.deepEqual(delivered(tracker.accept(ev(1))), [1, 2, 3], "the ACK's re-send fills the gap");
  assert.deepEqual(delivered(tracker.accept(ev(2))), [], "a duplicate is dropped");
  assert.deepEqual(tracker.heartbeat(), { from: "1", to: "1" });
  assert.equal(tracker.lastContiguous, 3);
});

test("a gap still open at the next heartbeat is asked for again; numbers received earlier are not", () => {
  const tracker = new SequenceTracker<{ s: number }>();
  tracker.accept(ev(0));
  tracker.accept(ev(2));
  assert.deepEqual(tracker.heartbeat(), { from: "0", to: "2", except: ["1"] });
  tracker.accept(ev(3));
  assert.deepEqual(
    tracker.heartbeat(),
    { from: "1", to: "3", except: ["1"] },
    "2 arrived before: not missing",
  );
});

test("reset (a fresh Identify) hands over what waited behind a gap and numbers from 0 again", () => {
  const tracker = new SequenceTracker<{ s: number }>();
  tracker.accept(ev(0));
  tracker.accept(ev(5));
  tracker.accept(ev(4));
  assert.deepEqual(delivered(tracker.reset()), [4, 5]);
  assert.equal(tracker.lastContiguous, -1);
  assert.deepEqual(delivered(tracker.accept(ev(0))), [0]);
  assert.deepEqual(tracker.heartbeat(), { from: "0", to: "0" });
});

test("more missing than a heartbeat may list throws (the client resumes instead)", () => {
  const tracker = new SequenceTracker<{ s: number }>();
  tracker.accept(ev(0));
  tracker.accept(ev(20_000));
  assert.throws(() => tracker.heartbeat(), /resume instead/);
});
