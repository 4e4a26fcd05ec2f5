/**
 * The message side of polyproto-chat (PROFILE §7.1): messages, reactions, pins, typing, read states
 * and attachments under `/.p2/chat/v1`, for local and foreign actors alike (any live session).
 */
import { RATE_LIMITS, RateLimiter } from "../../http/rateLimit.js";
import type { FeaturePlugin } from "../context.js";
import { ack } from "./routes/ack.js";
import { addReaction } from "./routes/addReaction.js";
import { createMessage } from "./routes/createMessage.js";
import { deleteMessage } from "./routes/deleteMessage.js";
import { editMessage } from "./routes/editMessage.js";
import { getAttachment } from "./routes/getAttachment.js";
import { listMessages } from "./routes/listMessages.js";
import { listPins } from "./routes/listPins.js";
import { listReactors } from "./routes/listReactors.js";
import { pinMessage } from "./routes/pinMessage.js";
import { readStates } from "./routes/readStates.js";
import { removeReaction } from "./routes/removeReaction.js";
import { typing } from "./routes/typing.js";
import { unpinMessage } from "./routes/unpinMessage.js";
import { uploadAttachment } from "./routes/uploadAttachment.js";

export const messagesPlugin: FeaturePlugin = async (app, { config, services }) => {
  const { messages, attachments, sessions } = services;
  const messageLimiter = new RateLimiter(RATE_LIMITS.messages, { enabled: config.rateLimits });
  createMessage(app, messages, sessions, messageLimiter);
  listMessages(app, messages, sessions);
  editMessage(app, messages, sessions);
  deleteMessage(app, messages, sessions);
  addReaction(app, messages, sessions);
  removeReaction(app, messages, sessions);
  listReactors(app, messages, sessions);
  pinMessage(app, messages, sessions);
  unpinMessage(app, messages, sessions);
  listPins(app, messages, sessions);
  typing(app, messages, sessions);
  ack(app, messages, sessions);
  readStates(app, messages, sessions);
  await uploadAttachment(app, attachments, sessions);
  getAttachment(app, attachments, sessions);
};
