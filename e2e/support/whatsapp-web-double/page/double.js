// The WhatsApp Web double's page. It provides, through window.require(), only the WhatsApp Web
// modules that whatsapp-web.js 1.34.7 reaches on its login paths, and plays the WhatsApp Web client
// side of the login in docs/whatsapp-web.md (the pitfall numbers below are that page's).
// Server -> page: Server-Sent Events (hello, ref, idle, paired, logout, the injected faults drop,
// conflict, unpaired, hang, and the account's timelock, capping and availability). Page -> server: fetch POST.
(() => {
  "use strict";

  const TOKEN_KEY = "whatsapp-web-double/device-token";
  // WhatsApp Web's user-preference keys of the restrictions (WAWebReachoutTimelockUtils, WAWebIndividualNewChatMessageCappingLimitUtils).
  const TIMELOCK_KEY = "reachout_timelock";
  const CAPPING_KEY = "new_chat_message_capping";
  // Gives the library's onLogoutEvent binding time to run before the page goes away.
  const REMOTE_LOGOUT_NAVIGATION_DELAY_MS = 300;
  // client.logout() closes the browser as soon as Socket.logout() resolves; navigating while it
  // closes would start a re-inject into a dying page (pitfall 8).
  const LOCAL_LOGOUT_NAVIGATION_DELAY_MS = 2000;
  const LISTENER_POLL_MS = 20;
  // After a dropped connection the page shows TIMEOUT, then OPENING while it retries.
  const DROP_RETRY_MS = 500;

  // Backbone-style events (pitfall 3): listeners get (model, value), and one on() call may name
  // several space-separated events ('change:body change:caption').
  class Emitter {
    constructor() {
      this.listeners = new Map();
    }

    on(names, callback) {
      for (const name of names.split(" ")) {
        this.listeners.set(name, [...this.listenersOf(name), callback]);
      }
      return this;
    }

    off(names, callback) {
      for (const name of names.split(" ")) {
        this.listeners.set(
          name,
          this.listenersOf(name).filter((listener) => listener !== callback),
        );
      }
      return this;
    }

    once(names, callback) {
      const onceCallback = (...args) => {
        this.off(names, onceCallback);
        callback(...args);
      };
      return this.on(names, onceCallback);
    }

    trigger(name, ...args) {
      for (const listener of this.listenersOf(name)) listener(...args);
    }

    listenerCount(name) {
      return this.listenersOf(name).length;
    }

    listenersOf(name) {
      return this.listeners.get(name) ?? [];
    }
  }

  // Attributes are plain own properties (the library reads Socket.state, Conn.ref directly).
  class Model extends Emitter {
    constructor(attributes) {
      super();
      this.attributes = {};
      for (const [name, value] of Object.entries(attributes)) this.set(name, value);
    }

    set(name, value) {
      if (this.attributes[name] === value) return;
      this.attributes[name] = value;
      this[name] = value;
      this.trigger(`change:${name}`, this, value);
    }

    serialize() {
      return { ...this.attributes };
    }
  }

  let sid = null;
  let stream = null;
  let syncDelayMs = 0;
  let offlineProgress = 0;
  let me = null;
  let meLid = null;
  let meDevice = null;
  // WhatsApp Web's user preferences (an IndexedDB-backed cache there; memory here, so a reload
  // forgets them and the restrictions are fetched again when the page goes online, as WhatsApp Web does).
  const userPrefs = new Map();

  // Stable for the page's lifetime, so only the ref part of successive QR strings changes.
  const keys = {
    noise: randomBytes(32),
    identity: randomBytes(32),
    advSecret: encodeB64(randomBytes(32)),
  };

  const Socket = new Model({ state: "UNLAUNCHED", hasSynced: false });
  Socket.logout = logOutThisDevice;
  // Only called with the takeoverOnConflict option, after a test has set Socket.state to CONFLICT.
  Socket.takeover = () => setState("CONNECTED");

  const Conn = new Model({ ref: null });
  const Cmd = new Emitter();
  Cmd.refreshQR = requestNewRef;

  // WhatsApp Web's availability: whether the account shows online. It starts from the window's focus;
  // markAvailable/markUnavailable change it (there: focus and blur; here: the test, or a presence pulse).
  const Stream = new Model({ available: document.hasFocus() });
  Stream.markAvailable = () => Stream.set("available", true);
  Stream.markUnavailable = () => Stream.set("available", false);

  const modules = {
    WAWebSocketModel: { Socket },
    WAWebConnModel: { Conn },
    WAWebCmd: { Cmd },
    WAWebOfflineHandler: {
      OfflineMessageHandler: { getOfflineDeliveryProgress: () => offlineProgress },
    },
    WAWebAltDeviceLinkingApi: {
      setPairingType() {},
      async initializeAltDeviceLinking() {},
      async initializeQRLinking() {},
      async startAltLinkingFlow(phoneNumber) {
        const { code } = await callServer("altLink", { phoneNumber });
        return code;
      },
    },
    WAWebLaunchSocketUtils: { refreshQR: requestNewRef },
    // The QR string is "ref,noiseKey,identityKey,advSecret,platform"; the keys only need the right shape.
    WABase64: { encodeB64 },
    WAWebSignalStoreApi: {
      waSignalStore: { getRegistrationInfo: async () => ({ identityKeyPair: { pubKey: keys.identity } }) },
    },
    WAWebUserPrefsInfoStore: {
      waNoiseInfo: { get: async () => ({ staticKeyPair: { pubKey: keys.noise } }) },
    },
    WAWebUserPrefsMultiDevice: { getADVSecretKey: () => keys.advSecret },
    WAWebCompanionRegClientUtils: { DEVICE_PLATFORM: 1 },
    WAWebAdvSignatureApi: {},
    WAWebUserPrefsMeUser: { getMaybeMePnUser: () => me, getMaybeMeLidUser: () => meLid, getMaybeMeDevicePn: () => meDevice },
    WAWebStreamModel: { Stream },
    WAWebPresenceChatAction: {
      sendPresenceAvailable: () => callServer("presence", { available: true }),
      sendPresenceUnavailable: () => callServer("presence", { available: false }),
    },
    WAWebUserPrefsIndexedDBStorage: {
      userPrefsIdb: {
        get: (key) => userPrefs.get(key),
        set: async (key, value) => void userPrefs.set(key, value),
        remove: async (key) => void userPrefs.delete(key),
      },
    },
    WAWebReachoutTimelockUtils: { REACHOUT_TIMELOCK_IDB_KEY: TIMELOCK_KEY },
    WAWebIndividualNewChatMessageCappingLimitUtils: { NEW_CHAT_MESSAGE_CAPPING_IDB_KEY: CAPPING_KEY },
    // WhatsApp Web's jobs that fetch the restrictions from WhatsApp and store them (at login, and on demand).
    WAWebGetReachoutTimelockJob: { fetchReachoutTimelock: async () => storeTimelock((await callServer("restrictions")).timelock) },
    WAWebGetNewChatMessageCappingInfoJob: { fetchOrUpdateCapStatus: async () => storeCapping((await callServer("restrictions")).capping) },
    WAWebMiscBrowserUtils: { info: () => ({ name: "Chrome", os: "Linux", version: "101.0" }) },
    // attachEventListeners() subscribes to these before 'ready'; the double never fills them.
    WAWebCollections: { Msg: new Emitter(), Chat: new Emitter() },
    // The library assigns isPlaceholderMessageResendEnabled on it, so it must be an object.
    WAWebSyncGatingUtils: {},
  };

  // Unknown names return undefined: the library guards its optional lookups (WAWebCallCollection, ...).
  window.require = (name) => {
    if (Object.hasOwn(modules, name)) return modules[name];
    console.debug(`[whatsapp-web-double] module not provided: ${name}`);
    return undefined;
  };

  const serverEvents = {
    hello(message) {
      sid = message.sid;
      syncDelayMs = message.syncDelayMs;
      if (message.restore) {
        goOnline(message);
      } else {
        // The server did not know our token (the phone removed this device): start over.
        localStorage.removeItem(TOKEN_KEY);
      }
    },
    ref({ ref }) {
      // Pitfall 2: Conn.ref first, then leave OPENING, or the first qr would contain "undefined".
      Conn.set("ref", ref);
      setState("UNPAIRED");
      showRef(ref);
    },
    idle() {
      setState("UNPAIRED_IDLE");
      showRef("-");
    },
    paired(message) {
      localStorage.setItem(TOKEN_KEY, message.token);
      setState("PAIRING");
      showRef("-");
      goOnline(message);
    },
    logout() {
      // Pitfall 4: a Socket.state outside the accepted set after ready would make the library close
      // the browser. The logout command plus the post_logout navigation gives disconnected('LOGOUT')
      // and a fresh QR in the same browser.
      localStorage.removeItem(TOKEN_KEY);
      Cmd.trigger("logout");
      reloadLoggedOut(REMOTE_LOGOUT_NAVIGATION_DELAY_MS);
    },
    // ---- injected faults (README.md, "Faults") ----
    unpaired() {
      // The other way a removed device may show (pitfall 4): disconnected('UNPAIRED'), browser closed.
      localStorage.removeItem(TOKEN_KEY);
      setState("UNPAIRED");
    },
    drop({ reconnectAfterMs }) {
      stream.close();
      setState("TIMEOUT");
      const retrying = setTimeout(() => setState("OPENING"), DROP_RETRY_MS);
      if (reconnectAfterMs === null) return;
      setTimeout(() => {
        clearTimeout(retrying);
        connectToServer();
      }, reconnectAfterMs);
    },
    conflict() {
      setState("CONFLICT");
    },
    // ---- the account's restrictions and availability (README.md, "Account state") ----
    timelock({ timelock }) {
      storeTimelock(timelock);
    },
    capping({ capping }) {
      storeCapping(capping);
    },
    availability({ available }) {
      if (available) Stream.markAvailable();
      else Stream.markUnavailable();
    },
    hang({ forMs }) {
      // The main thread never yields: no event, timer or evaluate runs until it ends.
      const until = forMs === null ? Infinity : Date.now() + forMs;
      while (Date.now() < until) {
        // busy
      }
    },
  };

  connectToServer();
  // The library's inject() polls for this; it must come last, once every module exists. The version is
  // in the HTML, so a copy of the page kept by the library's local cache reports the version it was.
  window.Debug = { VERSION: document.querySelector('meta[name="double-version"]')?.content ?? "unknown" };

  function connectToServer() {
    const token = localStorage.getItem(TOKEN_KEY);
    const query = token ? `?token=${encodeURIComponent(token)}` : "";
    const opened = new EventSource(`/__page/events${query}`);
    for (const [name, handle] of Object.entries(serverEvents)) {
      opened.addEventListener(name, (event) => handle(JSON.parse(event.data)));
    }
    // One stream is one session on the server; a reconnect would silently start another one.
    opened.onerror = () => opened.close();
    stream = opened;
    setState("OPENING");
  }

  async function goOnline({ user, pushname, lid, deviceId }) {
    // Pitfall 11: the library copies wid by value, so it needs exactly these own properties.
    me = { server: "c.us", user, _serialized: `${user}@c.us` };
    meLid = { server: "lid", user: lid, _serialized: `${lid}@lid` };
    // WhatsApp Web's device wid; toJid() is its wire form, user:device@s.whatsapp.net.
    meDevice = {
      server: "c.us",
      user,
      device: deviceId,
      _serialized: `${user}:${deviceId}@c.us`,
      toJid: () => `${user}:${deviceId}@s.whatsapp.net`,
    };
    Conn.set("wid", me);
    Conn.set("pushname", pushname);
    Conn.set("platform", "android");
    setState("OPENING");
    setState("CONNECTED");
    // As WhatsApp Web's bootstrap jobs do once connected: what WhatsApp says about the account's restrictions.
    fetchRestrictions();
    // Back after a dropped connection: nothing to sync again.
    if (Socket.hasSynced) return;
    // Pitfall 1: on the restore path the library subscribes to change:hasSynced only after several
    // CDP round trips; flipping it earlier would mean 'ready' is never emitted.
    await untilSomeoneListens(Socket, "change:hasSynced");
    for (const percent of [0, 50, 100]) {
      offlineProgress = percent;
      Cmd.trigger("offline_progress_update_from_bridge");
    }
    await sleep(syncDelayMs);
    Socket.set("hasSynced", true);
  }

  async function logOutThisDevice() {
    await callServer("logout");
    localStorage.removeItem(TOKEN_KEY);
    // Pitfall 5: resolve before navigating, or client.logout()'s evaluate loses its context.
    reloadLoggedOut(LOCAL_LOGOUT_NAVIGATION_DELAY_MS);
  }

  async function fetchRestrictions() {
    try {
      const { timelock, capping } = await callServer("restrictions");
      await storeTimelock(timelock);
      await storeCapping(capping);
    } catch (error) {
      console.warn(`[whatsapp-web-double] could not fetch the restrictions: ${error.message}`);
    }
  }

  // As WhatsApp Web's handleReachoutTimelockUpdate: an enforced timelock is stored with its end in ms
  // (a minute from now when WhatsApp gives none); a lifted one is removed.
  async function storeTimelock(timelock) {
    const prefs = modules.WAWebUserPrefsIndexedDBStorage.userPrefsIdb;
    if (!timelock || !timelock.isActive) return prefs.remove(TIMELOCK_KEY);
    const ends = timelock.timeEnforcementEnds ? timelock.timeEnforcementEnds * 1000 : Date.now() + 60_000;
    return prefs.set(TIMELOCK_KEY, { state: "HIDDEN", time_enforcement_ends: ends, enforcement_type: timelock.enforcementType });
  }

  // As WhatsApp Web's fetchOrUpdateCapStatus: the server's capping, numbers normalised, used capped at
  // the total. No capping info (the double's way of saying the account has none) removes the entry.
  async function storeCapping(capping) {
    const prefs = modules.WAWebUserPrefsIndexedDBStorage.userPrefsIdb;
    if (!capping) return prefs.remove(CAPPING_KEY);
    return prefs.set(CAPPING_KEY, {
      capping_status: capping.capping_status,
      ote_status: capping.ote_status,
      mv_status: capping.mv_status,
      total_quota: capping.total_quota,
      used_quota: Math.min(Number(capping.used_quota), Number(capping.total_quota)),
      cycle_end_timestamp: Number(capping.cycle_end_timestamp),
      cycle_start_timestamp: Number(capping.cycle_start_timestamp),
      server_sent_timestamp: Number(capping.server_sent_timestamp ?? "0"),
    });
  }

  function reloadLoggedOut(delayMs) {
    // Pitfall 6: a real navigation (no pushState or hash), which makes the library re-inject.
    setTimeout(() => location.replace("/?post_logout=1"), delayMs);
  }

  function requestNewRef() {
    return callServer("refreshQR");
  }

  async function callServer(name, body = {}) {
    const response = await fetch(`/__page/rpc/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sid, ...body }),
    });
    const result = await response.json();
    if (!response.ok) throw new Error(`${name}: ${result.error}`);
    return result;
  }

  function setState(state) {
    Socket.set("state", state);
    document.getElementById("state").textContent = state;
  }

  function showRef(ref) {
    document.getElementById("ref").textContent = ref;
  }

  async function untilSomeoneListens(emitter, name) {
    while (emitter.listenerCount(name) === 0) await sleep(LISTENER_POLL_MS);
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function encodeB64(bytes) {
    return btoa(String.fromCharCode(...bytes));
  }

  function randomBytes(length) {
    return crypto.getRandomValues(new Uint8Array(length));
  }
})();
