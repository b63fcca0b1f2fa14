/** Deprecated alias of /api/server/version, as in WAHA. */
export { GET } from "../server/version/route";
