/** A benchmark's child process driven over IPC: `call` sends a command and resolves with its answer. */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export class Worker {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<{ url?: string }>;

  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`${code}: child exited before it was ready`)));
      child.on(
        "message",
        (message: { ready?: boolean; url?: string; id?: number; result?: unknown; error?: string }) => {
          if (message.ready) resolve(message);
          else if (message.id !== undefined) {
            const waiter = this.pending.get(message.id);
            this.pending.delete(message.id);
            if (message.error) waiter?.reject(new Error(message.error));
            else waiter?.resolve(message.result);
          }
        },
      );
    });
  }

  static start(file: string, env: Record<string, string> = {}, execArgv: string[] = []): Worker {
    return new Worker(
      fork(fileURLToPath(new URL(file, import.meta.url)), [], {
        execArgv: ["--import", "tsx", ...execArgv],
        env: { ...process.env, ...env },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      }),
    );
  }

  call<T>(command: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, command });
    });
  }
}
