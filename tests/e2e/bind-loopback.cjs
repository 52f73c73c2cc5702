// SPDX-License-Identifier: GPL-3.0-or-later
// Preloaded (node --require) into third-party test servers that listen on every interface: every
// TCP listener of the process binds 127.0.0.1 only, so the tests never open a port to the network.
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const callbacks = args.filter((a) => typeof a === "function");
  const first = args[0];
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    return listen.call(this, { port: Number(first), host: "127.0.0.1" }, ...callbacks);
  }
  if (first && typeof first === "object" && !("path" in first) && !("fd" in first)) {
    return listen.call(this, { ...first, host: "127.0.0.1" }, ...callbacks);
  }
  return listen.apply(this, args);
};
