// Never download a browser: Switchboard drives Debian's Chromium (see server/env.ts for the path).
module.exports = { skipDownload: true };
