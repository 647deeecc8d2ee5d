// Writes a PM2 ecosystem file for N grammY echo bots (grammy-echo.js), one process each in fork mode (what PM2 runs
// a non-cluster Node app as), each with a token of its own, all against one Bot API server.
// Usage: node pm2-ecosystem.js N API_ROOT OUT.config.js [LOG_DIR] [VARIANT]   (env PM2_PMX=false: no @pm2/io)
// Tokens are bench tokens, `<7000000000 + i>:<35 characters>`, the shape of Telegram's: any well-formed token is a bot
// on the sandbox. They are in the apps' env (PM2 shows env only to whoever owns its home), never in argv.
"use strict";
const fs = require("fs");
const path = require("path");

const [n, apiRoot, out, logDir, variant] = process.argv.slice(2);
if (!/^[1-9][0-9]*$/.test(n || "") || !/^https?:\/\/[^/]+.*[^/]$/.test(apiRoot || "") || !out) {
  console.error("usage: node pm2-ecosystem.js N API_ROOT OUT.config.js [LOG_DIR] [recommended|defaults]"
      + " (API_ROOT e.g. http://127.0.0.1:8081, no trailing slash)");
  process.exit(2);
}
const logs = logDir || path.join(path.dirname(path.resolve(out)), "logs");
const script = path.join(__dirname, "grammy-echo.js");

// token(i) is shared with the harness (same shape and ids), so it can name the bots to the sandbox.
function token(i) {
  const secret = ("AAbenchGrammy" + String(i).padStart(6, "0") + "x".repeat(35)).slice(0, 35);
  return `${7000000000 + i}:${secret}`;
}

const apps = [];
for (let i = 1; i <= Number(n); i++) {
  apps.push({
    name: `grammy-${i}`,
    script,
    cwd: __dirname,
    exec_mode: "fork",
    instances: 1,
    autorestart: true,
    env: {
      NODE_ENV: "production",
      TELEGRAM_BOT_TOKEN: token(i),
      TELEGRAM_API_ROOT: apiRoot,
      GRAMMY_VARIANT: variant || "recommended",
    },
    // PM2_PMX=false: without PM2's in-process metrics module (@pm2/io), which PM2 loads into every app by default.
    ...(process.env.PM2_PMX === "false" ? { pmx: false } : {}),
    merge_logs: true, // no instance-number suffix on the log files' names
    out_file: path.join(logs, `grammy-${i}.out.log`),
    error_file: path.join(logs, `grammy-${i}.err.log`),
  });
}
fs.writeFileSync(out, "module.exports = " + JSON.stringify({ apps }, null, 2) + ";\n");
console.log(`${apps.length} grammY echo bots against ${apiRoot} in ${out}`);
