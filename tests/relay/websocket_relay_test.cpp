// placeholder until the WebSocket tests land
