-- Anonymous authentication that lets a guest resume its own stream-management session.
--
-- Stock anonymous auth gives every login a fresh random username, and mod_smacks resumes a
-- session only for the same username, so a guest whose WebSocket dropped could never resume.
-- Jitsi's clients reconnect with "?previd=<resumption token>" on the WebSocket URL (its Prosody
-- has an auth module for this); this test module does the same: a login on a WebSocket whose
-- URL names the token of a live (hibernating) session gets that session's username back.
local new_sasl = require "util.sasl".new;
local http = require "util.http";

local provider = {};

function provider.test_password() return nil, "Password based auth not supported."; end
function provider.get_password() return nil, "Password not available."; end
function provider.set_password() return nil, "Password based auth not supported."; end
function provider.user_exists() return nil, "Only anonymous users are supported."; end
function provider.create_user() return nil, "Account creation/modification not supported."; end
function provider.users() return next, hosts[module.host].sessions, nil; end

-- The username owning the session with this resumption token, if it is still around.
local function owner_of(token)
	for username, user in pairs(hosts[module.host].sessions or {}) do
		for _, session in pairs(user.sessions or {}) do
			if session.resumption_token == token then return username; end
		end
	end
end

function provider.get_sasl_handler(session)
	local handler = new_sasl(module.host, { anonymous = function() return true; end });
	local process = handler.process;
	function handler:process(message)
		local status, ret, err = process(self, message);
		local username = status == "success" and session and session.resume_previd and owner_of(session.resume_previd);
		if username then self.username = username; end
		return status, ret, err;
	end
	return handler;
end

-- mod_websocket is a global module: its events fire globally.
module:hook_global("websocket-session", function (event)
	local query = event.request.url and event.request.url.query;
	local token = query and http.formdecode(query).previd;
	if token then event.session.resume_previd = token; end
end);

module:provides("auth", provider);
