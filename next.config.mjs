/** @type {import('next').NextConfig} */
export default {
  // whatsapp-web.js pulls optional AWS deps through RemoteAuth; never bundle it.
  serverExternalPackages: ["whatsapp-web.js", "pino", "socket.io"],
  poweredByHeader: false,
  reactStrictMode: true,
};
