// The `copy-data` command's entry (server/copy-data.ts): `npm run copy-data` runs it through scripts/copy-data.mjs.
import { copyDataCommand } from "./copy-data";

process.exitCode = await copyDataCommand(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
