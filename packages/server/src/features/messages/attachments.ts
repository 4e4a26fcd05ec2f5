/**
 * Attachments (PROFILE §4, §7.1): uploads as raw bodies, metadata in storage, bytes in
 * `<dataDir>/attachments/<id>`. An upload belongs to its uploader until a message of theirs
 * references it (`body.attachments`); from then on it is served to whoever may read that message's
 * history — and to nobody else: any other request gets the same 404 as an unknown ID.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { hasPermission, Permission } from "@p2chat/polyproto";
import { ulidFactory } from "./ids.js";
import { P2Error } from "../../http/errors.js";
import type { AttachmentRecord, AttachmentStore } from "../../storage/attachmentStore.js";
import type { ChatAccess } from "../chat/access.js";
import type { Session } from "../sessions/service.js";

/** Unreferenced uploads are removed after this long. */
export const UNCLAIMED_TTL_MS = 24 * 3600 * 1000;
/** An actor's unreferenced uploads may add up to this many times the size limit. */
export const UNCLAIMED_QUOTA_FACTOR = 4;
const SWEEP_EVERY_MS = 3600 * 1000;
const FILE_ID = /^[0-9A-Z]{26}$/;

/** The attachment files of a data directory. */
export class AttachmentFiles {
  readonly dir: string;
  private ready: Promise<unknown> | undefined;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "attachments");
  }

  path(id: string): string {
    // IDs are ULIDs this server made; anything else never reaches the file system.
    if (!FILE_ID.test(id)) throw new Error(`not an attachment ID: ${id}`);
    return join(this.dir, id);
  }

  /**
   * Streams `source` into the file of `id`; resolves with the bytes written, or rejects (leaving no
   * file) when the stream fails or carries more than `maxBytes`.
   */
  async write(id: string, source: Readable, maxBytes: number): Promise<number> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    const partial = `${this.path(id)}.part`;
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > maxBytes)
          done(new P2Error(413, "P2CORE_PAYLOAD_TOO_LARGE", "the attachment is larger than announced"));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(source, counter, createWriteStream(partial, { flags: "wx", mode: 0o600 }));
      await rename(partial, this.path(id));
      return bytes;
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async remove(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.filter((id) => FILE_ID.test(id)).map((id) => rm(this.path(id), { force: true })));
  }
}

export interface AttachmentUpload {
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
  readonly filename: string | undefined;
  readonly body: Readable;
}

export interface AttachmentServiceOptions {
  readonly publicUrl: string;
  /** PROFILE §4: 25 MiB by default (`attachmentMaxBytes`). */
  readonly maxBytes: number;
  /** Media types accepted (`attachmentTypes`): `type/subtype`, `type/*` or `*`. */
  readonly allowedTypes: readonly string[];
  readonly attachments: AttachmentStore;
  readonly files: AttachmentFiles;
  readonly access: ChatAccess;
}

const notFound = () => new P2Error(404, "P2CHAT_NOT_FOUND", "unknown attachment");

/** `type/subtype` of a Content-Type header, lowercased, without parameters; undefined if malformed. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : undefined;
}

export class AttachmentService {
  private readonly nextId = ulidFactory();
  private lastSweep = 0;

  constructor(private readonly options: AttachmentServiceOptions) {}

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  url(id: string): string {
    return `${this.options.publicUrl}/.p2/chat/v1/attachments/${id}`;
  }

  allows(mediaType: string): boolean {
    const allowed = this.options.allowedTypes;
    return (
      allowed.includes("*") || allowed.includes(mediaType) || allowed.includes(`${mediaType.split("/")[0]}/*`)
    );
  }

  /**
   * Checks what the headers announce before a byte is read: a Content-Length (411 without one) within
   * the limit (413), an allowed Content-Type (415), the uploader's quota of unreferenced uploads (413).
   */
  async upload(
    session: Session,
    upload: AttachmentUpload,
    now = Date.now(),
  ): Promise<{ id: string; url: string }> {
    const { maxBytes, attachments, files } = this.options;
    if (upload.contentLength === undefined) {
      throw new P2Error(411, "P2CORE_LENGTH_REQUIRED", "an attachment needs a Content-Length");
    }
    if (!/^[0-9]{1,16}$/.test(upload.contentLength)) {
      throw new P2Error(400, "P2CORE_INVALID_REQUEST", "Content-Length must be a number of bytes");
    }
    const size = Number(upload.contentLength);
    if (size > maxBytes) {
      throw new P2Error(413, "P2CORE_PAYLOAD_TOO_LARGE", `an attachment may have at most ${maxBytes} bytes`);
    }
    if (size === 0)
      throw new P2Error(400, "P2CHAT_EMPTY_ATTACHMENT", "an attachment needs at least one byte");
    const mediaType = mediaTypeOf(upload.contentType);
    if (!mediaType || !this.allows(mediaType)) {
      throw new P2Error(
        415,
        "P2CHAT_ATTACHMENT_TYPE_NOT_ALLOWED",
        `attachments of type ${mediaType ?? "(none)"} are not accepted here`,
      );
    }
    await this.sweep(now);
    if ((await attachments.unclaimedBytes(session.fid)) + size > maxBytes * UNCLAIMED_QUOTA_FACTOR) {
      throw new P2Error(
        413,
        "P2CHAT_ATTACHMENT_QUOTA",
        "too many bytes in uploads no message references yet: send or wait for them to expire",
      );
    }
    const id = this.nextId(now);
    let written: number;
    try {
      written = await files.write(id, upload.body, size);
    } catch (error) {
      if (error instanceof P2Error) throw error;
      throw new P2Error(400, "P2CORE_INVALID_REQUEST", "the upload did not complete");
    }
    if (written !== size) {
      await files.remove([id]);
      throw new P2Error(400, "P2CORE_INVALID_REQUEST", "the upload did not complete");
    }
    try {
      await attachments.insert({
        id,
        uploaderFid: session.fid,
        contentType: mediaType,
        size,
        filename: upload.filename ?? null,
        createdAt: now,
      });
    } catch (error) {
      await files.remove([id]);
      throw error;
    }
    return { id, url: this.url(id) };
  }

  /**
   * The attachment and its file path, if the caller uploaded it or may read the history of the
   * channel of the message that references it; 404 otherwise, whether or not it exists.
   */
  async open(session: Session, id: string): Promise<{ record: AttachmentRecord; path: string }> {
    if (!FILE_ID.test(id)) throw notFound();
    const record = await this.options.attachments.find(id);
    if (!record) throw notFound();
    if (record.uploaderFid !== session.fid) {
      if (record.channelId === null) throw notFound();
      try {
        const view = await this.options.access.channelFor(session.fid, record.channelId);
        if (!hasPermission(view.permissions, Permission.READ_MESSAGE_HISTORY)) throw notFound();
      } catch (error) {
        if (error instanceof P2Error && error.status === 404) throw notFound();
        throw error;
      }
    }
    return { record, path: this.options.files.path(id) };
  }

  /** Removes unreferenced uploads older than a day, at most once an hour. */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    await this.options.files.remove(await this.options.attachments.deleteUnclaimed(now - UNCLAIMED_TTL_MS));
  }
}
