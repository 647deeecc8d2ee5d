// The grammY peer of botvisor's `echo` bot (issue 12's benchmarks, BENCHMARKS.md): an echo bot written as grammY's
// documentation recommends for production with simple long polling — bot.start(), an error handler (bot.catch), the
// auto-retry plugin (@grammyjs/auto-retry) for 429, 5xx and network errors, and bot.stop() on SIGINT/SIGTERM so that
// the last offset is confirmed. The reply is ctx.reply(text), which sets nothing else.
//
// Environment (never argv: PM2 and ps show argv): TELEGRAM_BOT_TOKEN (required), TELEGRAM_API_ROOT (the Bot API
// server, e.g. http://127.0.0.1:8081, no trailing slash; default Telegram's), GRAMMY_VARIANT=recommended (default) or
// defaults: grammY's quickstart as it is — no plugin, no error handler, no signal handlers.
// Run: TELEGRAM_BOT_TOKEN=123:abc TELEGRAM_API_ROOT=http://127.0.0.1:8081 node grammy-echo.js
"use strict";
const { Bot, GrammyError, HttpError } = require("grammy");
const { autoRetry } = require("@grammyjs/auto-retry");

const token = process.env.TELEGRAM_BOT_TOKEN;
const apiRoot = process.env.TELEGRAM_API_ROOT || undefined;
const variant = process.env.GRAMMY_VARIANT || "recommended";
if (!token) {
  console.error("grammy-echo: TELEGRAM_BOT_TOKEN is not set (expected <bot id>:<secret>); nothing was started");
  process.exit(2);
}
if (variant !== "recommended" && variant !== "defaults") {
  console.error(`grammy-echo: GRAMMY_VARIANT "${variant}" is not a variant (expected recommended or defaults)`);
  process.exit(2);
}

const bot = new Bot(token, { client: { apiRoot } });
bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));

if (variant === "recommended") {
  bot.api.config.use(autoRetry());
  // grammY's error-handling guide, as written there.
  bot.catch((err) => {
    const e = err.error;
    console.error(`grammy-echo: error while handling update ${err.ctx.update.update_id}:`);
    if (e instanceof GrammyError) {
      console.error("grammy-echo: error in request:", e.description);
    } else if (e instanceof HttpError) {
      console.error("grammy-echo: could not contact the Bot API server:", e.message);
    } else {
      console.error("grammy-echo: unknown error:", e);
    }
  });
  // grammY's reliability guide: stop long polling on shutdown (confirms the last offset).
  process.once("SIGINT", () => bot.stop());
  process.once("SIGTERM", () => bot.stop());
}

bot.start({
  onStart: (me) => console.log(`grammy-echo: @${me.username} (${variant}) polling ${apiRoot || "api.telegram.org"}`),
});
