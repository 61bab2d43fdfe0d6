/* global window, document */
/**
 * Lifeline's development stand-in for Zendesk's ZAF SDK v2 (zaf_sdk.min.js), served at
 * /zendesk/dev/zaf_sdk.js by `lifeline serve` when LIFELINE_ZENDESK_DEV=true. It implements the part
 * of the ZAFClient the sidebar uses, with a fake ticket and agent taken from the frame's query string
 * (?ticket=&requester=&requesterName=&agent=&agentName=), and sends client.request() through
 * POST /zendesk/dev/proxy, which does what Zendesk's proxy does (secure settings, JWT signing).
 * Written for this project; no Zendesk code.
 */
(function () {
  'use strict';

  var query = new URLSearchParams(window.location.search);
  var param = function (name, fallback) {
    var value = query.get(name);
    return value === null || value === '' ? fallback : value;
  };
  var ticketId = Number(param('ticket', '1001'));
  var data = {
    'ticket.id': ticketId,
    'ticket.subject': param('subject', 'Our GitLab license expired over the weekend'),
    'ticket.status': 'open',
    'ticket.requester.id': 9001,
    'ticket.requester.email': param('requester', 'ops@customer.example'),
    'ticket.requester.name': param('requesterName', 'Casey Customer'),
    'currentUser.id': 7001,
    'currentUser.email': param('agent', 'engineer@example.com'),
    'currentUser.name': param('agentName', 'Support Engineer'),
    'currentUser.role': 'agent',
    'currentAccount.subdomain': 'lifeline-dev',
  };
  var context = {
    product: 'support',
    location: 'ticket_sidebar',
    instanceGuid: 'lifeline-dev-0000',
    account: { subdomain: 'lifeline-dev' },
    ticketId: ticketId,
  };
  var metadata = {
    appId: 0,
    installationId: 0,
    name: 'Lifeline',
    version: 'dev',
    // Secure settings (shared_secret) are never given to the browser, as in Zendesk.
    settings: { backend_url: window.location.origin, title: 'Lifeline' },
  };

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  function request(options) {
    if (typeof options === 'string') options = { url: options, type: 'GET' };
    options = options || {};
    var complete = options.httpCompleteResponse === true;
    var body = {
      url: options.url,
      type: options.type || 'GET',
      contentType: options.contentType,
      data: options.data,
      headers: options.headers || {},
      secure: options.secure === true,
      jwt: options.jwt,
    };
    return window
      .fetch('/zendesk/dev/proxy', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
      })
      .then(
        function (res) {
          return res.text().then(function (text) {
            return { ok: res.ok, status: res.status, text: text };
          });
        },
        function (error) {
          return { ok: false, status: 0, text: String(error && error.message) };
        },
      )
      .then(function (proxied) {
        var envelope = proxied.ok ? parseJson(proxied.text) : undefined;
        if (!envelope || typeof envelope.status !== 'number') {
          // The proxy itself refused (as Zendesk's does for a bad request): no upstream status.
          return Promise.reject({
            status: 0,
            statusText: 'proxy error',
            responseText: proxied.text,
            responseJSON: parseJson(proxied.text),
          });
        }
        var result = {
          status: envelope.status,
          statusText: envelope.statusText || '',
          headers: envelope.headers || {},
          responseText: envelope.body,
          responseJSON: parseJson(envelope.body),
        };
        if (envelope.status >= 200 && envelope.status < 300) {
          if (complete) return result;
          return result.responseJSON !== undefined ? result.responseJSON : result.responseText;
        }
        return Promise.reject({
          status: result.status,
          statusText: result.statusText,
          responseText: result.responseText,
          responseJSON: result.responseJSON,
        });
      });
  }

  function Client() {
    this._handlers = {};
  }
  Client.prototype.get = function (paths) {
    var list = Array.isArray(paths) ? paths : [paths];
    var result = { errors: {} };
    for (var i = 0; i < list.length; i++) {
      var path = list[i];
      if (Object.prototype.hasOwnProperty.call(data, path)) result[path] = data[path];
      else
        result.errors[path] = {
          name: 'APIUnavailable',
          message: '"' + path + '" is not available in the stand-in',
        };
    }
    if (!Array.isArray(paths) && result.errors[paths])
      return Promise.reject(new Error(result.errors[paths].message));
    return Promise.resolve(result);
  };
  Client.prototype.set = function () {
    return Promise.resolve({ errors: {} });
  };
  Client.prototype.invoke = function (name, options) {
    if (name === 'resize' && options && window.frameElement) {
      if (options.height !== undefined) {
        window.frameElement.style.height =
          typeof options.height === 'number' ? options.height + 'px' : options.height;
      }
    }
    return Promise.resolve({ errors: {} });
  };
  Client.prototype.metadata = function () {
    return Promise.resolve(JSON.parse(JSON.stringify(metadata)));
  };
  Client.prototype.context = function () {
    return Promise.resolve(JSON.parse(JSON.stringify(context)));
  };
  Client.prototype.request = request;
  Client.prototype.on = function (name, handler, thisArg) {
    (this._handlers[name] = this._handlers[name] || []).push({ handler: handler, thisArg: thisArg });
    if (name === 'app.registered' && this._registered) {
      handler.call(thisArg, { context: context, metadata: metadata });
    }
  };
  Client.prototype.off = function (name, handler) {
    this._handlers[name] = (this._handlers[name] || []).filter(function (h) {
      return h.handler !== handler;
    });
  };
  Client.prototype.has = function (name, handler) {
    return (this._handlers[name] || []).some(function (h) {
      return h.handler === handler;
    });
  };
  Client.prototype.trigger = function (name, payload) {
    var handlers = this._handlers[name] || [];
    for (var i = 0; i < handlers.length; i++) handlers[i].handler.call(handlers[i].thisArg, payload);
  };

  var client = null;
  window.ZAFClient = {
    init: function (callback) {
      if (client) return client;
      client = new Client();
      if (typeof callback === 'function') client.on('app.registered', callback);
      window.setTimeout(function () {
        client._registered = true;
        client.trigger('app.registered', { context: context, metadata: metadata });
        client.trigger('app.activated', { firstLoad: true });
      }, 0);
      return client;
    },
  };
  if (document.documentElement) document.documentElement.setAttribute('data-zaf-stand-in', 'lifeline');
})();
