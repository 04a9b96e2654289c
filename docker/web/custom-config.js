
// ---- boshtap stack (Openfire) ------------------------------------------------------------
// docker-compose.yml mounts this file as /config/custom-config.js; the jitsi/web image appends
// it to the generated config.js, which nginx serves with SSI (hence the echo directives).
//
// Openfire has no `focus.<domain>` component, so the client asks Jicofo for the conference
// over HTTP instead of an XMPP IQ. nginx forwards /conference-request/v1 to Jicofo's REST port
// (nginx/jitsi-web/custom-meet.conf). Protocol-relative: the page's own scheme is used.
config.conferenceRequestUrl = '//<!--# echo var="http_host" default="localhost" -->/<!--# echo var="subdir" default="" -->conference-request/v1';
